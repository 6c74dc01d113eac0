"""The notebook series as a course a student can copy out of the installed package and open.

``rnn-lib notebooks DEST`` copies the series (and the exercise notebooks) into a new folder and
prints how to open it; ``rnn-lib lab [DEST]`` copies if needed and starts JupyterLab there. A
notebook the student already has is never overwritten unless ``force=True``: it may hold their work.

Where the notebooks come from: an installed wheel carries them as the package
``rnn_lib.course_notebooks`` (pyproject.toml maps it onto the repository's ``notebooks/`` folder);
a checkout run from its root has them in ``notebooks/`` next to the package.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FOLDER = "rnn-course"
FIRST_NOTEBOOK = "00_start_here.ipynb"
#: Which files of the notebook folders belong to the course (checkpoints and artifacts do not).
COURSE_PATTERNS = ("*.ipynb", "exercises/*.ipynb", "exercises/*.md")


def course_source() -> Path:
    """The folder holding the course notebooks: the installed package data, else the checkout's notebooks/."""
    spec = importlib.util.find_spec("rnn_lib.course_notebooks")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        if (Path(location) / FIRST_NOTEBOOK).is_file():
            return Path(location)
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    if (checkout / FIRST_NOTEBOOK).is_file():
        return checkout
    raise FileNotFoundError("the course notebooks are not installed with this copy of rnn_lib; "
                            "reinstall it from a wheel or run from the repository root.")


def course_files(source: Path | None = None) -> list[Path]:
    """The course's files, relative to ``source``, in a fixed order."""
    source = course_source() if source is None else Path(source)
    found = {path.relative_to(source) for pattern in COURSE_PATTERNS for path in source.glob(pattern)
             if path.is_file() and ".ipynb_checkpoints" not in path.parts}
    return sorted(found)


@dataclass
class CopyReport:
    """What ``copy_course`` did: files written, and files left alone because the student already has them."""

    dest: Path
    copied: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def copy_course(dest: str | os.PathLike, *, force: bool = False, source: Path | None = None) -> CopyReport:
    """Copy the course notebooks into ``dest`` (created if missing).

    A file that already exists in ``dest`` is kept (it may hold the student's edits) unless ``force``.
    Returns a ``CopyReport``. Raises ``NotADirectoryError`` when ``dest`` is an existing file.
    """
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} is a file; give a folder to copy the notebooks into.")
    source = course_source() if source is None else Path(source)
    report = CopyReport(dest)
    for relative in course_files(source):
        target = dest / relative
        if target.exists() and not force:
            report.kept.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
        report.copied.append(relative)
    return report


def running_as_root() -> bool:
    """True on POSIX systems when this process runs as root (JupyterLab then needs ``--allow-root``)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(dest: Path) -> list[str]:
    """The command that opens the first notebook of ``dest`` in JupyterLab, with ``--allow-root`` as root."""
    command = ["jupyter", "lab", str(Path(dest) / FIRST_NOTEBOOK)]
    if running_as_root():
        command.append("--allow-root")
    return command


def describe_copy(report: CopyReport) -> str:
    """A few lines for the terminal: what was copied, what was kept, and how to open the course."""
    lines = [f"copied {len(report.copied)} files of the course into {report.dest}"] if report.copied else []
    if report.kept:
        lines.append(f"kept {len(report.kept)} files you already have in {report.dest} (they may hold your work; "
                     f"add --force to replace them with fresh copies): "
                     + ", ".join(str(path) for path in report.kept[:4]) + (" ..." if len(report.kept) > 4 else ""))
    lines.append("open them with:")
    lines.append("    " + " ".join(_quote(part) for part in lab_command(report.dest)))
    lines.append(f"or: rnn-lib lab {_quote(str(report.dest))}")
    if not running_as_root():
        lines.append("(running as root, for example in a container? add --allow-root after 'jupyter lab')")
    return "\n".join(lines)


def _quote(text: str) -> str:
    return f'"{text}"' if any(ch.isspace() for ch in text) else text


def start_lab(dest: Path, extra_args: list[str] | None = None) -> int:
    """Run JupyterLab in ``dest`` (opening its first notebook) until the user stops it; returns its exit status."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        print('JupyterLab is not installed: pip install "rnn_lib[notebooks]"', file=sys.stderr)
        return 1
    command = [sys.executable, "-m", "jupyterlab", FIRST_NOTEBOOK]
    if running_as_root() and "--allow-root" not in (extra_args or []):
        command.append("--allow-root")      # JupyterLab refuses to start as root without it
        print("running as root: starting JupyterLab with --allow-root")
    command += list(extra_args or [])
    try:
        return subprocess.call(command, cwd=dest)
    except KeyboardInterrupt:
        return 0


# --- command line: ``rnn-lib notebooks DEST`` and ``rnn-lib lab [DEST]`` -------------------------

def add_course_commands(commands) -> None:
    """Add the ``notebooks`` and ``lab`` subcommands to the ``add_subparsers()`` object of the main parser."""
    notebooks = commands.add_parser(
        "notebooks", help="copy the notebook series into a folder of your own",
        description="Copy the notebook series (and the exercise notebooks) into DEST and print how to open them. "
                    "Notebooks already in DEST are kept (they may hold your work) unless you add --force.")
    notebooks.add_argument("dest", metavar="DEST", help="folder to copy the notebooks into (created if missing)")
    notebooks.add_argument("--force", action="store_true", help="replace notebooks that are already in DEST")
    lab = commands.add_parser(
        "lab", help="copy the notebooks if needed and open them in JupyterLab",
        description="Copy the notebook series into DEST if it is not there yet, then start JupyterLab in DEST "
                    "(as root, with --allow-root). Stop it with Ctrl+C.")
    lab.add_argument("dest", metavar="DEST", nargs="?", default=DEFAULT_FOLDER,
                     help=f"folder of the course (default ./{DEFAULT_FOLDER})")
    lab.add_argument("--force", action="store_true", help="replace notebooks that are already in DEST")


def run_course_command(args) -> int:
    """Carry out ``notebooks`` or ``lab`` from parsed arguments; returns the exit status."""
    try:
        report = copy_course(args.dest, force=args.force)
    except (OSError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.command == "notebooks":
        print(describe_copy(report))
        return 0
    if report.copied:
        print(f"copied {len(report.copied)} files of the course into {report.dest}")
    if report.kept:
        print(f"kept the {len(report.kept)} files already in {report.dest} (add --force to replace them)")
    return start_lab(report.dest)
