"""The student notebooks: how they are made from the series, and that they run for a student.

The generator is tested on a small notebook built here; the committed notebooks/exercises/ must equal
what the generator makes from the committed series now; and every student notebook, executed from a
fresh kernel, may fail only where a student still has to write code.
"""

import os
from pathlib import Path

import nbformat
import pytest

from tools import exercises
from tools.notebooks import run_notebook

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "notebooks"
STUDENT = SERIES / exercises.STUDENT_DIRNAME

EXERCISE_CELL = """\
def double(values):
    \"\"\"Return every value times two.\"\"\"
    ### BEGIN SOLUTION
    result = [2 * v for v in values]
    return result
    ### END SOLUTION"""

CHECK_CELL = """\
print(double([1, 2]))
### BEGIN HIDDEN TESTS
assert double([3]) == [6]
### END HIDDEN TESTS"""


def make_notebook(*sources, executed=True):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# A title", id="title"))
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source, id=f"code-{i}", execution_count=i + 1 if executed else None)
        if executed:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="something\n")]
        nb.cells.append(cell)
    nb.metadata["rnn_lib"] = {"source_hash": "abc", "library_hash": "def"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_solutions_become_a_stub_at_the_marker_indentation():
    assert exercises.strip_source(EXERCISE_CELL, "nb") == (
        'def double(values):\n    """Return every value times two."""\n    raise NotImplementedError()')


def test_hidden_tests_are_removed():
    assert exercises.strip_source(CHECK_CELL, "nb") == "print(double([1, 2]))"


def test_cells_without_markers_are_unchanged():
    source = "x = 1\n# ### BEGIN SOLUTION is only a marker on a line of its own\nprint(x)\n"
    assert exercises.strip_source(source, "nb") == source


def test_student_version_clears_outputs_stamps_and_widgets_and_adds_a_header():
    nb = make_notebook("import math", EXERCISE_CELL, CHECK_CELL)
    student = exercises.student_version(nb, "07_demo.ipynb")
    assert student.cells[0].cell_type == "markdown" and "Student version" in student.cells[0].source
    assert "07_demo.ipynb" in student.cells[0].source
    code = [cell for cell in student.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert "rnn_lib" not in student.metadata and "widgets" not in student.metadata
    assert "raise NotImplementedError()" in code[1].source and "2 * v" not in code[1].source
    assert "assert" not in code[2].source
    assert [cell.id for cell in student.cells] == ["student-version", "title", "code-0", "code-1", "code-2"]
    # the instructor notebook itself is left alone
    assert nb.cells[1].outputs and "2 * v" in nb.cells[2].source and "rnn_lib" in nb.metadata
    nbformat.validate(student)


def test_rendering_is_deterministic_and_ends_with_a_newline():
    first = exercises.render(exercises.student_version(make_notebook(EXERCISE_CELL), "a.ipynb"))
    second = exercises.render(exercises.student_version(make_notebook(EXERCISE_CELL, executed=False), "a.ipynb"))
    assert first == second and first.endswith("}\n") and not first.endswith("\n\n")


@pytest.mark.parametrize("source, fragment", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "no matching begin"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION", "inside"),
    ("### BEGIN HIDDEN TESTS\nassert True\n### END SOLUTION", "no matching begin"),
])
def test_unbalanced_markers_name_the_notebook_and_cell(source, fragment):
    nb = make_notebook("x = 0", source)
    with pytest.raises(ValueError, match=fragment) as error:
        exercises.student_version(nb, "09_broken.ipynb")
    assert "09_broken.ipynb, cell 2 (id code-1)" in str(error.value)


def test_build_and_check_on_a_folder(tmp_path, capsys):
    nbformat.write(make_notebook(EXERCISE_CELL, CHECK_CELL), tmp_path / "01_with.ipynb")
    nbformat.write(make_notebook("print(1)"), tmp_path / "02_without.ipynb")
    assert exercises.main(["check", "--notebooks", str(tmp_path)]) == 1
    assert "01_with.ipynb is missing" in capsys.readouterr().out
    assert exercises.main(["build", "--notebooks", str(tmp_path)]) == 0
    assert sorted(p.name for p in (tmp_path / "exercises").iterdir()) == ["01_with.ipynb"]
    assert exercises.main(["check", "--notebooks", str(tmp_path)]) == 0
    (tmp_path / "exercises" / "01_with.ipynb").write_text("{}")
    (tmp_path / "exercises" / "03_gone.ipynb").write_text("{}")
    assert exercises.main(["check", "--notebooks", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "01_with.ipynb differs" in out and "03_gone.ipynb has no series notebook" in out
    exercises.build(tmp_path)
    assert not (tmp_path / "exercises" / "03_gone.ipynb").exists() and exercises.check(tmp_path) == []


# --- the committed notebooks --------------------------------------------------------------------

def _series_with_exercises():
    return [path for path in sorted(SERIES.glob("*.ipynb"))
            if exercises.has_exercises(nbformat.read(path, as_version=4))]


def test_committed_student_notebooks_are_up_to_date():
    if not _series_with_exercises():
        pytest.skip("no notebook in notebooks/ has exercise markers (### BEGIN SOLUTION) yet")
    assert exercises.check(SERIES) == [], "run `python -m tools.exercises build` and commit notebooks/exercises/"


@pytest.mark.slow
@pytest.mark.parametrize("name", [path.name for path in _series_with_exercises()] or [None])
def test_a_student_notebook_runs_except_for_the_exercises(name, monkeypatch):
    if name is None:
        pytest.skip("no notebook in notebooks/ has exercise markers (### BEGIN SOLUTION) yet")
    assert (STUDENT / name).exists(), f"notebooks/exercises/{name} is missing: run `python -m tools.exercises build`"
    nb = nbformat.read(STUDENT / name, as_version=4)
    # Run where a student runs it (notebooks/exercises/), with rnn_lib importable as after `pip install -e .`.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    run_notebook(nb, STUDENT, timeout=300, allow_errors=True)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), "a cell did not run"
    for index, cell in enumerate(code):
        errors = [out for out in cell.outputs if out.output_type == "error"]
        tags = cell.metadata.get("tags", [])
        for error in errors:
            assert error.ename == "NotImplementedError" and "exercise" in tags, (
                f"{name}: code cell {index} raised {error.ename}: {error.evalue}\n{cell.source[:300]}")
        if "exercise" in tags:
            assert index + 1 < len(code), f"{name}: the exercise in code cell {index} has no check cell after it"
            check = code[index + 1]
            printed = "".join(out.get("text", "") for out in check.outputs if out.output_type == "stream")
            assert "check_" in check.source and "Not implemented yet" in printed, (
                f"{name}: the check after exercise cell {index} printed {printed!r}")
