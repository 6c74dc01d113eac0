"""The student notebooks: the nbgrader metadata the series gets from its markers, and that the release runs.

The rules of ``tools.nbgrader_meta`` are tested on a small notebook built here; the committed student
release must hold a stub for every exercise and no solutions, outputs or widget state (that it is exactly
nbgrader's release is tested with the real nbgrader in test_nbgrader.py); and every student notebook,
executed from a fresh kernel, may fail only where a student still has to write code.
"""

import copy
import os
from pathlib import Path

import nbformat
import pytest

from tools import exercises, nbgrader_meta
from tools.notebooks import normalise, run_notebook

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "notebooks"
STUDENT = SERIES / exercises.STUDENT_DIRNAME

SETUP_CELL = "import numpy as np\nfrom rnn_lib.checks import check_double"
EXERCISE_CELL = """\
def double(values):
    \"\"\"Return every value times two.\"\"\"
    ### BEGIN SOLUTION
    return [2 * v for v in values]
    ### END SOLUTION"""
CHECK_CELL = "check_double(double)"
BPTT_CELL = "def bptt(dhs):\n    ### BEGIN SOLUTION\n    return dhs\n    ### END SOLUTION"


def make_notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# A title", id="title"))
    for i, source in enumerate(sources):
        nb.cells.append(nbformat.v4.new_code_cell(source, id=f"code-{i}"))
    nb.metadata["rnn_lib"] = {"source_hash": "abc", "library_hash": "def"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def _meta(cell):
    return cell.metadata.get("nbgrader")


def test_markers_give_solution_test_and_locked_cells():
    nb = make_notebook(SETUP_CELL, "x = 1", EXERCISE_CELL, CHECK_CELL, BPTT_CELL, "check_bptt(bptt)")
    assert nbgrader_meta.annotate(nb) is True
    title, setup, plain, exercise, check, bptt, bptt_check = nb.cells
    assert _meta(title) == {"grade": False, "grade_id": "md_title", "locked": True, "schema_version": 3,
                            "solution": False, "task": False}
    assert _meta(setup)["locked"] and not _meta(setup)["grade"] and not _meta(setup)["solution"]
    assert _meta(plain) is None                                  # "Try this" cells stay editable
    assert _meta(exercise) == {"grade": False, "grade_id": "double", "locked": False, "schema_version": 3,
                               "solution": True, "task": False}
    assert _meta(check) == {"grade": True, "grade_id": "check_double", "locked": True, "points": 1,
                            "schema_version": 3, "solution": False, "task": False}
    assert _meta(bptt)["grade_id"] == "bptt" and _meta(bptt_check)["points"] == nbgrader_meta.points("bptt") == 3
    assert nbgrader_meta.total_points(nb) == 4


def test_the_check_cell_is_the_code_cell_after_the_exercise():
    nb = make_notebook(EXERCISE_CELL, CHECK_CELL)
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("Now check it:", id="between"))
    nbgrader_meta.annotate(nb)
    assert _meta(nb.cells[3]) == {"grade": True, "grade_id": "check_double", "locked": True, "points": 1,
                                  "schema_version": 3, "solution": False, "task": False}


def test_annotation_is_idempotent_and_deterministic():
    first = make_notebook(SETUP_CELL, EXERCISE_CELL, CHECK_CELL)
    nbgrader_meta.annotate(first)
    again = copy.deepcopy(first)
    assert nbgrader_meta.annotate(again) is False and again == first
    other = make_notebook(SETUP_CELL, EXERCISE_CELL, CHECK_CELL)
    nbgrader_meta.annotate(other)
    assert other == first


def test_metadata_of_a_removed_exercise_is_removed():
    nb = make_notebook(EXERCISE_CELL, CHECK_CELL)
    nbgrader_meta.annotate(nb)
    nb.cells[1].source = "def double(values):\n    return values * 2"
    assert nbgrader_meta.annotate(nb) is True
    assert all("nbgrader" not in cell.metadata for cell in nb.cells)


def test_an_exercise_without_a_check_cell_is_an_error():
    with pytest.raises(ValueError, match="'double'.*no check cell"):
        nbgrader_meta.annotate(make_notebook(EXERCISE_CELL, "print(1)"))
    with pytest.raises(ValueError, match="no check cell"):
        nbgrader_meta.annotate(make_notebook(EXERCISE_CELL))


