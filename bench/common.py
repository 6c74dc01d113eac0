"""Helpers shared by the benchmarks: data loading, timing, machine facts and markdown tables."""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from rnn_lib.text import Vocabulary, tokenize

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"
# The dataset of the tutorial the baseline imitates. It is read where it lies, never copied in.
BLOG_DATA_RELATIVE = Path("..") / "shared" / "anchors" / "blog_sentiment.json"
# The character benchmarks time a fixed slice, so a measurement stays short however large the corpus grows
# (10,000 characters: about the size of the corpus the earlier figures were measured on).
CHAR_SLICE = 10_000


def load_blog_sentiment() -> tuple[list[tuple[str, int]], list[tuple[str, int]]] | None:
    """The tutorial's (train, test) sentences as (text, 0/1) pairs, or None (with a message) if absent."""
    path = (REPO_ROOT / BLOG_DATA_RELATIVE).resolve()
    if not path.is_file():
        print(f"note: the tutorial dataset was not found at <repo>/{BLOG_DATA_RELATIVE.as_posix()}; "
              "its rows are skipped (rnn_lib's own data is still measured).")
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    split = {}
    for part in ("train", "test"):
        rows = data[part].items() if isinstance(data[part], dict) else data[part]
        split[part] = [(str(text), int(bool(label))) for text, label in rows]
    return split["train"], split["test"]


def bench_char_text() -> str:
    """The first ``CHAR_SLICE`` characters of ``rnn_lib.datasets.load_char_corpus()``."""
    from rnn_lib.datasets import load_char_corpus

    return load_char_corpus()[:CHAR_SLICE]


def encode_examples(vocab: Vocabulary, examples) -> list[tuple[list[int], int]]:
    """(word ids, label) pairs for the per-example baseline; unknown words map to ``<unk>``."""
    return [(vocab.encode(text), label) for text, label in examples]


def word_vocabulary(train) -> Vocabulary:
    """The word vocabulary of the training texts, shared by every implementation."""
    return Vocabulary.from_texts([text for text, _ in train], level="word")


def median(values) -> float:
    return float(statistics.median(values))


def blas_threads(limit: int | None):
    """A context that limits numpy's BLAS to ``limit`` threads; ``None`` leaves the default."""
    if limit is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=limit, user_api="blas")


def torch_threads(torch, count: int):
    """A context that sets torch's intra-op thread count and restores it afterwards."""

    @contextlib.contextmanager
    def limited():
        before = torch.get_num_threads()
        torch.set_num_threads(count)
        try:
            yield
        finally:
            torch.set_num_threads(before)

    return limited()


def settle(seconds: float = 0.3) -> None:
    """Pause after a multi-threaded measurement: idle BLAS/OpenMP workers spin for a while before they
    sleep, and would otherwise steal CPU from the single-threaded measurement that comes next."""
    time.sleep(seconds)


def import_torch():
    """The torch module, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def blas_description() -> str:
    """numpy's BLAS as threadpoolctl sees it: library, version, core type and default threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl missing)"
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    if not pools:
        return "none found"
    return "; ".join(f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('architecture', '?')}), "
                     f"{pool.get('num_threads')} threads" for pool in pools)


def machine_info() -> dict[str, str]:
    """Facts that explain the figures: CPUs, load, numpy, BLAS, torch."""
    torch = import_torch()
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    info = {
        "CPU count": str(os.cpu_count()),
        "CPU": platform.processor() or platform.machine(),
        "load average (1, 5, 15 min) at start": load,
        "Python": platform.python_version(),
        "numpy": np.__version__,
        "BLAS (threadpoolctl)": blas_description(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(not set)"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(not set)"),
        "torch": f"{torch.__version__}, default threads {torch.get_num_threads()}" if torch else "not installed",
    }
    return info


def fmt(value: float | None, digits: int = 2) -> str:
    """A number for a table cell; '-' when missing."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def ratio(numerator: float | None, denominator: float | None) -> str:
    """``numerator / denominator`` as "12.3x", or '-' when either is missing."""
    if not numerator or not denominator:
        return "-"
    value = numerator / denominator
    return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def rows_with_ratios(rates: dict[str, dict[int, float]], reference_label: str, digits: int) -> list[list[str]]:
    """One row per variant: its label, then its rate at each hidden size.

    Every rate but a reference variant's carries its ratio to ``reference_label``'s rate at the same size,
    e.g. "1,234 (5.6x)"; a missing (non-finite) rate is '-'.
    """
    reference = rates[reference_label]
    rows = []
    for label, by_size in rates.items():
        cells = []
        for hidden_size, rate in by_size.items():
            if not math.isfinite(rate):
                cells.append("-")
                continue
            suffix = "" if label.startswith("reference") else f" ({ratio(rate, reference[hidden_size])})"
            cells.append(f"{fmt(rate, digits)}{suffix}")
        rows.append([label, *cells])
    return rows


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def sentence_lengths(examples) -> tuple[float, int]:
    """Mean and longest sentence length in words."""
    lengths = [len(tokenize(text)) for text, _ in examples]
    return float(np.mean(lengths)), max(lengths)
