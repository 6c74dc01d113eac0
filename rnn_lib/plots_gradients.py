"""Figures of gradient sizes for notebook 04: growth with sequence length, decay step by step, clipping.

Each function draws on ``ax`` (a new figure if None) and returns the axes; the caller ends the cell
with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["draw_clipping", "plot_gradient_through_time", "plot_norms_against_length"]


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _check_curves(curves: Mapping, name: str) -> None:
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(f"{name} must be a non-empty dict of label -> list of numbers, got {curves!r}.")


def plot_norms_against_length(lengths: Sequence[int], curves: Mapping[str, Sequence[float]], ax=None,
                              title: str = "", reference: float | None = None):
    """Gradient norm (log scale) against sequence length T, one line per entry of ``curves``.

    lengths: the T values (L,). curves: label -> norms (L,). reference: a dashed horizontal line (e.g. max_norm).
    """
    _check_curves(curves, "curves")
    ax = _axes(ax, (6.5, 3.6))
    for (label, norms), marker in zip(curves.items(), "os^vD", strict=False):
        if len(norms) != len(lengths):
            raise ValueError(f"curves[{label!r}] has {len(norms)} values but lengths has {len(lengths)}.")
        ax.plot(lengths, norms, marker=marker, label=label)
    if reference is not None:
        ax.axhline(reference, color="black", linestyle="--", linewidth=1)
    ax.set_yscale("log")
    ax.set(title=title, xlabel="sequence length T (steps)", ylabel="global gradient norm (log scale)")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return ax


def plot_gradient_through_time(curves: Mapping[str, Sequence[float]], ax=None, title: str = ""):
    """Size of dL/dh at k = 0, 1, 2, ... steps back from the loss (log scale), one line per entry of ``curves``.

    curves: label -> norms, where norms[k] is the size of the gradient k steps before the last state.
    """
    _check_curves(curves, "curves")
    ax = _axes(ax, (7.0, 3.8))
    for label, norms in curves.items():
        ax.plot(np.arange(len(norms)), norms, label=label)
    ax.set_yscale("log")
    ax.set(title=title, xlabel="steps back from the loss, k", ylabel=r"$\|\partial L / \partial h_{T-k}\|$ (log scale)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return ax


def draw_clipping(gradient, by_value, by_norm, limit: float, ax=None):
    """A 2-D gradient and its two clipped versions, with the square (by value) and circle (by norm) they must fit in.

    gradient, by_value, by_norm: arrays of shape (2,). limit: the clipping threshold used for both.
    """
    vectors = [np.asarray(v, dtype=float) for v in (gradient, by_value, by_norm)]
    if any(v.shape != (2,) for v in vectors):
        raise ValueError(f"gradient, by_value and by_norm must each have shape (2,), got {[v.shape for v in vectors]}.")
    ax = _axes(ax, (5.2, 4.2))
    ax.add_patch(plt.Rectangle((-limit, -limit), 2 * limit, 2 * limit, fill=False, linestyle="--", color="tab:orange",
                               label=f"clip by value: every entry in [-{limit:g}, {limit:g}]"))
    ax.add_patch(plt.Circle((0, 0), limit, fill=False, linestyle="--", color="tab:green",
                            label=f"clip by norm: length ≤ {limit:g}"))
    for vector, colour, label in zip(vectors, ("black", "tab:orange", "tab:green"),
                                     ("original gradient", "by value", "by global norm"), strict=True):
        ax.annotate("", xy=vector, xytext=(0, 0), arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 2})
        ax.plot([], [], color=colour, linewidth=2, label=f"{label} ({vector[0]:.2f}, {vector[1]:.2f})")
    reach = max(limit, *np.abs(vectors[0])) + 0.5
    ax.set(xlim=(-limit - 0.5, reach), ylim=(-limit - 0.5, limit + 0.8), aspect="equal",
           title=f"Clipping a gradient of length {np.linalg.norm(vectors[0]):.2f} to {limit:g}",
           xlabel="gradient of weight 1", ylabel="gradient of weight 2")
    ax.legend(loc="lower left", fontsize=7.5)
    ax.grid(alpha=0.3)
    return ax