def test_normalise_annotates(tmp_path):
    nb = make_notebook(SETUP_CELL, EXERCISE_CELL, CHECK_CELL)
    nb.metadata.pop("widgets")
    normalise(nb, "demo")
    assert _meta(nb.cells[3])["grade"] is True


def test_source_version_drops_stamp_and_widgets_and_leaves_the_series_alone():
    nb = make_notebook(SETUP_CELL, EXERCISE_CELL, CHECK_CELL)
    source = exercises.source_version(nb)
    assert "rnn_lib" not in source.metadata and "widgets" not in source.metadata
    assert _meta(source.cells[3])["points"] == 1 and "### BEGIN SOLUTION" in source.cells[2].source
    assert "rnn_lib" in nb.metadata and "nbgrader" not in nb.cells[3].metadata
    nbformat.validate(source)


def test_write_course_keeps_the_teachers_config(tmp_path):
    series = tmp_path / "series"
    series.mkdir()
    nbformat.write(make_notebook(SETUP_CELL, EXERCISE_CELL, CHECK_CELL), series / "01_with.ipynb")
    nbformat.write(make_notebook("print(1)"), series / "02_without.ipynb")
    course = tmp_path / "course"
    written = exercises.write_course(course, series)
    assert [path.name for path in written] == ["01_with.ipynb"]
    assert "c.Execute.timeout" in (course / "nbgrader_config.py").read_text()
    assert (course / "source" / "header.ipynb").exists()
    (course / "nbgrader_config.py").write_text("# mine\n")
    exercises.write_course(course, series)
    assert (course / "nbgrader_config.py").read_text() == "# mine\n"


def test_without_nbgrader_build_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(exercises, "nbgrader_available", lambda: False)
    assert exercises.main(["build"]) == 2
    assert "needs nbgrader" in capsys.readouterr().err


# --- the committed notebooks --------------------------------------------------------------------

def _series_with_exercises():
    return exercises.series_with_exercises(SERIES)


def test_committed_student_notebooks_have_stubs_and_nothing_else():
    if not _series_with_exercises():
        pytest.skip("no notebook in notebooks/ has exercise markers (### BEGIN SOLUTION) yet")
    assert sorted(p.name for p in STUDENT.glob("*.ipynb")) == [p.name for p in _series_with_exercises()]
    for path in _series_with_exercises():
        source = exercises.source_version(nbformat.read(path, as_version=4))
        student = nbformat.read(STUDENT / path.name, as_version=4)
        text = (STUDENT / path.name).read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text and "widget-state" not in text and '"rnn_lib": {' not in text
        wanted = {c.metadata.nbgrader.grade_id for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
        graded = {c.metadata.nbgrader.grade_id for c in student.cells if c.metadata.get("nbgrader", {}).get("grade")}
        assert graded == wanted, f"{path.name}: run `python -m tools.exercises build`"


@pytest.mark.slow
@pytest.mark.parametrize("name", [path.name for path in _series_with_exercises()] or [None])
def test_a_student_notebook_runs_except_for_the_exercises(name, monkeypatch):
    if name is None:
        pytest.skip("no notebook in notebooks/ has exercise markers (### BEGIN SOLUTION) yet")
    assert (STUDENT / name).exists(), f"notebooks/exercises/{name} is missing: run `python -m tools.exercises build`"
    nb = nbformat.read(STUDENT / name, as_version=4)
    # Run where a student runs it (notebooks/exercises/), with rnn_lib importable as after `pip install -e .`.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    run_notebook(nb, STUDENT, timeout=300, allow_errors=True)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), "a cell did not run"
    for index, cell in enumerate(code):
        errors = [out for out in cell.outputs if out.output_type == "error"]
        tags = cell.metadata.get("tags", [])
        for error in errors:
            assert error.ename == "NotImplementedError" and "exercise" in tags, (
                f"{name}: code cell {index} raised {error.ename}: {error.evalue}\n{cell.source[:300]}")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            check = code[index + 1]
            printed = "".join(out.get("text", "") for out in check.outputs if out.output_type == "stream")
            assert check.metadata["nbgrader"]["grade"] and "Not implemented yet" in printed, (
                f"{name}: the check after exercise cell {index} printed {printed!r}")
