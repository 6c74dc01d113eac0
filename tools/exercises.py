"""Student versions of the notebooks: the solutions taken out, the hidden tests removed, no outputs.

Usage, from the repository root::

    python -m tools.exercises build    # write notebooks/exercises/<name>.ipynb for every notebook with exercises
    python -m tools.exercises check    # exit status 1 if notebooks/exercises/ is not what build would write

The series notebooks (the instructor versions) mark the code a student writes with nbgrader's markers:
in a code cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` become one line
``raise NotImplementedError()`` at the marker's indentation, and the lines from ``### BEGIN HIDDEN TESTS``
to ``### END HIDDEN TESTS`` are dropped. A marker line must be exactly the marker (surrounding spaces
aside). The output is byte-for-byte the same for the same input, so ``check`` can compare files.

Only this module needs nbformat; it is imported when a function here runs.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
STUDENT_DIRNAME = "exercises"
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
STUB = "raise NotImplementedError()"
HEADER_ID = "student-version"
HEADER = """**Student version.** This is the exercise version of `{name}` in the series. In each exercise cell the
code you are asked to write has been replaced by `raise NotImplementedError()`: replace that line with your
code, run the cell, then run the check cell below it. The check prints `Correct! ...` or says what is wrong
and where to look. Until you solve an exercise, its check says "Not implemented yet"; every other cell uses
`rnn_lib` and runs either way, so you can run the whole notebook at any time."""


def strip_source(source: str, where: str) -> str:
    """One code cell's source with solutions replaced by a stub and hidden tests removed.

    ``where`` names the notebook and cell in the ValueError raised for unbalanced markers.
    """
    begins = {SOLUTION[0]: SOLUTION, HIDDEN_TESTS[0]: HIDDEN_TESTS}
    ends = {SOLUTION[1], HIDDEN_TESTS[1]}
    kept = []
    open_block, opened_at, removed = None, 0, False
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker in begins:
            if open_block:
                raise ValueError(f"{where}, line {number}: {marker!r} inside the {open_block[0]!r} block opened "
                                 f"at line {opened_at}; close that block with {open_block[1]!r} first.")
            open_block, opened_at, removed = begins[marker], number, True
            if open_block is SOLUTION:
                kept.append(line[: len(line) - len(line.lstrip())] + STUB)
        elif marker in ends:
            if open_block is None or marker != open_block[1]:
                expected = f"the {open_block[1]!r} that closes line {opened_at}" if open_block else "no end marker"
                raise ValueError(f"{where}, line {number}: {marker!r} has no matching begin marker "
                                 f"(expected {expected}).")
            open_block = None
        elif open_block is None:
            kept.append(line)
    if open_block:
        raise ValueError(f"{where}, line {opened_at}: {open_block[0]!r} is never closed by {open_block[1]!r}.")
    text = "\n".join(kept)
    return text.rstrip() if removed else text


def has_exercises(nb) -> bool:
    """True if some code cell has a solution marker line."""
    return any(line.strip() == SOLUTION[0] for cell in nb.cells if cell.cell_type == "code"
               for line in cell.source.split("\n"))


def student_version(nb, name: str):
    """A new notebook: solutions stubbed, hidden tests removed, outputs, stamps and widget state cleared.

    ``name`` is the file name, used in the header cell and in error messages.
    """
    import nbformat

    student = copy.deepcopy(nb)
    student.nbformat, student.nbformat_minor = 4, max(5, student.get("nbformat_minor", 0))
    for key in ("rnn_lib", "widgets"):
        student.metadata.pop(key, None)
    for index, cell in enumerate(student.cells):
        cell.setdefault("id", f"cell-{index}")
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.source = strip_source(cell.source, f"{name}, cell {index} (id {cell.id})")
            cell.outputs, cell.execution_count = [], None
    header = nbformat.v4.new_markdown_cell(HEADER.format(name=name).replace("\n", " "), id=HEADER_ID)
    student.cells.insert(0, header)
    return student


def render(nb) -> str:
    """The notebook as the exact text written to disk."""
    import nbformat

    return nbformat.writes(nb, version=4, indent=1).rstrip("\n") + "\n"


def planned(notebook_dir: Path = NOTEBOOK_DIR) -> dict[Path, str]:
    """What ``build`` writes: {student notebook path: its text}, for every series notebook with exercises."""
    import nbformat

    out_dir = notebook_dir / STUDENT_DIRNAME
    plan = {}
    for path in sorted(notebook_dir.glob("*.ipynb")):
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        if has_exercises(nb):
            plan[out_dir / path.name] = render(student_version(nb, path.name))
    return plan


def build(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Write the student notebooks and delete student notebooks whose series notebook has no exercises left."""
    plan = planned(notebook_dir)
    out_dir = notebook_dir / STUDENT_DIRNAME
    out_dir.mkdir(exist_ok=True)
    for path in set(out_dir.glob("*.ipynb")) - set(plan):
        path.unlink()
    for path, text in plan.items():
        path.write_text(text, encoding="utf-8", newline="\n")
    return sorted(plan)


def check(notebook_dir: Path = NOTEBOOK_DIR) -> list[str]:
    """Why ``notebooks/exercises/`` differs from what ``build`` would write now (empty if it does not)."""
    plan = planned(notebook_dir)
    out_dir = notebook_dir / STUDENT_DIRNAME
    problems = [f"{path.name} is missing" for path in plan if not path.exists()]
    problems += [f"{path.name} differs from its series notebook" for path, text in plan.items()
                 if path.exists() and path.read_bytes() != text.encode("utf-8")]
    problems += [f"{path.name} has no series notebook with exercises"
                 for path in sorted(set(out_dir.glob("*.ipynb")) - set(plan))]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.exercises", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check"], help="write the student notebooks, or compare them")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR,
                        help="folder of the series notebooks (default: the checkout's notebooks/)")
    args = parser.parse_args(argv)
    if not args.notebooks.is_dir():
        parser.error(f"{args.notebooks} is not a folder of notebooks.")
    try:
        if args.command == "build":
            written = build(args.notebooks)
            print(f"wrote {len(written)} student notebook(s) to {args.notebooks.name}/{STUDENT_DIRNAME}/: "
                  + ", ".join(path.name for path in written))
            return 0
        problems = check(args.notebooks)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"out of date: {problem}")
    if problems:
        print("run `python -m tools.exercises build` and commit notebooks/exercises/.")
        return 1
    print("student notebooks are up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
