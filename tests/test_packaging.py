"""Packaging stays consistent: pyproject, environment.yml, the package data, README's commands and CI."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the pyproject checks skip, the others still run
    tomllib = None

REPO_ROOT = Path(__file__).resolve().parents[1]
SPECIFIER = re.compile(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$")


@pytest.fixture(scope="module")
def pyproject():
    if tomllib is None:
        pytest.skip("reading pyproject.toml needs tomllib (standard library from Python 3.11)")
    with open(REPO_ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


def requirement_map(requirements: list[str]) -> dict[str, str]:
    """{"numpy": ">=2.0,<3", ...} from requirement strings; names lower-cased, spaces dropped."""
    result = {}
    for requirement in requirements:
        match = SPECIFIER.match(requirement.strip())
        assert match, f"cannot read requirement {requirement!r}"
        result[match.group(1).lower().replace("_", "-")] = match.group(3).replace(" ", "")
    return result


def environment_dependencies() -> tuple[dict[str, str], list[str], list[str]]:
    """Read environment.yml's dependency list with a small line parser (pyyaml is no dependency).

    Returns (conda packages other than python and pip, the python entries, the pip sub-list).
    """
    conda, python, pip = {}, [], []
    section, pip_indent = None, None
    for raw in (REPO_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            section, pip_indent = line.rstrip(":").strip(), None
            continue
        if section != "dependencies":
            continue
        item = line.strip()
        assert item.startswith("- "), f"unexpected line in environment.yml: {raw!r}"
        item = item[2:].strip()
        if pip_indent is not None and indent > pip_indent:
            pip.append(item)                  # an entry of the nested "- pip:" list
            continue
        pip_indent = None
        if item == "pip:":
            pip_indent = indent
            continue
        name = re.split(r"[<>=!~ ]", item, maxsplit=1)[0].lower()
        if name == "python":
            python.append(item)
        elif name != "pip":
            conda[name] = item[len(name):].replace(" ", "")
    return conda, python, pip


def test_environment_yml_lists_the_core_and_notebook_dependencies(pyproject):
    project = pyproject["project"]
    wanted = requirement_map(project["dependencies"])
    wanted.update(requirement_map(project["optional-dependencies"]["notebooks"]))
    conda, _, _ = environment_dependencies()
    assert sorted(conda) == sorted(wanted), (
        f"only in environment.yml: {sorted(set(conda) - set(wanted))}; "
        f"only in pyproject.toml: {sorted(set(wanted) - set(conda))}")
    different = {name: (conda[name], wanted[name]) for name in wanted if conda[name] != wanted[name]}
    assert not different, f"version bounds differ (environment.yml, pyproject.toml): {different}"


def test_environment_yml_installs_rnn_lib_itself_and_a_supported_python(pyproject):
    _, python, pip = environment_dependencies()
    assert pip == ["-e ."], pip
    assert len(python) == 1
    pinned = re.match(r"python=(\d+)\.(\d+)$", python[0])
    minimum = re.match(r">=(\d+)\.(\d+)$", pyproject["project"]["requires-python"])
    assert pinned and minimum
    assert tuple(map(int, pinned.groups())) >= tuple(map(int, minimum.groups()))


def test_the_test_extra_builds_on_the_notebook_extra(pyproject):
    extras = pyproject["project"]["optional-dependencies"]
    test = requirement_map(extras["test"])
    assert "rnn-lib" in test and "notebooks" in next(r for r in extras["test"] if r.startswith("rnn_lib"))
    for tool in ("pytest", "nbval", "hypothesis", "ruff"):
        assert tool in test, tool


def test_version_matches_the_package(pyproject):
    import rnn_lib

    assert rnn_lib.__version__ == pyproject["project"]["version"]


def test_package_data_is_declared(pyproject):
    patterns = pyproject["tool"]["setuptools"]["package-data"]["rnn_lib"]
    data_dir = REPO_ROOT / "rnn_lib" / "data"
    shipped = sorted(path.relative_to(REPO_ROOT / "rnn_lib").as_posix() for path in data_dir.iterdir()
                     if path.is_file() and not path.name.startswith("."))
    for name in ("sentiment_train.tsv", "sentiment_test.tsv", "char_corpus.txt", "LICENSE-data.txt"):
        assert f"data/{name}" in shipped, name
    undeclared = [name for name in shipped if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)]
    assert not undeclared, f"data files a wheel would leave out: {undeclared} (package-data: {patterns})"


def readme_block(marker: str) -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", text, flags=re.DOTALL)
    assert match, f"README.md has no <!-- {marker} --> ... <!-- /{marker} --> block"
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith("```")]


def test_readme_open_command():
    lines = readme_block("open-command")
    assert len(lines) == 1, lines
    assert 'pip install -e ".[notebooks]"' in lines[0]
    assert "jupyter lab notebooks/" in lines[0]


def test_readme_test_command():
    lines = readme_block("test-command")
    assert len(lines) == 1, lines
    assert 'pip install -e ".[test]"' in lines[0]
    assert "python -m pytest" in lines[0]


def test_ci_runs_the_readme_test_command():
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assignments = [line for line in script.splitlines() if line.startswith("command=$(")]
    assert len(assignments) == 1, "CI must take its test command from README.md in one place"
    assert "README.md" in assignments[0]
    assert 'eval "$command"' in script
    bash = shutil.which("bash")
    if bash is None or shutil.which("sed") is None:
        pytest.skip("needs bash and sed to run CI's extraction")
    # Run CI's own extraction line and compare with what README shows between the markers.
    result = subprocess.run([bash, "-c", f'set -euo pipefail; {assignments[0]}; printf "%s" "$command"'],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == readme_block("test-command")[0].strip()
