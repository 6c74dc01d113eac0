"""The memory experiment: how far back can each cell carry one word? (``datasets.make_memory_task``)

``train_memory`` trains one model, ``memory_experiment`` the whole grid of cells x distances x seeds.

Every run trains a ``SentimentRNN`` with the chosen cell on fresh sentences whose label is one key word
``distance`` steps before the end, then measures its accuracy on other fresh sentences. Every cell gets
the same budget: hidden size, epochs, optimizer, learning rate, batch size, data. A run ends early once
a whole epoch classifies every training sentence correctly (nothing is left to learn; the test set is
never looked at before the end).

>>> results = memory_experiment(distances=(1, 10), cells=("rnn", "gru"), seeds=(0, 1))   # doctest: +SKIP
>>> print(results.table())                                                               # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._validate import positive_int
from .cells import get_cell
from .datasets import make_memory_task
from .models import SentimentRNN
from .text import Vocabulary
from .training import History, train_classifier

DEFAULT_DISTANCES = (1, 5, 10, 20, 40)
DEFAULT_CELLS = ("rnn", "lstm", "gru")
# The budget, shared by every cell. Measured in bench/README.md ("memory experiment").
BUDGET = {"hidden_size": 32, "epochs": 40, "n_train": 200, "n_test": 200, "learning_rate": 0.02,
          "batch_size": 32, "max_prefix": 10}


def memory_data(distance: int, seed: int = 0, n_train: int = 200, n_test: int = 200, max_prefix: int = 10):
    """``(train, test)`` lists of ``(text, label)`` pairs for one run; different seeds for the two halves."""
    train = make_memory_task(n_train, distance, seed=2 * seed, max_prefix=max_prefix)
    test = make_memory_task(n_test, distance, seed=2 * seed + 1, max_prefix=max_prefix)
    return train, test


def train_memory(cell: str, distance: int, seed: int = 0, *, hidden_size: int = 32, epochs: int = 40,
                 n_train: int = 200, n_test: int = 200, learning_rate: float = 0.02, batch_size: int = 32,
                 max_prefix: int = 10, callback: Callable[[History], object] | None = None):
    """Train one model on the memory task; returns ``(model, history, test)``.

    cell: "rnn", "lstm" or "gru". seed drives the data, the initial weights and the batch order.
    ``history.test_accuracy[-1]`` is the run's result; ``test`` the held-out sentences (for plots).
    ``callback(history)`` runs after every epoch (return False to stop), e.g. to draw live curves.
    """
    get_cell(cell)
    train, test = memory_data(distance, seed, n_train, n_test, max_prefix)
    vocab = Vocabulary.from_texts([text for text, _ in train])
    model = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed, cell=cell)

    def watch(history):
        if callback is not None and callback(history) is False:
            return False
        return history.train_accuracy[-1] < 1.0          # stop once every training sentence is right

    history = train_classifier(model, train, test, epochs=epochs, learning_rate=learning_rate,
                               batch_size=batch_size, seed=seed, callback=watch)
    return model, history, test


@dataclass
class MemoryResults:
    """Test accuracies of the memory experiment: ``accuracy[i, j, k]`` for cells[i], distances[j], seeds[k]."""

    cells: tuple[str, ...]
    distances: tuple[int, ...]
    seeds: tuple[int, ...]
    accuracy: np.ndarray
    epochs: np.ndarray                     # epochs each run trained, same shape as accuracy
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)

    def mean(self) -> np.ndarray:
        """Mean test accuracy over seeds, (cells, distances)."""
        return self.accuracy.mean(axis=2)

    def std(self) -> np.ndarray:
        """Standard deviation over seeds (population, ddof=0), (cells, distances)."""
        return self.accuracy.std(axis=2)

    def table(self) -> str:
        """A markdown table: one row per cell, ``mean ± std`` (in %) for each distance."""
        head = "| cell | " + " | ".join(f"distance {d}" for d in self.distances) + " |"
        rule = "|---|" + "---|" * len(self.distances)
        rows = [f"| {cell} | " + " | ".join(f"{100 * m:.0f} ± {100 * s:.0f}" for m, s in zip(means, stds, strict=True))
                + " |" for cell, means, stds in zip(self.cells, self.mean(), self.std(), strict=True)]
        return "\n".join([head, rule, *rows])


def memory_experiment(distances: Sequence[int] = DEFAULT_DISTANCES, cells: Sequence[str] = DEFAULT_CELLS,
                      seeds: Sequence[int] = (0, 1, 2), *, progress: bool = False, **budget) -> MemoryResults:
    """Train every cell at every distance with every seed, all on the same budget; return the accuracies.

    budget: any of ``hidden_size``, ``epochs``, ``n_train``, ``n_test``, ``learning_rate``, ``batch_size``,
    ``max_prefix`` (defaults in ``BUDGET``). progress: print one line per cell and distance.
    """
    unknown = set(budget) - set(BUDGET)
    if unknown:
        raise TypeError(f"unknown budget setting(s) {sorted(unknown)}; choose from {sorted(BUDGET)}.")
    settings = {**BUDGET, **budget}
    cells, distances, seeds = tuple(cells), tuple(distances), tuple(seeds)
    for cell in cells:
        get_cell(cell)
    for d in distances:
        positive_int(d, "each distance")
    if not (cells and distances and seeds):
        raise ValueError("cells, distances and seeds must each name at least one value.")
    accuracy = np.zeros((len(cells), len(distances), len(seeds)))
    epochs = np.zeros_like(accuracy, dtype=int)
    start = time.perf_counter()
    for i, cell in enumerate(cells):
        for j, distance in enumerate(distances):
            for k, seed in enumerate(seeds):
                _, history, _ = train_memory(cell, distance, seed, **settings)
                accuracy[i, j, k], epochs[i, j, k] = history.test_accuracy[-1], len(history.epoch)
            if progress:
                print(f"{cell:>4}, distance {distance:>2}: test accuracy "
                      + " ".join(f"{a:.2f}" for a in accuracy[i, j]) + f"  ({time.perf_counter() - start:.0f} s)")
    return MemoryResults(cells, distances, seeds, accuracy, epochs, time.perf_counter() - start, settings)

