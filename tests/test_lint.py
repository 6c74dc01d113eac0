"""The code is ruff-clean (configuration in pyproject.toml), checked the way a contributor would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ruff", reason="ruff is part of the test extra")

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    targets = [name for name in ("rnn_lib", "tests", "bench", "tools") if (REPO_ROOT / name).exists()]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise", *targets],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"ruff check {' '.join(targets)} found problems:\n{result.stdout}{result.stderr}"
