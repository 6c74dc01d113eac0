"""Cheap checks of the stored notebooks: structure, stored outputs, freshness, no pasted library code.

These tests read the .ipynb files; they never execute them (nbval does that, cell by cell).
The student copies in notebooks/exercises/ are generated and checked elsewhere.
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
from pathlib import Path

import nbformat
import pytest

from tools import notebooks as nbtools

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO / "notebooks"
PACKAGE_DIR = REPO / "rnn_lib"
SERIES = nbtools.series_notebooks(NOTEBOOK_DIR)
EXPECTED_COUNT = 9  # 00_start_here .. 08_gated_cells
WIDGET_MIME = nbtools.WIDGET_VIEW_MIME
IGNORE_TAG = "nbval-ignore-output"
#: Library modules that are tooling, not teaching code: leave them out of the "pasted code" checks.
#: Only rnn_lib/*.py is scanned; the exercise checks (rnn_lib/checks/) are tooling too and are not.
TOOLING_MODULES = {"cli.py", "__main__.py"}
RUN_COMMAND = "python -m tools.notebooks execute"
#: Folders whose names would tie a stored output to the machine that executed it.
_PLACES = (REPO.parent, Path.home(), tempfile.gettempdir())
MACHINE_PATHS = sorted({str(place).rstrip(os.sep) + os.sep for place in _PLACES} - {os.sep})


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


@pytest.fixture(params=SERIES, ids=[path.stem for path in SERIES], scope="module")
def notebook(request):
    return request.param, _read(request.param)


# --- the series as a whole ---------------------------------------------------------------------

def test_series_is_numbered_00_to_08():
    names = [path.name for path in SERIES]
    for name in names:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), f"{name}: expected NN_lower_case_name.ipynb"
    numbers = [int(name[:2]) for name in names]
    assert numbers == list(range(EXPECTED_COUNT)), f"expected notebooks numbered 00..08 with no gaps, found {names}"


# --- stored outputs ------------------------------------------------------------------------------

def test_every_code_cell_was_executed_in_order(notebook):
    path, nb = notebook
    cells = _code_cells(nb)
    assert cells, f"{path.name} has no code cells"
    counts = [cell.get("execution_count") for cell in cells if _text(cell.source).strip()]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1, 2, 3, ...; run `{RUN_COMMAND} {path.stem}`")
    assert any(cell.outputs for cell in cells), f"{path.name} has no stored outputs; run `{RUN_COMMAND}`"


def test_no_errors_or_warnings_in_outputs(notebook):
    path, nb = notebook
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", (
                f"{path.name} cell {index} stored an error: {output.get('ename')}: {output.get('evalue')}")
            if output.output_type == "stream" and output.name == "stderr":
                text = _text(output.text)
                for word in ("Traceback", "Warning", "Error"):
                    assert word not in text, f"{path.name} cell {index} wrote a {word} to stderr:\n{text[:500]}"


def test_outputs_show_rounded_numbers_and_no_machine_paths(notebook):
    path, nb = notebook
    for index, cell in enumerate(_code_cells(nb)):
        for output in cell.outputs:
            texts = [_text(output.get("text", ""))] + [_text(output.get("data", {}).get("text/plain", ""))]
            for text in texts:
                assert "np.float64(" not in text and "np.float32(" not in text, (
                    f"{path.name} code cell {index + 1} prints a raw numpy scalar; print it rounded, "
                    f"e.g. f'{{x:.3f}}':\n{text[:300]}")
                found = [place for place in MACHINE_PATHS if place in text]
                assert not found, f"{path.name} code cell {index + 1} prints a path of this machine: {text[:300]}"


def test_stamp_matches_sources_and_library(notebook):
    path, nb = notebook
    reason = nbtools.staleness(nb)
    assert reason is None, f"{path.name} is stale: {reason}. Run `{RUN_COMMAND} {path.stem}` and commit the result."


# --- structure -----------------------------------------------------------------------------------

def test_title_summary_and_try_this(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown" and _text(first.source).lstrip().startswith("# "), (
        f"{path.name} must open with a markdown title cell ('# ...')")
    headings = [line.strip().lstrip("#").strip().lower()
                for cell in nb.cells if cell.cell_type == "markdown"
                for line in _text(cell.source).splitlines() if line.startswith("##")]
    assert any(heading.startswith("summary") for heading in headings), f"{path.name} has no '## Summary' section"
    assert any(heading.startswith("try this") for heading in headings), f"{path.name} has no '## Try this' section"


def _has_widget(cell) -> bool:
    return any(WIDGET_MIME in output.get("data", {}) for output in cell.get("outputs", []))


def _has_image(cell) -> bool:
    return any(mime.startswith("image/") for output in cell.get("outputs", []) for mime in output.get("data", {}))


def test_widgets_are_ignored_by_nbval_and_follow_a_static_figure(notebook):
    path, nb = notebook
    seen_image = False
    for index, cell in enumerate(nb.cells):
        if _has_widget(cell):
            assert IGNORE_TAG in _tags(cell), f"{path.name} cell {index} shows a widget but is not tagged {IGNORE_TAG}"
            assert seen_image, f"{path.name} cell {index} shows a widget with no static figure before it"
        seen_image = seen_image or _has_image(cell)


# --- no pasted library code ------------------------------------------------------------------------

def _library_sources() -> dict[str, str]:
    paths = sorted(PACKAGE_DIR.glob("*.py"))
    return {path.name: path.read_text() for path in paths if path.name not in TOOLING_MODULES}


def _public_names() -> set[str]:
    names = set()
    for source in _library_sources().values():
        for node in ast.parse(source).body:
            is_definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            if is_definition and not node.name.startswith("_"):
                names.add(node.name)
    return names


def _python_of(cell) -> str:
    """The cell's code with IPython magics and shell escapes blanked out, so ``ast`` can parse it."""
    lines = _text(cell.source).splitlines()
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


