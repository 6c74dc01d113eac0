"""Charts of numbers a model or a training run produced: loss curves, hidden states, probabilities.

The rule between the two drawing modules: ``plots`` charts numbers that come out of a model or a
training run (they change when the weights change); ``diagrams`` draws the network and the data
structures from their inputs alone, with no trained number in them.

Every function draws into the axes it is given (or makes a new figure when given none) and returns
what it drew into, so a notebook can add to the figure before ``plt.show()``. Nothing here calls
``plt.show()``. The package's ``__init__`` does not import this module, so the library itself does
not need matplotlib.

Dimensions: T steps (tokens), H hidden units, V vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .diagrams import draw_truncated_bptt  # noqa: F401  (a diagram; still importable from here, as notebook 06 does)

#: Diverging colour map for hidden states: blue below zero, white at zero, red above.
HIDDEN_CMAP = "RdBu_r"


def _new_axes(ax=None, figsize=(6.4, 4.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _history_field(history, name: str) -> list:
    """``history.name`` for a ``History``, or ``history[name]`` for a dict of lists."""
    if isinstance(history, dict):
        return list(history.get(name, []))
    if not hasattr(history, name):
        raise TypeError(f"history must be a training.History or a dict of lists, got {type(history).__name__}.")
    return list(getattr(history, name))


def _epochs(history, n: int) -> list:
    epochs = _history_field(history, "epoch")
    return epochs if len(epochs) == n else list(range(1, n + 1))


def plot_history(history, axes=None, test_label: str = "test"):
    """Loss curves and, beside them, accuracy (classifier) or perplexity (language model) per epoch.

    history: a ``training.History`` (or a dict with the same list fields).
    axes: two matplotlib axes to draw into; a new 1x2 figure if None. Returns the two axes.
    test_label: the legend name of the held-out curves (for example "validation").
    """
    train_loss = _history_field(history, "train_loss")
    if not train_loss:
        raise ValueError("history has no train_loss values yet; train for at least one epoch first.")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    if len(axes) != 2:
        raise ValueError(f"plot_history draws into two axes, got {len(axes)}.")
    loss_ax, right_ax = axes
    epochs = _epochs(history, len(train_loss))
    loss_ax.plot(epochs, train_loss, label="train", color="tab:blue")
    test_loss = _history_field(history, "test_loss")
    if test_loss:
        loss_ax.plot(epochs[: len(test_loss)], test_loss, label=test_label, color="tab:orange")
    loss_ax.set(title="Loss", xlabel="epoch", ylabel="cross-entropy (nats)")
    loss_ax.legend()
    loss_ax.grid(alpha=0.3)

    train_accuracy = _history_field(history, "train_accuracy")
    perplexity = _history_field(history, "perplexity")
    if train_accuracy:
        right_ax.plot(epochs[: len(train_accuracy)], 100 * np.asarray(train_accuracy), label="train", color="tab:blue")
        test_accuracy = _history_field(history, "test_accuracy")
        if test_accuracy:
            right_ax.plot(epochs[: len(test_accuracy)], 100 * np.asarray(test_accuracy), label=test_label,
                          color="tab:orange")
        right_ax.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)", ylim=(0, 102))
        right_ax.axhline(50, color="grey", linestyle=":", linewidth=1, label="chance")
        right_ax.legend(loc="lower right")
    elif perplexity:
        right_ax.plot(epochs[: len(perplexity)], perplexity, color="tab:green", marker="o",
                      label=test_label if test_loss else "train")
        right_ax.legend()
        right_ax.set(title="Perplexity", xlabel="epoch", ylabel="perplexity (choices per character)")
    else:
        right_ax.set_axis_off()
    right_ax.grid(alpha=0.3)
    return axes


def plot_hidden_states(states, tokens: Sequence[str], ax=None, title: str | None = None, colorbar: bool = True):
    """Heatmap of hidden states: one column per token, one row per hidden unit.

    states: array (T, H), the hidden state after each of the T tokens (``model.hidden_states(text)``).
    tokens: the T tokens, used as column labels.
    The colour scale is fixed to [-1, 1], the range of tanh, so heatmaps can be compared by eye.
    """
    states = np.asarray(states, dtype=float)
    if states.ndim != 2:
        raise ValueError(f"states must have shape (T, H), got shape {states.shape}.")
    tokens = list(tokens)
    if len(tokens) != states.shape[0]:
        raise ValueError(f"got {len(tokens)} tokens for {states.shape[0]} hidden states; "
                         "pass one token per row of states.")
    T, H = states.shape
    ax = _new_axes(ax, figsize=(max(4.5, 0.6 * T + 2.5), max(2.5, min(6.0, 0.08 * H + 2.0))))
    image = ax.imshow(states.T, aspect="auto", cmap=HIDDEN_CMAP, vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks(range(T))
    ax.set_xticklabels(tokens, rotation=45, ha="right")
    ax.set_xlabel("word (time step)")
    ax.set_ylabel("hidden unit")
    ax.set_title(title or f"Hidden states ({H} units x {T} steps)")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="activation (tanh)")
    return ax


def plot_gradient_norms(history, ax=None, clip: float | None = None):
    """The largest gradient norm (before clipping) in each epoch, on a log scale.

    history: a ``training.History`` (or a dict with the same list fields) with ``grad_norm`` filled in.
    clip: draw the clipping threshold as a dashed line when given. Returns the axes.
    """
    norms = _history_field(history, "grad_norm")
    if not norms:
        raise ValueError("history has no grad_norm values yet; train for at least one epoch first.")
    ax = _new_axes(ax)
    ax.plot(_epochs(history, len(norms)), norms, color="tab:purple", label="largest norm in epoch")
    if clip is not None:
        ax.axhline(clip, color="black", linestyle="--", linewidth=1, label=f"clip at {clip:g}")
    ax.set_yscale("log")
    ax.set(title="Gradient norm", xlabel="epoch", ylabel="global L2 norm (log scale)")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return ax


def smooth(values, weight: float = 0.95) -> np.ndarray:
    """Exponential moving average of a sequence, bias-corrected so it starts at the first value.

    ``s_t = weight * s_{t-1} + (1 - weight) * v_t``, divided by ``1 - weight**t``.
    """
    if not 0 <= weight < 1:
        raise ValueError(f"weight must be in [0, 1), got {weight!r}.")
    values = np.asarray(values, dtype=float)
    out = np.empty_like(values)
    running = 0.0
    for t, value in enumerate(values, start=1):
        running = weight * running + (1 - weight) * value
        out[t - 1] = running / (1 - weight**t)
    return out


def plot_smoothed_loss(losses, ax=None, weight: float = 0.95, chunks_per_epoch: int | None = None,
                       baseline: float | None = None):
    """Per-step losses (faint) with their exponential moving average (bold).

    losses: one loss per training step (for the character model: per chunk, in nats per character).
    chunks_per_epoch: draw a vertical line at every epoch boundary when given.
    baseline: draw a horizontal reference line (for example ``log(V)``, the loss of uniform guessing).
    """
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"losses must be a non-empty 1-D sequence, got shape {losses.shape}.")
    ax = _new_axes(ax, figsize=(8, 3.6))
    steps = np.arange(1, len(losses) + 1)
    ax.plot(steps, losses, color="tab:blue", alpha=0.25, linewidth=0.8, label="each step")
    ax.plot(steps, smooth(losses, weight), color="tab:blue", linewidth=2, label=f"smoothed ({weight:g})")
    if baseline is not None:
        ax.axhline(baseline, color="grey", linestyle=":", label=f"uniform guess ({baseline:.2f})")
    if chunks_per_epoch:
        for boundary in range(chunks_per_epoch, len(losses), chunks_per_epoch):
            ax.axvline(boundary + 0.5, color="black", alpha=0.3, linewidth=1)
    ax.set(title="Training loss per step", xlabel="training step (chunk)", ylabel="cross-entropy (nats per character)")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_probabilities(probabilities, labels: Sequence[str], ax=None, title: str | None = None, top: int | None = None):
    """Horizontal bar chart of a probability vector (K,) or (V,), largest first when ``top`` is given."""
    probabilities = np.asarray(probabilities, dtype=float)
    labels = list(labels)
    if probabilities.ndim != 1 or len(labels) != len(probabilities):
        raise ValueError(f"need one label per probability, got {len(labels)} labels for shape {probabilities.shape}.")
    order = np.arange(len(probabilities))
    if top is not None:
        order = np.argsort(-probabilities, kind="stable")[:top]
    ax = _new_axes(ax, figsize=(5, 0.35 * len(order) + 1.2))
    ax.barh(range(len(order)), probabilities[order], color="tab:blue")
    for row, p in enumerate(probabilities[order]):
        inside = p > 0.75                   # write the value inside long bars, after short ones
        ax.text(p - 0.02 if inside else p + 0.02, row, f"{p:.2f}", va="center", ha="right" if inside else "left",
                color="white" if inside else "black", fontsize=9)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([repr(labels[i]) if labels[i].isspace() else labels[i] for i in order])
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="probability", title=title or "Probabilities")
    ax.grid(alpha=0.3, axis="x")
    return ax


def plot_temperatures(logits, labels: Sequence[str], temperatures=(0.5, 1.0, 2.0), top: int = 10, axes=None):
    """The softmax of ``logits / T`` for several temperatures T, as side-by-side bar charts.

    logits: array (V,) of next-token scores; labels: the V tokens.
    """
    from .losses import softmax

    logits = np.asarray(logits, dtype=float)
    if axes is None:
        _, axes = plt.subplots(1, len(temperatures), figsize=(3.4 * len(temperatures), 3.6), sharex=True)
    axes = np.atleast_1d(axes)
    if len(axes) != len(temperatures):
        raise ValueError(f"got {len(axes)} axes for {len(temperatures)} temperatures.")
    order = np.argsort(-logits, kind="stable")[:top]
    for ax, temperature in zip(axes, temperatures, strict=True):
        if not temperature > 0:
            raise ValueError(f"temperatures must be greater than 0, got {temperature!r}.")
        probs = softmax(logits / temperature)
        ax.barh(range(len(order)), probs[order], color="tab:red")
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([repr(labels[i]) for i in order])
        ax.invert_yaxis()
        ax.set(xlim=(0, 1), xlabel="probability", title=f"temperature {temperature:g}")
        ax.grid(alpha=0.3, axis="x")
    return axes
