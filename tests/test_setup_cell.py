"""The notebooks' setup cell: silent where rnn_lib imports, installs from the declared repository elsewhere."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import nbformat
import pytest

from tools.setup_cell import CELL_ID, PLACEHOLDER, refresh, repository_url, setup_source

REPO_ROOT = Path(__file__).resolve().parents[1]


def _run_cell(source: str, *, rnn_lib_missing: bool, monkeypatch) -> str:
    """Execute the cell's code in a fresh namespace and return what it printed."""
    if rnn_lib_missing:
        monkeypatch.setitem(sys.modules, "rnn_lib", None)       # makes `import rnn_lib` raise ImportError
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "<setup cell>", "exec"), {})
    return printed.getvalue()


def test_the_cell_prints_nothing_where_rnn_lib_imports(monkeypatch):
    assert _run_cell(setup_source(repository_url()), rnn_lib_missing=False, monkeypatch=monkeypatch) == ""


def test_with_the_placeholder_url_the_cell_says_what_to_do_instead_of_installing(monkeypatch):
    calls = []
    monkeypatch.setattr("subprocess.run", lambda *args, **kwargs: calls.append(args))
    with pytest.raises(RuntimeError, match="does not say where it is published"):
        _run_cell(setup_source(f"https://github.com/{PLACEHOLDER}"), rnn_lib_missing=True, monkeypatch=monkeypatch)
    assert calls == []


def test_with_a_real_url_the_cell_pip_installs_from_that_repository(monkeypatch):
    calls = []
    monkeypatch.setattr("subprocess.run", lambda command, **kwargs: calls.append(command))
    with pytest.raises(ImportError):        # the fake install installs nothing, so the last import still fails
        _run_cell(setup_source("https://github.com/someone/rnn-course"), rnn_lib_missing=True,
                  monkeypatch=monkeypatch)
    assert len(calls) == 1
    assert calls[0][1:4] == ["-m", "pip", "install"]
    assert "rnn_lib @ git+https://github.com/someone/rnn-course" in calls[0]


def test_refresh_inserts_before_the_first_code_cell_and_is_idempotent():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    assert refresh(nb, "https://github.com/a/b") is True
    assert [cell.cell_type for cell in nb.cells] == ["markdown", "code", "code"]
    assert nb.cells[1].id == CELL_ID and "https://github.com/a/b" in nb.cells[1].source
    assert nb.cells[2].source == "x = 1"
    assert refresh(nb, "https://github.com/a/b") is False
    assert refresh(nb, "https://github.com/a/c") is True          # a new URL replaces the old cell
    assert len(nb.cells) == 3 and "https://github.com/a/c" in nb.cells[1].source
    nbformat.validate(nb)


def test_the_url_is_declared_once_and_the_binder_badge_is_built_from_it():
    url = repository_url()
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", url)
    assert match, f"[project.urls] Repository should be a GitHub repository URL, got {url!r}"
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert text.count(url) == 1, "declare the repository URL once, in [project.urls]"
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    badges = re.findall(r"https://mybinder\.org/v2/gh/([^/]+/[^/]+)/", readme)
    assert badges, "README.md has no Binder badge"
    assert set(badges) == {match.group(1)}, f"Binder badge points at {badges}, pyproject at {match.group(1)}"
    colab = re.findall(r"https://colab\.research\.google\.com/github/([^/]+/[^/]+)/", readme)
    assert set(colab) <= {match.group(1)}, f"Colab links point at {colab}, pyproject at {match.group(1)}"
