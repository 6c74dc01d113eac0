"""The gated cells: training speed beside the vanilla cell and torch, and the memory experiment.

From the repository root::

    python -m bench.bench_gated speed      # epochs/s of rnn, lstm, gru in rnn_lib and in torch, H = 32, 64, 128
    python -m bench.bench_gated memory     # test accuracy against distance for rnn, lstm, gru (3 seeds)
    python -m bench.bench_gated rates      # the memory experiment at distance 30 for three learning rates

``speed`` trains ``SentimentRNN(cell=...)`` with ``train_classifier`` (Adam lr 0.02, batch 16, global-norm
clip 5, no test set) on ``rnn_lib.datasets.load_sentiment()``'s training sentences, and the same model in
torch (``nn.RNN``/``nn.LSTM``/``nn.GRU`` + ``nn.Linear``, one-hot float64 inputs, one thread, same optimizer
settings). Median of interleaved repeats after one discarded warm-up; every ratio is to rnn_lib's vanilla
cell at the same hidden size, measured in the same run. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    fmt,
    import_torch,
    machine_info,
    markdown_table,
    median,
    ratio,
    torch_threads,
    word_vocabulary,
)
from rnn_lib.datasets import load_sentiment  # noqa: E402
from rnn_lib.experiments import BUDGET, memory_experiment  # noqa: E402
from rnn_lib.models import SentimentRNN  # noqa: E402
from rnn_lib.training import single_blas_thread, train_classifier  # noqa: E402

SETTINGS = {"optimizer": "adam", "learning_rate": 0.02, "batch_size": 16, "clip": 5.0}
HIDDEN_SIZES = (32, 64, 128)
CELLS = ("rnn", "lstm", "gru")


# --- speed ----------------------------------------------------------------------------------------

def _lib_timer(cell, vocab, train, hidden_size, epochs):
    def timed():
        model = SentimentRNN(vocab, hidden_size=hidden_size, cell=cell)
        start = time.perf_counter()
        train_classifier(model, train, epochs=epochs, **SETTINGS)
        return time.perf_counter() - start
    return timed


def _torch_timer(torch, cell, vocab, train, hidden_size, epochs):
    """nn.RNN/LSTM/GRU + nn.Linear in float64 on one thread, one-hot inputs (N, T, V), Adam, clip 5."""
    nn = torch.nn
    recurrent = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
    encoded = [vocab.encode(text) for text, _ in train]
    ids = np.zeros((len(encoded), max(map(len, encoded))), dtype=np.int64)
    for row, sentence in enumerate(encoded):
        ids[row, : len(sentence)] = sentence
    x = nn.functional.one_hot(torch.from_numpy(ids), len(vocab)).double()
    lengths = torch.tensor([len(sentence) for sentence in encoded])
    labels = torch.tensor([label for _, label in train])

    def timed():
        torch.manual_seed(0)
        rnn, head = recurrent(len(vocab), hidden_size, batch_first=True).double(), nn.Linear(hidden_size, 2).double()
        parameters = [*rnn.parameters(), *head.parameters()]
        optimizer = torch.optim.Adam(parameters, lr=SETTINGS["learning_rate"])
        rng = np.random.default_rng(0)
        with torch_threads(torch, 1):
            start = time.perf_counter()
            for _ in range(epochs):
                order = torch.from_numpy(rng.permutation(len(train)))
                for first in range(0, len(train), SETTINGS["batch_size"]):
                    rows = order[first : first + SETTINGS["batch_size"]]
                    width = int(lengths[rows].max())
                    states, _ = rnn(x[rows, :width])
                    scores = head(states[torch.arange(len(rows)), lengths[rows] - 1])
                    loss = nn.functional.cross_entropy(scores, labels[rows])
                    optimizer.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(parameters, SETTINGS["clip"])
                    optimizer.step()
            return time.perf_counter() - start
    return timed


def speed(hidden_sizes=HIDDEN_SIZES, repeats: int = 3, epochs: int = 5,
          use_torch: bool = True) -> dict[str, dict[int, float]]:
    """Median epochs per second of every variant at every hidden size, variants interleaved in each repeat."""
    train, _ = load_sentiment()
    vocab = word_vocabulary(train)
    torch = import_torch() if use_torch else None
    rates: dict[str, dict[int, float]] = {}
    for hidden_size in hidden_sizes:
        timers = {f"rnn_lib {cell}": _lib_timer(cell, vocab, train, hidden_size, epochs) for cell in CELLS}
        if torch is not None:
            timers.update({f"torch {cell}": _torch_timer(torch, cell, vocab, train, hidden_size, epochs)
                           for cell in CELLS})
        seconds = {label: [] for label in timers}
        for timed in timers.values():           # warm-up, discarded: first calls pay for imports and caches
            timed()
        for _ in range(repeats):
            for label, timed in timers.items():
                seconds[label].append(timed())
        for label in timers:
            rates.setdefault(label, {})[hidden_size] = epochs / median(seconds[label])
    return rates


def speed_table(rates: dict[str, dict[int, float]]) -> str:
    """Epochs/s with, in brackets, the ratio to rnn_lib's vanilla cell; last columns: rnn_lib / torch, same cell."""
    sizes = list(next(iter(rates.values())))
    headers = ["variant", *(f"H={h}" for h in sizes), *(f"rnn_lib / torch, H={h}" for h in sizes)]
    rows = []
    for label, by_size in rates.items():
        cell = label.split()[-1]
        cells = [f"{fmt(rate, 1)}" + ("" if label == "rnn_lib rnn" else f" ({ratio(rate, rates['rnn_lib rnn'][h])})")
                 for h, rate in by_size.items()]
        versus = ([ratio(by_size[h], rates[f"torch {cell}"][h]) for h in sizes]
                  if label.startswith("rnn_lib") and f"torch {cell}" in rates else ["" for _ in sizes])
        rows.append([label, *cells, *versus])
    return markdown_table(headers, rows)