TRIVIAL = {"", "else:", "try:", "finally:", "return", "pass", "break", "continue", ")", "]", "}", "),", "],", "},",
           '"""', "'''"}


def _meaningful_lines(source: str) -> list[str]:
    """Stripped lines that say something: no blanks, comments, lone brackets or keywords."""
    lines = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped in TRIVIAL or stripped.startswith("#"):
            continue
        lines.append(stripped)
    return lines


def _windows(lines: list[str], size: int = 4) -> set[tuple[str, ...]]:
    return {tuple(lines[i : i + size]) for i in range(len(lines) - size + 1)}


LIBRARY_WINDOWS = set().union(*(_windows(_meaningful_lines(src)) for src in _library_sources().values()))
PUBLIC_NAMES = _public_names()


def test_no_library_function_is_redefined(notebook):
    path, nb = notebook
    for index, cell in enumerate(_code_cells(nb)):
        tree = ast.parse(_python_of(cell))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                assert node.name not in PUBLIC_NAMES, (
                    f"{path.name} code cell {index + 1} defines {node.name!r}, which rnn_lib already provides: "
                    "import it instead of redefining it")


def test_no_library_code_is_pasted(notebook):
    path, nb = notebook
    for index, cell in enumerate(_code_cells(nb)):
        lines = _meaningful_lines(_python_of(cell))
        pasted = _windows(lines) & LIBRARY_WINDOWS
        assert not pasted, (f"{path.name} code cell {index + 1} repeats rnn_lib source line for line:\n"
                            + "\n".join(sorted(pasted)[0]) + "\nimport the function instead.")


# --- the checks themselves must be able to fail ---------------------------------------------------

def test_pasted_code_detector_catches_a_pasted_function():
    source = (PACKAGE_DIR / "optim.py").read_text()
    tree = ast.parse(source)
    function = next(node for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == "clip_by_global_norm")
    pasted = ast.get_source_segment(source, function)
    cell = nbformat.v4.new_code_cell("%matplotlib inline\n" + pasted)
    assert _windows(_meaningful_lines(_python_of(cell))) & LIBRARY_WINDOWS
    assert "clip_by_global_norm" in PUBLIC_NAMES


def test_staleness_detects_an_edited_cell_and_a_missing_stamp():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    assert nbtools.staleness(nb) is not None
    nb.metadata[nbtools.STAMP_KEY] = nbtools.stamp(nb)
    assert nbtools.staleness(nb) is None
    nb.cells[0].source = "x = 2"
    assert "edited" in nbtools.staleness(nb)
    nb.metadata[nbtools.STAMP_KEY] = dict(nbtools.stamp(nb), library_hash="0" * 64)
    assert "rnn_lib changed" in nbtools.staleness(nb)


def test_library_hash_follows_file_contents(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "b.txt").write_text("hello\n")
    before = nbtools.library_hash(tmp_path)
    assert nbtools.library_hash(tmp_path) == before
    (tmp_path / "data" / "b.txt").write_text("hello!\n")
    assert nbtools.library_hash(tmp_path) != before
    (tmp_path / "data" / "b.txt").write_bytes(b"hello\r\n")
    assert nbtools.library_hash(tmp_path) == before, "CRLF line endings should hash like LF"


def test_execute_runs_quietly_and_shuts_its_kernels_down(tmp_path):
    # ipykernel warns about TCP without encryption, and a kernel left running when the command exits
    # prints "Parent appears to have exited": neither may reach the maintainer's terminal.
    import subprocess
    import sys

    for name in ("a.ipynb", "b.ipynb"):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")]), tmp_path / name)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    result = subprocess.run([sys.executable, "-m", "tools.notebooks", "execute",
                             str(tmp_path / "a.ipynb"), str(tmp_path / "b.ipynb")],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    assert "a.ipynb" in result.stdout and "b.ipynb" in result.stdout
    executed = _read(tmp_path / "b.ipynb")
    assert executed.cells[0].outputs[0].text == "42\n" and nbtools.staleness(executed) is None


def test_staleness_detects_nbgrader_metadata_that_does_not_match_the_markers():
    exercise = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(exercise), nbformat.v4.new_code_cell("check_f(f)")])
    nb.metadata[nbtools.STAMP_KEY] = nbtools.stamp(nb)
    assert "nbgrader" in nbtools.staleness(nb)
    nbtools.normalise(nb, "demo")
    assert nbtools.staleness(nb) is None and nb.cells[1].metadata.nbgrader["grade"] is True
