"""nbgrader cell metadata for the series, derived from the exercise markers (nothing to set by hand).

``annotate(nb)`` sets ``metadata.nbgrader`` on the cells of a notebook that has exercises, so that the
numbered notebooks are nbgrader *source* notebooks; ``tools.notebooks execute`` applies it before it saves.
The rules, which depend only on the cells' sources and types (the same notebook always gets the same
metadata, and a second ``annotate`` changes nothing):

- a code cell with a ``### BEGIN SOLUTION`` line is an **autograded answer** (solution) cell; its
  ``grade_id`` is the name of the function it defines;
- the code cell right after it, which calls the exercise's check, is an **autograded test** cell worth
  ``points(name)`` points, locked (nbgrader restores its source before grading, so a student cannot
  turn the check off by editing it);
- a code cell that imports the checks (``from rnn_lib.checks import ...``) is **locked**, for the same
  reason: autograding relies on those names;
- every markdown cell is **locked**: it holds the exercise statements and the derivations the checks
  refer to. Students add their own notes in new cells.

Other code cells stay editable: the "Try this" sections ask students to change them, and no grade
depends on them. A notebook without exercises gets no nbgrader metadata at all.
"""

from __future__ import annotations

import re

SCHEMA_VERSION = 3
SOLUTION_MARKER = "### BEGIN SOLUTION"
#: Exercises worth more than one point: the derivations that take the most work.
POINTS = {"cross_entropy_loss": 2, "rnn_step_backward_by_hand": 2, "bptt": 3, "lstm_step_backward_by_hand": 2}
DEFAULT_POINTS = 1
_DEFINITION = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)
_CHECK_IMPORT = re.compile(r"^\s*from\s+rnn_lib\.checks(\.\w+)?\s+import\s", re.MULTILINE)


def points(name: str) -> int:
    """How many points the exercise that defines ``name`` is worth."""
    return POINTS.get(name, DEFAULT_POINTS)


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def is_solution_cell(cell) -> bool:
    return cell.get("cell_type") == "code" and any(line.strip() == SOLUTION_MARKER
                                                   for line in _source(cell).split("\n"))


def _metadata(grade_id: str, *, solution=False, grade=False, locked=False, points_=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points_
    return meta


def exercise_name(cell, index: int) -> str:
    """The function an exercise cell defines (its grade_id); ``exercise_<index>`` if it defines none."""
    match = _DEFINITION.search(_source(cell))
    return match.group(1) if match else f"exercise_{index}"


def plan(nb) -> dict[int, dict]:
    """{cell index: nbgrader metadata} for every cell that gets some; empty without exercises."""
    cells = nb["cells"]
    if not any(is_solution_cell(cell) for cell in cells):
        return {}
    wanted: dict[int, dict] = {}
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "markdown":
            wanted[index] = _metadata(f"md_{cell.get('id') or index}", locked=True)
        elif cell.get("cell_type") == "code" and _CHECK_IMPORT.search(_source(cell)):
            wanted[index] = _metadata(f"setup_{cell.get('id') or index}", locked=True)
    for index, cell in enumerate(cells):
        if not is_solution_cell(cell):
            continue
        name = exercise_name(cell, index)
        wanted[index] = _metadata(name, solution=True)
        following = next((i for i in range(index + 1, len(cells)) if cells[i].get("cell_type") == "code"), None)
        if following is None or is_solution_cell(cells[following]) or "check_" not in _source(cells[following]):
            raise ValueError(f"the exercise {name!r} (cell {index}) has no check cell after it: the next code cell "
                             "must call its check, e.g. check_{name}({name}).")
        wanted[following] = _metadata(f"check_{name}", grade=True, locked=True, points_=points(name))
    return wanted


def annotate(nb) -> bool:
    """Set (or remove) ``metadata.nbgrader`` on every cell of ``nb`` by the rules above. True if it changed."""
    wanted = plan(nb)
    changed = False
    for index, cell in enumerate(nb["cells"]):
        metadata = cell.setdefault("metadata", {})
        if index in wanted:
            if metadata.get("nbgrader") != wanted[index]:
                metadata["nbgrader"], changed = wanted[index], True
        elif "nbgrader" in metadata:
            del metadata["nbgrader"]
            changed = True
    return changed


def total_points(nb) -> int:
    return sum(meta.get("points", 0) for meta in plan(nb).values())
