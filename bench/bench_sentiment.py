"""Sentiment benchmarks: time to a test accuracy, and training epochs per second.

Three implementations train the same many-to-one RNN on the same word vocabulary:

* ``reference``: the per-example, per-step loop of ``reference_loop.py`` (SGD lr 0.02, clip [-1, 1]);
* ``rnn_lib``: ``SentimentRNN`` + ``train_classifier`` (settings in ``LIB_SETTINGS``);
* ``torch``: ``torch.nn.RNN`` + ``torch.nn.Linear`` with the same optimizer settings as rnn_lib.

Every run records (epoch, wall and CPU seconds since start, test accuracy) after each epoch, so the
time to any accuracy can be read off afterwards. The accuracy compared (the "target") is the highest
test accuracy that every seed of every implementation reached; ``ladder_rows`` shows the speed-ups at
other accuracies, read off the same runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from bench.common import (
    blas_threads,
    encode_examples,
    fmt,
    import_torch,
    median,
    ratio,
    rows_with_ratios,
    settle,
    torch_threads,
    word_vocabulary,
)
from bench.reference_loop import ReferenceSentimentRNN
from rnn_lib.models import SentimentRNN
from rnn_lib.training import train_classifier

LIB_SETTINGS = {"optimizer": "adam", "learning_rate": 0.02, "batch_size": 16, "clip": 5.0}
REFERENCE_SETTINGS = "SGD lr 0.02 per example, clip [-1, 1], randn/1000 init"
HIDDEN_SIZES = (32, 64, 128)


class Clock:
    """Wall-clock and CPU seconds since it was made.

    On a shared machine other processes stretch the wall clock; the CPU time of this (single-threaded)
    process is barely affected, so the two together show whether a figure was disturbed.
    """

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


@dataclass
class Run:
    """One training run's per-epoch record."""

    implementation: str
    seed: int
    epochs: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)

    def record(self, epoch: int, clock: Clock, accuracy: float) -> None:
        wall, cpu = clock.read()
        self.epochs.append(epoch)
        self.seconds.append(wall)
        self.cpu_seconds.append(cpu)
        self.accuracy.append(accuracy)

    @property
    def best(self) -> float:
        return max(self.accuracy, default=0.0)

    def time_to(self, target: float) -> tuple[int, float, float] | None:
        """(epochs, wall seconds, CPU seconds) when the test accuracy first reached ``target``, or None."""
        for i, accuracy in enumerate(self.accuracy):
            if accuracy >= target - 1e-12:
                return self.epochs[i], self.seconds[i], self.cpu_seconds[i]
        return None


def run_reference(train, test, vocab, hidden_size, seed, max_epochs, stop_at=1.0) -> Run:
    run = Run("reference", seed)
    model = ReferenceSentimentRNN(len(vocab), hidden_size, seed=seed)
    rng = np.random.default_rng(seed)
    train_ids, test_ids = encode_examples(vocab, train), encode_examples(vocab, test)
    with blas_threads(1):                 # the same BLAS setting as rnn_lib's training loop
        clock = Clock()
        for epoch in range(1, max_epochs + 1):
            model.train_epoch(train_ids, rng)
            accuracy = model.accuracy(test_ids)
            run.record(epoch, clock, accuracy)
            if accuracy >= stop_at:
                break
    return run


def run_library(train, test, vocab, hidden_size, seed, max_epochs, stop_at=1.0, name="rnn_lib", **settings) -> Run:
    run = Run(name, seed)
    model = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed)
    clock = Clock()
    train_classifier(model, train, test, epochs=max_epochs, seed=seed, stop_at_accuracy=stop_at,
                     callback=lambda history: run.record(history.epoch[-1], clock, history.test_accuracy[-1]),
                     **{**LIB_SETTINGS, **settings})
    return run


def run_torch(train, test, vocab, hidden_size, seed, max_epochs, stop_at=1.0, dtype="float64") -> Run:
    from bench import torch_baseline

    run = Run("torch", seed)
    with torch_threads(import_torch(), 1):
        clock = Clock()
        torch_baseline.train_sentiment(
            vocab, train, test, hidden_size=hidden_size, epochs=max_epochs, seed=seed, dtype=dtype,
            batch_size=LIB_SETTINGS["batch_size"], learning_rate=LIB_SETTINGS["learning_rate"],
            clip=LIB_SETTINGS["clip"], stop_at_accuracy=stop_at,
            on_epoch=lambda epoch, accuracy: run.record(epoch, clock, accuracy))
    return run


