"""Re-execute the teaching notebooks and check that their stored outputs are up to date.

Usage, from the repository root::

    python -m tools.notebooks execute            # every notebooks/*.ipynb (not notebooks/exercises/)
    python -m tools.notebooks execute 05 06      # by number, stem or path
    python -m tools.notebooks check              # which notebooks are stale (exit status 1 if any)

``execute`` runs each notebook from a fresh kernel of *this* Python environment (whatever the
machine's "python3" kernelspec points at), stores outputs and widget state, and saves the notebook
in place, with each cell's nbgrader metadata derived from the exercise markers (``tools.nbgrader_meta``).
It then stamps ``metadata["rnn_lib"]`` with two hashes: one of the notebook's code cells
and one of the library's source and data files. ``check`` (and ``tests/test_notebooks.py``)
recompute both hashes, so a cell or library edit that was never re-executed is caught.

Only this module needs nbformat and nbclient; they are imported when a command runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
import weakref
from pathlib import Path

from tools import nbgrader_meta

REPO_DIR = Path(__file__).resolve().parent.parent
#: The package whose files the stamp hashes (this tooling lives outside it, so editing it stales nothing).
PACKAGE_DIR = REPO_DIR / "rnn_lib"
#: Where the series lives in the checkout.
NOTEBOOK_DIR = REPO_DIR / "notebooks"
_LIBRARY_SUFFIXES = {".py", ".txt", ".tsv", ".csv", ".json"}
STAMP_KEY = "rnn_lib"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
#: What JupyterLab needs to open a notebook with this environment's Python kernel.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_WIDGET_ID_NAMESPACE = uuid.UUID("6f1c2b1e-8a4d-4c55-9a31-2d1f0e0b7a11")


# --- stamps ------------------------------------------------------------------------------------

def _cell_source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def source_hash(nb) -> str:
    """SHA-256 of the notebook's code-cell sources, in order (markdown edits do not change outputs)."""
    sources = [_cell_source(cell) for cell in nb["cells"] if cell.get("cell_type") == "code"]
    return hashlib.sha256(json.dumps(sources, ensure_ascii=True).encode()).hexdigest()


def library_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The package's source and data files that notebook outputs can depend on, in a fixed order."""
    files = [path for path in package_dir.rglob("*")
             if path.is_file() and path.suffix in _LIBRARY_SUFFIXES and "__pycache__" not in path.parts]
    return sorted(files, key=lambda path: path.relative_to(package_dir).as_posix())


def library_hash(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the relative path and contents of every file in ``library_files``.

    Line endings are normalised so a checkout with CRLF endings hashes the same.
    """
    digest = hashlib.sha256()
    for path in library_files(package_dir):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def stamp(nb) -> dict:
    """The stamp a freshly executed notebook carries in ``metadata["rnn_lib"]``."""
    return {"source_hash": source_hash(nb), "library_hash": library_hash()}


def staleness(nb) -> str | None:
    """None if the notebook's stamp matches its code cells and the library; else why it is stale."""
    stored = nb.get("metadata", {}).get(STAMP_KEY)
    if not stored:
        return "it has never been executed with `python -m tools.notebooks execute` (no stamp in its metadata)"
    if stored.get("source_hash") != source_hash(nb):
        return "a code cell was edited after the notebook was last executed"
    if stored.get("library_hash") != library_hash():
        return "rnn_lib changed after the notebook was last executed"
    if nbgrader_meta.plan(nb) != {i: c["metadata"]["nbgrader"] for i, c in enumerate(nb["cells"])
                                  if "nbgrader" in c.get("metadata", {})}:
        return "its nbgrader cell metadata does not match its exercise markers (execute sets it)"
    return None


# --- normalising -------------------------------------------------------------------------------

def _widget_ids(nb) -> list[str]:
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    return list(state)


def _merge_streams(outputs: list) -> list:
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = _cell_text(previous["text"]) + _cell_text(output["text"])
        else:
            merged.append(output)
    return merged


def _cell_text(text) -> str:
    return "".join(text) if isinstance(text, list) else text


def normalise(nb, name: str) -> None:
    """Remove what changes from run to run without meaning anything, so re-executing gives small diffs.

    - per-cell execution timing (``metadata.execution``);
    - how printed text was split into stream messages (that depends on timing): consecutive stdout
      (or stderr) outputs are merged into one;
    - widget model ids are random UUIDs: they are replaced, everywhere they occur, by ids derived from
      the notebook's name and the widget's position, so the same notebook stores the same ids.

    It also (re)derives each cell's nbgrader metadata from the exercise markers (``tools.nbgrader_meta``).
    """
    nbgrader_meta.annotate(nb)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = _merge_streams(cell["outputs"])
    ids = _widget_ids(nb)
    if not ids:
        nb.get("metadata", {}).pop("widgets", None)
        return
    mapping = {old: str(uuid.uuid5(_WIDGET_ID_NAMESPACE, f"{name}/{i}")).replace("-", "")
               for i, old in enumerate(ids)}
    pattern = re.compile("|".join(re.escape(old) for old in mapping))
    text = pattern.sub(lambda match: mapping[match.group(0)], json.dumps(nb))
    import nbformat

    fresh = nbformat.from_dict(json.loads(text))
    for widget in fresh["metadata"]["widgets"][WIDGET_STATE_MIME]["state"].values():
        state = widget.get("state", {})
        if "msg_id" in state:
            state["msg_id"] = ""            # the id of the last message an Output widget captured
    nb.clear()
    nb.update(fresh)


# --- executing ---------------------------------------------------------------------------------

def current_env_kernel_manager():
    """A KernelManager whose "python3" kernel is this interpreter, whatever kernelspecs are installed.

    On POSIX the kernel talks over IPC sockets in a private temporary folder instead of TCP on localhost:
    nothing else on the machine can connect to it, and ipykernel has no reason to print its
    "running over TCP without encryption" warning. The folder is removed with the manager.
    """
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    class CurrentEnvKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            if kernel_name == "python3":
                return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                              **ipykernel.kernelspec.get_kernel_dict())
            return super().get_kernel_spec(kernel_name)

    if os.name != "posix":      # no IPC sockets on Windows: TCP on localhost, as Jupyter does
        return KernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnvKernelSpecs())
    socket_dir = tempfile.mkdtemp(prefix="rnn-kernel-")
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnvKernelSpecs(),
                            transport="ipc", ip=os.path.join(socket_dir, "kernel"))
    weakref.finalize(manager, shutil.rmtree, socket_dir, True)
    return manager


