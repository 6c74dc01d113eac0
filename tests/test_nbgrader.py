"""The whole nbgrader round trip, with the real nbgrader, in a temporary course folder.

generate_assignment makes the student release (which must be what notebooks/exercises/ holds); autograde
gives the instructor notebooks full marks, untouched student notebooks zero and a half-solved submission the
points of exactly the exercises it solved; generate_feedback shows each failed check's diagnosis once.
The expected scores are worked out here from the points table, not read from nbgrader's output.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tools import exercises, nbgrader_meta

pytest.importorskip("nbgrader", reason="nbgrader is part of the test extra (pip install -e '.[test]')")

ROOT = Path(__file__).resolve().parent.parent
STUDENT_DIR = ROOT / "notebooks" / exercises.STUDENT_DIRNAME
SERIES = exercises.series_with_exercises()
A = exercises.ASSIGNMENT

# A realistic wrong answer for notebook 02's loop: the h_prev @ Whh transpose bug.
WRONG_LOOP = '''def rnn_forward_loop(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wxh.T + h @ Whh + bh)
        hs.append(h)
    return np.stack(hs, axis=1)'''

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SERIES, reason="no notebook in notebooks/ has exercises yet")]


def _grade_cells(nb, kind):
    return [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get(kind)]


def _expected_half(source_nb):
    """The half-solved submission solves the first exercise of each notebook: its check's points."""
    first = _grade_cells(source_nb, "solution")[0].metadata.nbgrader.grade_id
    return first, nbgrader_meta.points(first)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    sources = exercises.write_course(course)
    exercises.nbgrader(course, "generate_assignment", A, "--force")
    expected = {"instructor": 0, "untouched": 0, "half": 0}
    for path in sources:
        source = nbformat.read(path, as_version=4)
        released = course / "release" / A / path.name
        for student in expected:
            (course / "submitted" / student / A).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, course / "submitted" / "instructor" / A / path.name)
        shutil.copy(released, course / "submitted" / "untouched" / A / path.name)
        half = nbformat.read(released, as_version=4)
        first, points = _expected_half(source)
        solutions = {cell.metadata.nbgrader.grade_id: cell.source for cell in _grade_cells(source, "solution")}
        for cell in half.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id == first:
                cell.source = solutions[first]
            elif grade_id == "rnn_forward_loop":
                cell.source = WRONG_LOOP
        nbformat.write(half, course / "submitted" / "half" / A / path.name)
        expected["instructor"] += nbgrader_meta.total_points(source)
        expected["half"] += points
    graded = exercises.nbgrader(course, "autograde", A)
    # a passing check shows no value: nbgrader would try to read a displayed `True` as a partial-credit score
    assert "cannot be converted to" not in graded.stdout + graded.stderr
    exercises.nbgrader(course, "generate_feedback", A)
    return course, expected


def _scores(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {}
        for student in ("instructor", "untouched", "half"):
            submission = gradebook.find_submission(A, student)
            scores[student] = (submission.score, submission.max_score,
                               {nb.name: nb.score for nb in submission.notebooks})
    return scores


def test_the_committed_student_notebooks_are_nbgraders_release(course):
    course, _ = course
    released = sorted((course / "release" / A).glob("*.ipynb"))
    assert [path.name for path in released] == [path.name for path in SERIES]
    for path in released:
        committed = STUDENT_DIR / path.name
        assert committed.exists(), f"{committed.name} is missing: run `python -m tools.exercises build`"
        assert committed.read_bytes() == path.read_bytes(), (
            f"notebooks/exercises/{path.name} is not nbgrader's release: run `python -m tools.exercises build`")


def test_the_release_has_no_solutions_outputs_stamp_or_widget_state(course):
    course, _ = course
    for path in sorted((course / "release" / A).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert "widgets" not in nb.metadata and "rnn_lib" not in nb.metadata, path.name
        assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), path.name
        text = path.read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text and "application/vnd.jupyter.widget-state" not in text
        stubs = _grade_cells(nb, "solution")
        assert stubs and all("raise NotImplementedError()" in cell.source for cell in stubs), path.name
        tests = _grade_cells(nb, "grade")
        assert len(tests) == len(stubs) and all(cell.metadata.get("editable") is False for cell in tests)


def test_autograde_scores_full_zero_and_partial(course):
    course, expected = course
    scores = _scores(course)
    total = expected["instructor"]
    assert total == sum(nbgrader_meta.total_points(nbformat.read(p, as_version=4)) for p in SERIES) > 0
    assert scores["instructor"][:2] == (total, total), scores["instructor"]
    assert scores["untouched"][:2] == (0, total), scores["untouched"]
    assert scores["half"][:2] == (expected["half"], total), scores["half"]
    assert 0 < expected["half"] < total


def _feedback_text(course, student, name):
    page = (course / "feedback" / student / A / f"{Path(name).stem}.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_feedback_shows_each_diagnosis_once(course):
    course, _ = course
    name = next(path.name for path in SERIES if path.name.startswith("02_"))
    text = _feedback_text(course, "half", name)
    diagnosis = "h_prev @ Whh multiplies by the transpose"
    assert text.count(diagnosis) == 1, text[text.find("rnn_forward_loop"):][:3000]
    assert "AssertionError" in text and "Correct! h = tanh" in text
    untouched = _feedback_text(course, "untouched", name)
    graded = len(_grade_cells(nbformat.read(course / "source" / A / name, as_version=4), "grade"))
    # the header cell mentions "Not implemented yet" once; each unsolved check says it once more
    assert untouched.count("Not implemented yet:") == graded, untouched[:3000]
    assert "During handling of the above exception" not in untouched


def test_the_gradebook_knows_every_check_and_its_points(course):
    course, _ = course
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assignment = gradebook.find_assignment(A)
        for path in SERIES:
            source = nbformat.read(course / "source" / A / path.name, as_version=4)
            notebook = next(nb for nb in assignment.notebooks if nb.name == path.stem)
            wanted = {cell.metadata.nbgrader.grade_id: cell.metadata.nbgrader.points
                      for cell in _grade_cells(source, "grade")}
            assert {cell.name: cell.max_score for cell in notebook.grade_cells} == wanted
    assert json.loads((STUDENT_DIR / SERIES[0].name).read_text(encoding="utf-8"))["cells"]