# A second rnn_lib setting, shown for information only (it does not set the target): one full-batch
# step per epoch with a larger learning rate. Fast on the tutorial data, unreliable on rnn_lib's data.
EXTRA_LIB_VARIANT = ("rnn_lib, full batch, lr 0.03", {"learning_rate": 0.03})
MAIN_IMPLEMENTATIONS = ("reference", "rnn_lib", "torch")


def time_to_accuracy(train, test, *, hidden_size=64, seeds=(0, 1, 2), max_epochs=300, reference_max_epochs=1000,
                     use_torch=True, torch_dtype="float64", extra_variant=True) -> dict:
    """Train every implementation from each seed (seed by seed, so load changes hit all alike).

    Every run stops at 100% test accuracy or at its epoch cap; the target is chosen afterwards.
    """
    vocab = word_vocabulary(train)
    extra_name, extra_settings = EXTRA_LIB_VARIANT
    runs: dict[str, list[Run]] = {"reference": [], "rnn_lib": [], "torch": [], extra_name: []}
    for seed in seeds:
        runs["rnn_lib"].append(run_library(train, test, vocab, hidden_size, seed, max_epochs))
        if extra_variant:
            runs[extra_name].append(run_library(train, test, vocab, hidden_size, seed, max_epochs, name=extra_name,
                                                batch_size=len(train), **extra_settings))
        if use_torch:
            runs["torch"].append(run_torch(train, test, vocab, hidden_size, seed, max_epochs, dtype=torch_dtype))
        runs["reference"].append(run_reference(train, test, vocab, hidden_size, seed, reference_max_epochs))
    return {"runs": runs, "target": _target(runs), "hidden_size": hidden_size, "max_epochs": max_epochs,
            "reference_max_epochs": reference_max_epochs}


def _target(runs: dict[str, list[Run]]) -> float:
    """The highest test accuracy that every seed of every main implementation reached.

    On rnn_lib's data (mixed-sentiment sentences) not every seed gets to the same accuracy, and a target
    some seeds miss makes the median time depend on which seed was unlucky; this one is reached by all.
    """
    return min(run.best for name in MAIN_IMPLEMENTATIONS for run in runs.get(name, []))


LADDER = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 1.0)


def ladder_rows(dataset: str, result: dict, accuracies=LADDER) -> list[list[str]]:
    """Speed-ups at several test accuracies, read off the same runs (no extra training)."""
    rows = []
    for accuracy in sorted({*accuracies, result["target"]}):
        summary = summarise_time_to_accuracy({**result, "target": accuracy})
        names = [name for name in MAIN_IMPLEMENTATIONS if name in summary]
        if not any(summary[name]["reached"] for name in names):
            continue
        reached = " / ".join(f"{summary[name]['reached']}/{summary[name]['seeds']}" for name in names)
        lib, ref = summary["rnn_lib"], summary["reference"]
        torch = summary.get("torch", {})
        label = f"{accuracy:.0%}" + (" (target)" if accuracy == result["target"] else "")
        rows.append([dataset, label, reached, fmt(ref["epochs"], 0), fmt(lib["epochs"], 0),
                     ratio(ref["seconds"], lib["seconds"]), ratio(ref["cpu_seconds"], lib["cpu_seconds"]),
                     ratio(torch.get("seconds"), lib["seconds"]) if torch else "-"])
    return rows


LADDER_HEADERS = ["data", "test accuracy", "seeds reaching it (reference / rnn_lib / torch)",
                  "reference epochs", "rnn_lib epochs", "rnn_lib vs reference", "same on CPU time",
                  "rnn_lib vs torch"]


def summarise_time_to_accuracy(result: dict) -> dict[str, dict]:
    """Per implementation: median epochs, wall and CPU seconds to the target; median best accuracy."""
    summary = {}
    for name, group in result["runs"].items():
        if not group:
            continue
        # A seed that never reached the target counts as infinitely slow, so the median stays honest.
        reached = [run.time_to(result["target"]) or (math.inf, math.inf, math.inf) for run in group]
        epochs, wall, cpu = (median([r[i] for r in reached]) for i in range(3))
        summary[name] = {
            "epochs": epochs if math.isfinite(epochs) else None,
            "seconds": wall if math.isfinite(wall) else None,
            "cpu_seconds": cpu if math.isfinite(cpu) else None,
            "reached": sum(math.isfinite(r[1]) for r in reached),
            "best": median([run.best for run in group]),
            "perfect": sum(run.best >= 1.0 for run in group),
            "seeds": len(group),
        }
    return summary


