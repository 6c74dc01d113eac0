"""The student release in notebooks/exercises/, made by nbgrader from the series (the instructor notebooks).

Usage, from the repository root (needs nbgrader, part of the test extra, Python >= 3.11)::

    python -m tools.exercises build            # notebooks/exercises/*.ipynb := nbgrader's release
    python -m tools.exercises check            # exit status 1 if notebooks/exercises/ differs from it
    python -m tools.exercises course DIR       # a ready nbgrader course folder in DIR (for teachers)

Every series notebook with exercises (a code cell with ``### BEGIN SOLUTION``) goes into the course's
``source/<assignment>/`` folder as it is, with three changes: its nbgrader cell metadata is (re)derived
from the markers (``tools.nbgrader_meta``; the executor stores the same metadata in the series), and the
executor's stamp and the saved widget state are left out, since a student copy starts without outputs.
Then ``nbgrader generate_assignment`` makes the release: solutions become ``# YOUR CODE HERE`` /
``raise NotImplementedError()``, hidden tests and outputs are removed, the locked cells are made read-only,
and a header cell says what the student version is. ``build`` copies that release byte for byte.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tools import nbgrader_meta

REPO_DIR = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO_DIR / "notebooks"
STUDENT_DIRNAME = "exercises"
ASSIGNMENT = "rnn"
#: Keys of the instructor notebooks' metadata that a student copy does not need.
DROPPED_METADATA = ("rnn_lib", "widgets")
HEADER = """**Student version.** This notebook is the exercise version of the notebook with the same name in the
series. In each exercise cell the code you are asked to write has been replaced by `# YOUR CODE HERE` and
`raise NotImplementedError()`: replace both lines with your code, run the cell, then run the check cell below
it. The check prints `Correct! ...` or says what is wrong and where to look; until you solve an exercise it
says "Not implemented yet". Every other cell uses `rnn_lib` and runs either way, so you can run the whole
notebook at any time. Cells with a lock are read-only: grading restores them."""
CONFIG = '''\
# nbgrader configuration of the rnn_lib course (written by `python -m tools.exercises course`).
c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = "rnn_lib"
# A header cell that tells students what the student version is.
c.IncludeHeaderFooter.header = "source/header.ipynb"
# Seconds per cell when autograding. The longest cells (training in 05 and 06, the cell that trains with the
# student's code) take 1-15 s; 120 leaves room for a slow but correct loop on a busy server, and bounds the
# wait when a widget cell's reply is lost (seen twice under load: the cell had finished, nbgrader waited).
c.Execute.timeout = 120
'''


def has_exercises(nb) -> bool:
    """True if some code cell has a ``### BEGIN SOLUTION`` line."""
    return any(nbgrader_meta.is_solution_cell(cell) for cell in nb["cells"])


def source_version(nb):
    """The notebook as an nbgrader source notebook: metadata derived from the markers, no stamp or widgets."""
    import copy

    source = copy.deepcopy(nb)
    for key in DROPPED_METADATA:
        source.metadata.pop(key, None)
    nbgrader_meta.annotate(source)
    return source


def series_with_exercises(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    import nbformat

    return [path for path in sorted(Path(notebook_dir).glob("*.ipynb"))
            if has_exercises(nbformat.read(path, as_version=4))]


def write_course(course: Path, notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Write ``nbgrader_config.py``, ``source/header.ipynb`` and ``source/<ASSIGNMENT>/*.ipynb`` into ``course``.

    An existing ``nbgrader_config.py`` is kept (it is the teacher's). Returns the source notebooks written.
    """
    import nbformat

    course = Path(course)
    folder = course / "source" / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    if not (course / "nbgrader_config.py").exists():
        (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    header = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(HEADER.replace("\n", " "),
                                                                           id="student-version")])
    nbformat.write(header, course / "source" / "header.ipynb")
    written = []
    for path in series_with_exercises(notebook_dir):
        nbformat.write(source_version(nbformat.read(path, as_version=4)), folder / path.name)
        written.append(folder / path.name)
    return written


def nbgrader_available() -> bool:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        return False
    return True


def nbgrader(course: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course`` with this interpreter; raise RuntimeError with its log if it fails.

    nbgrader starts ``alembic`` (its database migrations) by name, so this interpreter's script folder goes
    first on PATH; the checkout goes first on PYTHONPATH, so autograding kernels import this rnn_lib.
    """
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed (status {result.returncode}):\n"
                           f"{result.stdout[-3000:]}{result.stderr[-5000:]}")
    return result


def release(notebook_dir: Path = NOTEBOOK_DIR) -> dict[str, bytes]:
    """{file name: bytes} of nbgrader's release of the series, generated in a temporary course folder."""
    if not nbgrader_available():
        raise RuntimeError("building the student release needs nbgrader (pip install nbgrader, Python >= 3.11; "
                           "it is in the test extra).")
    with tempfile.TemporaryDirectory(prefix="rnn-course-") as tmp:
        course = Path(tmp)
        if not write_course(course, notebook_dir):
            return {}
        nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        return {path.name: path.read_bytes() for path in sorted((course / "release" / ASSIGNMENT).glob("*.ipynb"))}


def build(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Replace notebooks/exercises/*.ipynb by nbgrader's release (student notebooks without a source go)."""
    files = release(notebook_dir)
    out_dir = Path(notebook_dir) / STUDENT_DIRNAME
    out_dir.mkdir(exist_ok=True)
    for path in out_dir.glob("*.ipynb"):
        if path.name not in files:
            path.unlink()
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    return [out_dir / name for name in files]


def check(notebook_dir: Path = NOTEBOOK_DIR) -> list[str]:
    """Why notebooks/exercises/ differs from nbgrader's release of the series now (empty if it does not)."""
    files = release(notebook_dir)
    out_dir = Path(notebook_dir) / STUDENT_DIRNAME
    problems = [f"{name} is missing" for name in files if not (out_dir / name).exists()]
    problems += [f"{name} differs from nbgrader's release of the series notebook" for name, data in files.items()
                 if (out_dir / name).exists() and (out_dir / name).read_bytes() != data]
    problems += [f"{path.name} has no series notebook with exercises"
                 for path in sorted(out_dir.glob("*.ipynb")) if path.name not in files]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.exercises", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check", "course"],
                        help="write the student release, compare it, or set up an nbgrader course folder")
    parser.add_argument("course", nargs="?", type=Path, help="for `course`: the course folder to create or update")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR,
                        help="folder of the series notebooks (default: the checkout's notebooks/)")
    args = parser.parse_args(argv)
    if not args.notebooks.is_dir():
        parser.error(f"{args.notebooks} is not a folder of notebooks.")
    try:
        if args.command == "course":
            if args.course is None:
                parser.error("`course` needs the course folder, e.g. `python -m tools.exercises course ~/rnn-course`.")
            written = write_course(args.course, args.notebooks)
            print(f"wrote {len(written)} source notebook(s) to {args.course / 'source' / ASSIGNMENT}; next, in "
                  f"{args.course}: nbgrader generate_assignment {ASSIGNMENT}")
            return 0
        if args.command == "build":
            written = build(args.notebooks)
            print(f"wrote {len(written)} student notebook(s) to {args.notebooks.name}/{STUDENT_DIRNAME}/: "
                  + ", ".join(path.name for path in written))
            return 0
        problems = check(args.notebooks)
    except (RuntimeError, ValueError) as error:
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
