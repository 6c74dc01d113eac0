"""The course installs from a wheel and runs with no checkout: build, install, copy the notebooks out, execute one.

The slow test builds the wheel from a copy of the project (so no build/ folder lands in the checkout),
installs it with the notebooks extra into a fresh virtualenv (reaching PyPI; pip's cache makes a second run
quick), runs ``rnn-lib notebooks`` from an empty folder and executes one notebook of the copy in that
environment's own kernel. Nothing of the source tree is on the path: the notebook must import the
installed package. The quick tests check the packaging declarations themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
#: What a wheel needs to build: everything else of the checkout stays out of the copy.
BUILD_INPUTS = ["pyproject.toml", "README.md", "LICENSE", "rnn_lib", "notebooks"]
#: A short notebook of the series with real computation and a figure (about 2 s).
EXECUTED = "02_forward_pass.ipynb"


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")
    with open(REPO_ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


def test_every_package_of_the_source_tree_is_listed_for_the_wheel():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(REPO_ROOT).parts) for path in (REPO_ROOT / "rnn_lib").rglob("__init__.py")
             if "__pycache__" not in path.parts}
    missing = sorted(found - listed)
    assert not missing, f"packages a wheel would leave out: {missing}; add them to [tool.setuptools] packages"
    assert "rnn_lib.course_notebooks" in listed


def test_the_course_folder_maps_onto_the_notebooks():
    setuptools = _pyproject()["tool"]["setuptools"]
    assert setuptools["package-dir"]["rnn_lib.course_notebooks"] == "notebooks"
    patterns = setuptools["package-data"]["rnn_lib.course_notebooks"]
    from rnn_lib.course import COURSE_PATTERNS, course_files

    assert sorted(patterns) == sorted(COURSE_PATTERNS), "the wheel and copy_course must agree on the course's files"
    names = {path.as_posix() for path in course_files(REPO_ROOT / "notebooks")}
    assert "00_start_here.ipynb" in names and EXECUTED in names
    assert any(name.startswith("exercises/") and name.endswith(".ipynb") for name in names)


def test_copy_course_keeps_a_students_edited_notebook_unless_forced(tmp_path, capsys):
    from rnn_lib.cli import main

    dest = tmp_path / "my course"
    assert main(["notebooks", str(dest)]) == 0
    first = capsys.readouterr().out
    copied = dest / EXECUTED
    assert copied.read_bytes() == (REPO_ROOT / "notebooks" / EXECUTED).read_bytes()
    assert (dest / "exercises").is_dir()
    assert "jupyter lab" in first and "00_start_here.ipynb" in first

    copied.write_text("my own work", encoding="utf-8")
    assert main(["notebooks", str(dest)]) == 0
    again = capsys.readouterr().out
    assert copied.read_text(encoding="utf-8") == "my own work"
    assert "--force" in again and "kept" in again

    assert main(["notebooks", str(dest), "--force"]) == 0
    assert copied.read_bytes() == (REPO_ROOT / "notebooks" / EXECUTED).read_bytes()


def test_notebooks_into_a_file_is_an_error_that_says_so(tmp_path, capsys):
    from rnn_lib.cli import main

    target = tmp_path / "a_file.txt"
    target.write_text("x", encoding="utf-8")
    assert main(["notebooks", str(target)]) == 1
    assert "is a file" in capsys.readouterr().err


def test_lab_copies_the_course_and_starts_jupyterlab_in_it_with_allow_root_as_root(tmp_path, monkeypatch, capsys):
    import rnn_lib.course as course
    from rnn_lib.cli import main

    calls = []
    monkeypatch.setattr(course.subprocess, "call", lambda command, cwd: calls.append((command, cwd)) or 0)
    monkeypatch.setattr(course, "running_as_root", lambda: True)
    dest = tmp_path / "course"
    assert main(["lab", str(dest)]) == 0
    ((command, cwd),) = calls
    assert cwd == dest and (dest / "00_start_here.ipynb").is_file()
    assert command[1:3] == ["-m", "jupyterlab"] and "00_start_here.ipynb" in command and "--allow-root" in command
    assert "--allow-root" in capsys.readouterr().out

    monkeypatch.setattr(course, "running_as_root", lambda: False)
    assert main(["lab", str(dest)]) == 0
    assert "--allow-root" not in calls[-1][0]
    assert "kept" in capsys.readouterr().out        # the second start reuses the student's copy


def test_help_lists_the_course_commands(capsys):
    from rnn_lib.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for command in ("train", "notebooks", "lab"):
        assert command in text, command


# --- the slow test: a wheel, a fresh virtualenv, a copied course ------------------------------------------

def _run(command: list[str], *, cwd: Path, env: dict, timeout: int) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _clean_env(tmp_path: Path) -> dict:
    """The environment minus anything that would put the checkout on the path or reuse this venv's kernels."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR"}}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")      # no kernelspec from this machine's user
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.mark.slow
def test_wheel_installs_the_course_and_a_copied_notebook_runs(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns(
                "__pycache__", ".ipynb_checkpoints", "*.egg-info"))
        else:
            shutil.copy2(origin, source / name)
    env = _clean_env(tmp_path)
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
         cwd=tmp_path, env=env, timeout=300)
    (wheel,) = wheels.glob("rnn_lib-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {f"rnn_lib/course_notebooks/{path.as_posix()}" for path in
                __import__("rnn_lib.course", fromlist=["course_files"]).course_files(REPO_ROOT / "notebooks")}
    assert expected <= names, f"the wheel lacks {sorted(expected - names)[:5]}"
    assert "rnn_lib/data/sentiment_train.tsv" in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=env, timeout=120)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run([str(python), "-m", "pip", "install", "-q", f"{wheel}[notebooks]"], cwd=tmp_path, env=env, timeout=600)

    student = tmp_path / "student"
    student.mkdir()
    rnn_lib_command = python.parent / "rnn-lib"
    copied = _run([str(rnn_lib_command), "notebooks", "course"], cwd=student, env=env, timeout=60)
    assert "jupyter lab" in copied.stdout
    course = student / "course"
    assert (course / EXECUTED).is_file() and (course / "exercises").is_dir()

    # Execute the copied notebook in the venv's own kernel; a last cell reports where rnn_lib came from.
    script = f"""
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read({str(course / EXECUTED)!r}, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import rnn_lib, sys; print(rnn_lib.__file__); print(sys.executable)"))
NotebookClient(nb, timeout=300, kernel_name="python3").execute()
errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
print(json.dumps({{"errors": len(errors), "where": nb.cells[-1].outputs[0]["text"]}}))
"""
    ran = _run([str(python), "-c", script], cwd=student, env=env, timeout=600)
    report = json.loads(ran.stdout.strip().splitlines()[-1])
    assert report["errors"] == 0
    module_file, kernel_python = report["where"].split()
    assert Path(module_file).resolve().is_relative_to(venv.resolve()), f"rnn_lib came from {module_file}"
    assert not Path(module_file).resolve().is_relative_to(REPO_ROOT), module_file
    assert Path(kernel_python).parent.resolve() == python.parent.resolve() or str(venv) in kernel_python
