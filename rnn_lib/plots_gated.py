"""Figures for notebooks 07 and 08: gradients through time, influence over a text, memory, gates.

Like ``plots``, every function draws into the axes it is given (or a new figure), returns them and
never calls ``plt.show()``. Dimensions: T steps (tokens), H hidden units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.ticker import MaxNLocator

#: One colour per cell, the same in every figure of notebooks 07 and 08.
CELL_COLOURS = {"rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}
#: Gates are fractions in [0, 1] (the LSTM's candidate g lies in [-1, 1]).
GATE_CMAP = "viridis"


def _new_axes(ax=None, figsize=(6.4, 4.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_gradient_through_time(curves: Mapping[str, Sequence[float]], ax=None, title: str | None = None):
    """``||dL/dh_t||`` against how many steps back ``t`` lies from the last step, on a log scale.

    curves: label -> values (T,), entry k is the gradient norm k steps before the last step (k = 0 is
    the last step itself). Returns the axes.
    """
    ax = _new_axes(ax, figsize=(6.8, 3.8))
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"curve {label!r} must be one value per step (T,), got shape {values.shape}.")
        colour = CELL_COLOURS.get(str(label).lower())            # a bare cell name gets its own colour
        ax.plot(np.arange(len(values)), np.maximum(values, 1e-300), marker=".", label=str(label), color=colour)
    ax.set_yscale("log")
    ax.set(title=title or "How much gradient reaches each earlier step", xlabel="steps back from the last word",
           ylabel="||dL/dh|| (log scale)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return ax


def plot_influence(tokens: Sequence[str], influence, ax=None, title: str | None = None, cmap: str = "Reds"):
    """The words of one text, each on a background as dark as its influence on the prediction.

    tokens: the T words. influence: (T,) non-negative numbers, e.g. the norm of the loss gradient with
    respect to each step's input; scaled so the largest is darkest. Returns the axes.
    """
    tokens = [str(token) for token in tokens]
    influence = np.asarray(influence, dtype=float)
    if influence.shape != (len(tokens),):
        raise ValueError(f"influence must have one value per token, shape ({len(tokens)},), got {influence.shape}.")
    ax = _new_axes(ax, figsize=(min(16.0, 0.5 * len(tokens) + 1.5), 1.3))
    colours = plt.get_cmap(cmap)(Normalize(0.0, max(float(influence.max()), 1e-300))(influence) * 0.85)
    x = 0.0
    for token, colour, value in zip(tokens, colours, influence, strict=True):
        width = 0.3 + 0.1 * len(token)
        ax.add_patch(plt.Rectangle((x, 0.0), width - 0.04, 1.0, color=colour))
        dark = value > 0.55 * influence.max()
        ax.text(x + width / 2 - 0.02, 0.5, token, ha="center", va="center", fontsize=8,
                color="white" if dark else "black")
        x += width
    ax.set(xlim=(0, x), ylim=(0, 1))
    ax.axis("off")
    ax.set_title(title or "Influence of each word on the prediction", fontsize=10)
    return ax


def plot_memory_results(results, ax=None, chance: float = 0.5):
    """Test accuracy against distance, one line per cell: the mean over seeds, bars from the worst to the best seed.

    results: an ``experiments.MemoryResults`` (``cells``, ``distances`` and ``accuracy`` (cells, distances,
    seeds)). Returns the axes.
    """
    accuracy = np.asarray(results.accuracy, dtype=float)
    distances = np.asarray(results.distances, dtype=float)
    ax = _new_axes(ax, figsize=(6.8, 3.8))
    for k, (cell, runs) in enumerate(zip(results.cells, accuracy, strict=True)):
        means = runs.mean(axis=1)
        below, above = means - runs.min(axis=1), runs.max(axis=1) - means
        shift = 0.4 * (k - (len(results.cells) - 1) / 2)     # side by side, so overlapping bars stay visible
        ax.errorbar(distances + shift, means, yerr=[below, above], marker="o", capsize=4, label=cell.upper(),
                    color=CELL_COLOURS.get(cell))
    ax.axhline(chance, color="black", linestyle="--", linewidth=1, label="chance")
    ax.set(title="Remembering one word across a distance", xlabel="distance (words between the key and the end)",
           ylabel="test accuracy", ylim=(0.3, 1.05))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_gates(gates: Mapping[str, np.ndarray], tokens: Sequence[str], axes=None, units: Sequence[int] | None = None,
               title: str | None = None, mark: int | None = None):
    """One heatmap per gate over a text: one column per token, one row per hidden unit.

    gates: name -> (T, H) values after squashing (``{"input": ..., "forget": ...}``). A sigmoid gate
    is drawn on [0, 1]; anything with negative values (the LSTM's candidate g, a cell state) in a diverging
    map symmetric around 0, at least [-1, 1]. Four panels are laid out 2 x 2. units: the rows to show
    (default all). mark: the index of a token to frame (say, the word the model must remember).
    Returns the axes.
    """
    tokens = list(tokens)
    names = list(gates)
    made_here = axes is None
    if axes is None:
        columns = 2 if len(names) == 4 else len(names)         # four panels as a 2 x 2 grid
        rows = -(-len(names) // columns)
        width = min(15.0, columns * (0.3 * len(tokens) + 1.8))
        _, axes = plt.subplots(rows, columns, figsize=(width, 3.2 * rows), sharey=True, squeeze=False)
    axes = np.atleast_1d(axes).ravel()
    for ax, name in zip(axes, names, strict=True):
        values = np.asarray(gates[name], dtype=float)
        if values.shape[0] != len(tokens):
            raise ValueError(f"gates[{name!r}] has {values.shape[0]} rows for {len(tokens)} tokens.")
        if units is not None:
            values = values[:, list(units)]
        signed = values.min() < 0
        top = max(1.0, float(np.abs(values).max())) if signed else 1.0   # a cell state can leave [-1, 1]
        image = ax.imshow(values.T, aspect="auto", interpolation="nearest", cmap="RdBu_r" if signed else GATE_CMAP,
                          vmin=-top if signed else 0.0, vmax=top)
        ax.set_xticks(range(len(tokens)))
        ax.set_xticklabels(tokens, rotation=60, ha="right", fontsize=8)
        ax.set_title(name, fontsize=10)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if mark is not None:
            for edge in (mark - 0.5, mark + 0.5):
                ax.axvline(edge, color="white", linewidth=1.5)
        ax.figure.colorbar(image, ax=ax, fraction=0.08, pad=0.03)
    for ax in axes[:: (2 if len(names) == 4 else len(names))]:
        ax.set_ylabel("hidden unit")
    if units is not None:
        axes[0].set_yticks(range(len(units)))
        axes[0].set_yticklabels([str(u) for u in units], fontsize=7)
    if title:
        axes[0].figure.suptitle(title)
    if made_here:
        axes[0].figure.tight_layout()          # room for the rotated words between the rows
    return axes
