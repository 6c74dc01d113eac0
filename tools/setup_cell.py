"""Insert or refresh the setup cell that lets every notebook run on Colab or any Jupyter without a checkout.

    python -m tools.setup_cell                 # every notebooks/*.ipynb and notebooks/exercises/*.ipynb
    python -m tools.setup_cell notebooks/05_training.ipynb
    python -m tools.setup_cell --check         # exit status 1 if a notebook lacks the current cell

The cell does nothing when ``rnn_lib`` imports (a checkout, a pip install, Binder), so it prints nothing
and nbval has nothing to compare. Where ``rnn_lib`` is missing (Colab, a hosted Jupyter) it installs the
package from the repository URL declared once in pyproject.toml's ``[project.urls]``, plus matplotlib and
ipywidgets when they are missing. While that URL is still the OWNER/REPO placeholder, it stops with a
message saying what to do instead. Running this script twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "rnn-lib-setup"
MARKER = "# Setup: installs rnn_lib where it is missing (Colab, hosted Jupyter); does nothing elsewhere."
PLACEHOLDER = "OWNER/REPO"


def repository_url(pyproject: Path = REPO_ROOT / "pyproject.toml") -> str:
    """The ``Repository`` entry of ``[project.urls]`` (read with a regex: tomllib needs Python 3.11)."""
    text = pyproject.read_text(encoding="utf-8")
    section = re.search(r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    if section is None:
        raise KeyError("pyproject.toml has no [project.urls] table")
    match = re.search(r'^Repository\s*=\s*"([^"]+)"', section.group(1), flags=re.MULTILINE)
    if match is None:
        raise KeyError('pyproject.toml [project.urls] has no Repository = "..." entry')
    return match.group(1).rstrip("/")


def setup_source(url: str) -> str:
    """The setup cell's code for the repository ``url``."""
    return f'''{MARKER}
try:
    import rnn_lib  # noqa: F401
except ImportError:
    import importlib.util, subprocess, sys
    REPOSITORY = "{url}"
    if "{PLACEHOLDER}" in REPOSITORY:
        raise RuntimeError("rnn_lib is not installed, and this copy of the course does not say where it is "
                           "published yet. Install it yourself (pip install rnn_lib from the course's "
                           "repository), then run this cell again.")
    packages = [f"rnn_lib @ git+{{REPOSITORY}}"]
    packages += [name for name in ("matplotlib", "ipywidgets") if importlib.util.find_spec(name) is None]
    print("installing", ", ".join(packages), "...")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *packages], check=True)
    import rnn_lib  # noqa: F401'''


def is_setup_cell(cell) -> bool:
    return cell.get("cell_type") == "code" and (cell.get("id") == CELL_ID or cell.get("source", "").startswith(MARKER))


def refresh(nb, url: str) -> bool:
    """Put the current setup cell before the notebook's first code cell; True if the notebook changed."""
    source = setup_source(url)
    existing = [index for index, cell in enumerate(nb.cells) if is_setup_cell(cell)]
    first_code = next((index for index, cell in enumerate(nb.cells)
                       if cell.cell_type == "code" and not is_setup_cell(cell)), len(nb.cells))
    if len(existing) == 1:
        cell = nb.cells[existing[0]]
        place = existing[0] < first_code
        if place and cell.source == source and not cell.outputs and cell.get("id") == CELL_ID:
            return False
    for index in reversed(existing):
        del nb.cells[index]
    first_code = next((index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"), len(nb.cells))
    cell = nbformat.v4.new_code_cell(source)
    cell["id"] = CELL_ID
    cell.execution_count = None
    nb.cells.insert(first_code, cell)
    return True


def default_paths() -> list[Path]:
    folder = REPO_ROOT / "notebooks"
    return sorted(folder.glob("*.ipynb")) + sorted((folder / "exercises").glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: the series and the exercises)")
    parser.add_argument("--check", action="store_true", help="only report notebooks whose setup cell is missing or old")
    args = parser.parse_args(argv)
    url = repository_url()
    stale = []
    for path in args.paths or default_paths():
        nb = nbformat.read(path, as_version=4)
        if refresh(nb, url):
            stale.append(path)
            if not args.check:
                nbformat.write(nb, path)
    verb = "need" if args.check else "updated"
    print(f"{len(stale)} notebooks {verb} the setup cell" + (": " + ", ".join(p.name for p in stale) if stale else ""))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