def run_notebook(nb, folder: Path, timeout: int = 600, **options) -> None:
    """Execute ``nb`` in place from a fresh kernel started in ``folder``, and shut the kernel down after.

    nbclient leaves a kernel it did not create running until this process exits (each such kernel then
    prints "Parent appears to have exited"), so the kernel is shut down here, also when a cell fails.
    """
    from nbclient import NotebookClient

    manager = current_env_kernel_manager()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", km=manager,
                            resources={"metadata": {"path": str(folder)}}, record_timing=False, **options)
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
        if manager.has_kernel:
            manager.shutdown_kernel(now=False)


def _kernel_can_import_this_package() -> None:
    """Put the checkout's root first on PYTHONPATH, which the kernel inherits.

    The kernel starts in the notebook's folder, where a checkout's rnn_lib is not importable unless the
    package is installed; this way the kernel always imports the same rnn_lib as this command.
    """
    root = str(REPO_DIR)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if not paths or paths[0] != root:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *[p for p in paths if p != root]])


def execute_notebook(path: Path, timeout: int = 600) -> float:
    """Execute one notebook from a fresh kernel, normalise, stamp and save it in place. Returns seconds."""
    import nbformat

    _kernel_can_import_this_package()
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    run_notebook(nb, path.parent, timeout=timeout, store_widget_state=True)
    seconds = time.perf_counter() - start
    normalise(nb, path.stem)
    nb.metadata.setdefault("kernelspec", dict(KERNELSPEC))
    nb.metadata[STAMP_KEY] = stamp(nb)
    nbformat.write(nb, path)
    return seconds


def series_notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """Every notebook of the series (``directory/*.ipynb``; the exercises folder is not included)."""
    return sorted(Path(directory).glob("*.ipynb"))


def resolve(names, directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """Notebook paths from names such as ``05``, ``05_training``, ``05_training.ipynb`` or a path."""
    if not names:
        return series_notebooks(directory)
    found = []
    for name in names:
        candidate = Path(name)
        if candidate.suffix == ".ipynb" and candidate.is_file():
            found.append(candidate)
            continue
        stem = candidate.name.removesuffix(".ipynb")
        matches = [path for path in series_notebooks(directory)
                   if path.stem == stem or path.stem.startswith(stem + "_")]
        if len(matches) != 1:
            available = ", ".join(path.name for path in series_notebooks(directory)) or "none"
            raise SystemExit(f"no single notebook matches {name!r} in {directory} (available: {available}).")
        found.append(matches[0])
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.notebooks", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="re-execute notebooks in place from a fresh kernel and stamp them")
    run.add_argument("names", nargs="*", help="notebooks by number, stem or path (default: the whole series)")
    run.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    check = commands.add_parser("check", help="list notebooks whose outputs are older than their code or rnn_lib")
    check.add_argument("names", nargs="*", help="notebooks by number, stem or path (default: the whole series)")
    args = parser.parse_args(argv)
    paths = resolve(args.names)
    if not paths:
        print(f"no notebooks found in {NOTEBOOK_DIR}", file=sys.stderr)
        return 1

    if args.command == "check":
        import nbformat

        stale = 0
        for path in paths:
            reason = staleness(nbformat.read(path, as_version=4))
            print(f"{path.name:40s} {'ok' if reason is None else 'STALE: ' + reason}")
            stale += reason is not None
        if stale:
            print(f"{stale} stale notebook(s): run `python -m tools.notebooks execute`.", file=sys.stderr)
        return 1 if stale else 0

    from nbclient.exceptions import CellExecutionError

    total, failed = 0.0, []
    for path in paths:
        try:
            seconds = execute_notebook(path, timeout=args.timeout)
        except CellExecutionError as err:
            print(f"{path.name:40s} FAILED (not saved)")
            print(str(err)[-3000:], file=sys.stderr)
            failed.append(path.name)
            continue
        total += seconds
        print(f"{path.name:40s} {seconds:6.1f} s", flush=True)
    print(f"{'total':40s} {total:6.1f} s")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