TIME_TO_ACCURACY_HEADERS = ["data", "implementation", "target accuracy", "epochs to target", "seconds to target",
                            "speed-up vs reference", "CPU seconds to target", "CPU speed-up",
                            "seeds reaching target", "best accuracy (median)", "seeds reaching 100%"]


def time_to_accuracy_rows(dataset: str, result: dict) -> list[list[str]]:
    summary = summarise_time_to_accuracy(result)
    reference = summary["reference"]
    rows = []
    for name in summary:
        s = summary[name]
        rows.append([dataset, name, f"{result['target']:.0%}", fmt(s["epochs"], 0), fmt(s["seconds"], 3),
                     ratio(reference["seconds"], s["seconds"]), fmt(s["cpu_seconds"], 3),
                     ratio(reference["cpu_seconds"], s["cpu_seconds"]), f"{s['reached']}/{s['seeds']}",
                     f"{s['best']:.0%}", f"{s['perfect']}/{s['seeds']}"])
    return rows


# --- throughput -----------------------------------------------------------------------------------

def _epoch_timer(name, train, vocab, hidden_size, epochs, batch_size=None, threads=None):
    """A function that trains a fresh model for ``epochs`` epochs (no test set) and returns the seconds.

    ``threads``: BLAS threads for the reference (None = numpy's default), torch threads for torch.
    """
    if name == "reference":
        train_ids = encode_examples(vocab, train)

        def timed():
            model, rng = ReferenceSentimentRNN(len(vocab), hidden_size), np.random.default_rng(0)
            with blas_threads(threads):
                start = time.perf_counter()
                for _ in range(epochs):
                    model.train_epoch(train_ids, rng)
                return time.perf_counter() - start
    elif name == "rnn_lib":
        def timed():
            model = SentimentRNN(vocab, hidden_size=hidden_size)
            start = time.perf_counter()
            train_classifier(model, train, epochs=epochs, **{**LIB_SETTINGS, "batch_size": batch_size})
            return time.perf_counter() - start
    else:
        from bench import torch_baseline

        torch = import_torch()

        def timed():
            with torch_threads(torch, threads):
                start = time.perf_counter()
                torch_baseline.train_sentiment(vocab, train, hidden_size=hidden_size, epochs=epochs, seed=0,
                                               batch_size=batch_size)
                return time.perf_counter() - start
    return timed


def epochs_per_second(train, *, hidden_sizes=HIDDEN_SIZES, repeats=3, lib_epochs=10, reference_epochs=2,
                      use_torch=True, default_torch_threads=None) -> dict:
    """Median training epochs per second of each variant at each hidden size.

    The variants are interleaved inside every repeat, so a burst of load from another process hits
    them all alike.
    """
    vocab = word_vocabulary(train)
    full = len(train)
    variants = [("reference", "reference (per example)", None, 1, reference_epochs),
                ("reference", "reference (per example, default BLAS threads)", None, None, reference_epochs),
                ("rnn_lib", f"rnn_lib (batch {LIB_SETTINGS['batch_size']})", LIB_SETTINGS["batch_size"], None,
                 lib_epochs),
                ("rnn_lib", f"rnn_lib (full batch {full})", full, None, lib_epochs)]
    if use_torch:
        variants.append(("torch", f"torch (batch {LIB_SETTINGS['batch_size']}, 1 thread)",
                         LIB_SETTINGS["batch_size"], 1, lib_epochs))
        if default_torch_threads and default_torch_threads > 1:
            # One epoch only: on a busy machine extra torch threads can be very slow.
            variants.append(("torch", f"torch (batch {LIB_SETTINGS['batch_size']}, {default_torch_threads} threads)",
                             LIB_SETTINGS["batch_size"], default_torch_threads, 1))
    rates: dict[str, dict[int, float]] = {label: {} for _, label, *_ in variants}
    for hidden_size in hidden_sizes:
        timers = [(label, _epoch_timer(name, train, vocab, hidden_size, epochs, batch, threads), epochs,
                   threads is None or threads > 1) for name, label, batch, threads, epochs in variants]
        seconds: dict[str, list[float]] = {label: [] for label, *_ in timers}
        for _ in range(repeats):
            for label, timed, _, multi_threaded in timers:
                seconds[label].append(timed())
                if multi_threaded:
                    settle()
        for label, _, epochs, _ in timers:
            rates[label][hidden_size] = epochs / median(seconds[label])
    return rates


def epochs_per_second_rows(dataset: str, rates: dict) -> list[list[str]]:
    return [[dataset, *row] for row in rows_with_ratios(rates, "reference (per example)", digits=1)]
