"""Looking inside a character model: correlate hidden units with a feature of the text, and draw
text coloured by one unit's activation (the view of Karpathy's "The Unreasonable Effectiveness of
Recurrent Neural Networks").

Dimensions: T characters, H hidden units. Like ``rnn_lib.plots``, nothing here calls ``plt.show()``
and the package's ``__init__`` does not import this module.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._validate import float_array

#: Diverging colour map, as for hidden states in ``rnn_lib.plots``: blue below zero, red above.
TEXT_CMAP = "RdBu_r"


def unit_correlations(states, feature) -> np.ndarray:
    """Pearson correlation of every hidden unit with a feature, over the same T positions.

    states: (T, H) hidden states, one row per character. feature: (T,) numbers, e.g. 1 where
    something holds and 0 where it does not. Returns (H,) correlations in [-1, 1]; a unit that never
    changes, or a feature that never changes, correlates 0.
    """
    states = float_array(states, "states")
    feature = float_array(feature, "feature")
    if states.ndim != 2:
        raise ValueError(f"states should have shape (T, H), one row per character, but it has shape {states.shape}.")
    if feature.shape != (states.shape[0],):
        raise ValueError(f"feature should have shape ({states.shape[0]},), one value per row of states, "
                         f"but it has shape {feature.shape}.")
    if states.shape[0] < 2:
        raise ValueError("a correlation needs at least two positions.")
    centred_states = states - states.mean(axis=0)
    centred_feature = feature - feature.mean()
    scale = np.sqrt((centred_states ** 2).sum(axis=0) * (centred_feature ** 2).sum())
    covariance = centred_feature @ centred_states
    return np.divide(covariance, scale, out=np.zeros_like(covariance), where=scale > 0)


def plot_text_activation(text: str, values, ax=None, width: int = 70, vmax: float = 1.0, title: str | None = None,
                         alpha: float = 0.6):
    """Draw ``text`` one character per cell, each cell coloured by its value (e.g. a unit's activation).

    values: (T,) numbers, one per character of ``text`` (a tanh unit lies in [-1, 1]). Lines break at
    newlines and after ``width`` characters. Red is positive, blue negative, white zero; ``alpha``
    lightens the colours so the letters stay readable on saturated units.
    """
    values = float_array(values, "values")
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty string.")
    if values.shape != (len(text),):
        raise ValueError(f"values should have shape ({len(text)},), one per character of text, "
                         f"but it has shape {values.shape}.")
    rows, row, col = [], [], 0
    for char, value in zip(text, values, strict=True):
        row.append((col, char, value))
        col += 1
        if char == "\n" or col == width:
            rows.append(row)
            row, col = [], 0
    if row:
        rows.append(row)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.14 * width + 0.4, 0.32 * len(rows) + 0.5))
    cmap, norm = plt.get_cmap(TEXT_CMAP), plt.Normalize(-vmax, vmax)
    for y, line in enumerate(rows):
        for x, char, value in line:
            ax.add_patch(plt.Rectangle((x, -y - 0.5), 1, 1, facecolor=cmap(norm(value)), alpha=alpha,
                                       edgecolor="none"))
            shown = "\u21b5" if char == "\n" else char
            ax.text(x + 0.5, -y, shown, ha="center", va="center", family="monospace", fontsize=9)
    ax.set_xlim(0, width)
    ax.set_ylim(-len(rows) + 0.5, 0.5)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_unit_correlations(correlations, ax=None, highlight: int | None = None, title: str | None = None):
    """Bar chart of one correlation per hidden unit, (H,), with unit ``highlight`` drawn in red."""
    correlations = float_array(correlations, "correlations")
    if correlations.ndim != 1:
        raise ValueError(f"correlations should have shape (H,), got {correlations.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 2.8))
    colours = ["tab:gray"] * len(correlations)
    if highlight is not None:
        colours[highlight] = "tab:red"
    ax.bar(np.arange(len(correlations)), correlations, color=colours, width=0.9)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set(xlabel="hidden unit", ylabel="correlation", ylim=(-1, 1), xlim=(-1, len(correlations)))
    if title:
        ax.set_title(title, fontsize=10)
    return ax