# --- the memory experiment ------------------------------------------------------------------------

def memory(distances=(1, 5, 10, 20, 30, 40), seeds=(0, 1, 2), **budget) -> str:
    cpu = time.process_time()
    with single_blas_thread():
        results = memory_experiment(distances, seeds=seeds, progress=True, **budget)
    cpu = time.process_time() - cpu
    mean_epochs = ", ".join(f"{cell} {results.epochs[i].mean():.1f}" for i, cell in enumerate(results.cells))
    return (f"{results.table()}\n\nTest accuracy in % (mean ± standard deviation over seeds {list(seeds)}); "
            f"budget {results.settings}. Mean epochs trained: {mean_epochs}. "
            f"Whole grid: {results.seconds:.0f} s wall, {cpu:.0f} s CPU.")


def rates(learning_rates=(0.005, 0.01, 0.02), distance: int = 30, seeds=(0, 1, 2)) -> str:
    """The memory experiment at one distance for several learning rates: how much the lesson depends on it."""
    rows = []
    for learning_rate in learning_rates:
        with single_blas_thread():
            results = memory_experiment((distance,), seeds=seeds, learning_rate=learning_rate)
        rows.append([f"{learning_rate:g}", *(f"{100 * m:.0f} ± {100 * s:.0f}  ({' '.join(f'{a:.2f}' for a in acc)})"
                                             for m, s, acc in zip(results.mean()[:, 0], results.std()[:, 0],
                                                                  results.accuracy[:, 0], strict=True))])
    return markdown_table(["learning rate", *results.cells], rows) + (
        f"\n\nTest accuracy in % at distance {distance}, mean ± std over seeds {list(seeds)} (each seed in brackets); "
        f"otherwise the budget {BUDGET}.")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("speed", "memory", "rates"))
    parser.add_argument("--repeats", type=int, default=3, help="speed: interleaved repeats (median taken)")
    args = parser.parse_args(argv)
    for key, value in machine_info().items():
        print(f"- {key}: {value}")
    start = time.perf_counter()
    if args.what == "speed":
        print(speed_table(speed(repeats=args.repeats)))
        print(f"\nTraining epochs per second on load_sentiment()'s {len(load_sentiment()[0])} training sentences, "
              f"{SETTINGS}, median of {args.repeats} interleaved repeats.")
    elif args.what == "memory":
        print(memory())
    else:
        print(rates())
    print(f"\n(total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
