"""Pictures of the network and of the data structures: the unrolled RNN, one-hot vectors, a padded
batch, the chunks of truncated BPTT.

The rule between the two drawing modules: ``diagrams`` draws the network and the data structures
from their inputs alone, with no trained number in them; ``plots`` charts numbers that come out of
a model or a training run (they change when the weights change).

Each function draws into a matplotlib ``Axes`` (a new figure if ``ax`` is None) and returns it; none
calls ``plt.show()``, so a notebook can add a title or put several drawings side by side first.

Dimensions: N sentences in a batch, T tokens in a sentence, V vocabulary size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Box sizes and spacing of the unrolled drawing, in data units.
_BOX_WIDTH = 0.9
_BOX_HEIGHT = 0.55
_STEP = 1.6                     # horizontal distance between two time steps
_ROW = {"x": 0.0, "h": 1.45, "y": 2.9}
_COLOURS = {"x": "#dbe9f6", "h": "#fde4c8", "h0": "#f2f2f2", "y": "#d9f0d3", "loss": "#f9d6d2"}
_EDGE = "#333333"
_GRADIENT = "#c0392b"


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _box(ax, x, y, text, colour, dashed=False):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - _BOX_WIDTH / 2, y - _BOX_HEIGHT / 2), _BOX_WIDTH, _BOX_HEIGHT,
                                boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=colour, edgecolor=_EDGE,
                                linewidth=1.2, linestyle="--" if dashed else "-"))
    ax.text(x, y, text, ha="center", va="center", fontsize=12)


def _arrow(ax, start, end, colour=_EDGE, style="-|>", linestyle="-"):
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": style, "color": colour, "linewidth": 1.4, "linestyle": linestyle,
                            "shrinkA": 0, "shrinkB": 0, "mutation_scale": 14})


def _check_tokens(tokens) -> list[str]:
    if isinstance(tokens, str):
        raise TypeError("tokens must be a list of strings (e.g. tokenize(text)), not one string.")
    tokens = [str(token) for token in tokens]
    if not tokens:
        raise ValueError("tokens is empty; pass at least one token to draw.")
    return tokens


def draw_unrolled_rnn(tokens: Sequence[str], ax=None, outputs: str = "last", backward: bool = False):
    """Draw an RNN unrolled over ``tokens``: one column per time step.

    Bottom row: the inputs x_1 .. x_T, with each token written under its box. Middle row: the hidden
    states h_0 .. h_T; every h_t receives an arrow from x_t (weights Wxh) and from h_{t-1} (weights
    Whh). Top row: the output, read through Why from the last hidden state only (``outputs="last"``,
    many-to-one, as in sentiment classification) or from every hidden state (``outputs="every"``,
    many-to-many, as in a character language model).

    backward: also draw the gradient's path in red, from the loss back through every hidden state,
    as backpropagation through time follows it.

    tokens: T strings. Returns the matplotlib Axes.
    """
    tokens = _check_tokens(tokens)
    if outputs not in ("last", "every"):
        raise ValueError(f'outputs must be "last" (many-to-one) or "every" (many-to-many), got {outputs!r}.')
    T = len(tokens)
    ax = _axes(ax, figsize=(1.45 * (T + 1) + 0.8, 3.9))
    xs = [_STEP * t for t in range(T + 1)]          # column of h_0, h_1, ..., h_T
    half_w, half_h = _BOX_WIDTH / 2, _BOX_HEIGHT / 2

    _box(ax, xs[0], _ROW["h"], "$h_0$", _COLOURS["h0"], dashed=True)
    ax.text(xs[0], _ROW["h"] - half_h - 0.18, "zeros", ha="center", va="top", fontsize=9, color="#666666")
    for t, token in enumerate(tokens, start=1):
        _box(ax, xs[t], _ROW["x"], f"$x_{{{t}}}$", _COLOURS["x"])
        ax.text(xs[t], _ROW["x"] - half_h - 0.12, f'"{token}"', ha="center", va="top", fontsize=10,
                family="monospace")
        _box(ax, xs[t], _ROW["h"], f"$h_{{{t}}}$", _COLOURS["h"])
        _arrow(ax, (xs[t], _ROW["x"] + half_h), (xs[t], _ROW["h"] - half_h))
        ax.text(xs[t] + 0.07, (_ROW["x"] + _ROW["h"]) / 2, "$W_{xh}$", ha="left", va="center", fontsize=10)
        _arrow(ax, (xs[t - 1] + half_w, _ROW["h"]), (xs[t] - half_w, _ROW["h"]))
        ax.text((xs[t - 1] + xs[t]) / 2, _ROW["h"] + 0.1, "$W_{hh}$", ha="center", va="bottom", fontsize=10)

    output_steps = range(1, T + 1) if outputs == "every" else [T]
    for t in output_steps:
        label = f"$y_{{{t}}}$" if outputs == "every" else "$y$"
        _box(ax, xs[t], _ROW["y"], label, _COLOURS["y"])
        _arrow(ax, (xs[t], _ROW["h"] + half_h), (xs[t], _ROW["y"] - half_h))
        ax.text(xs[t] + 0.07, (_ROW["h"] + _ROW["y"]) / 2, "$W_{hy}$", ha="left", va="center", fontsize=10)

    if backward:
        # The loss L sits right of the output; red dashed arrows run against the forward ones, from L back to h_1.
        loss_x = xs[T] + _STEP
        _box(ax, loss_x, _ROW["y"], "$L$", _COLOURS["loss"])
        _arrow(ax, (xs[T] + half_w, _ROW["y"] + 0.1), (loss_x - half_w, _ROW["y"] + 0.1))
        _arrow(ax, (loss_x - half_w, _ROW["y"] - 0.1), (xs[T] + half_w, _ROW["y"] - 0.1), colour=_GRADIENT,
               linestyle="--")
        for t in output_steps:
            _arrow(ax, (xs[t] - 0.2, _ROW["y"] - half_h), (xs[t] - 0.2, _ROW["h"] + half_h), colour=_GRADIENT,
                   linestyle="--")
        ax.text(xs[T] - 0.27, (_ROW["h"] + _ROW["y"]) / 2, f"$\\partial L/\\partial h_{{{T}}}$", ha="right",
                va="center", fontsize=9, color=_GRADIENT)
        for t in range(T, 1, -1):
            _arrow(ax, (xs[t] - half_w, _ROW["h"] - 0.15), (xs[t - 1] + half_w, _ROW["h"] - 0.15),
                   colour=_GRADIENT, linestyle="--")
            ax.text((xs[t - 1] + xs[t]) / 2, _ROW["h"] - 0.22, f"$\\partial L/\\partial h_{{{t - 1}}}$",
                    ha="center", va="top", fontsize=9, color=_GRADIENT)

    ax.set_xlim(xs[0] - 0.8, xs[T] + (_STEP + 0.8 if backward else 0.8))
    ax.set_ylim(_ROW["x"] - 0.85, _ROW["y"] + 0.55)
    ax.set_aspect("equal")
    ax.axis("off")
    kind = "many-to-one" if outputs == "last" else "many-to-many"
    title = f"An RNN unrolled over {T} steps ({kind})"
    ax.set_title(title + ": forward in black, gradients in red" if backward else title)
    return ax


def plot_one_hot(matrix, row_labels: Sequence[str], col_labels: Sequence[str], ax=None, annotate: bool = True):
    """Draw one-hot vectors as an image: one row per token, one column per vocabulary entry.

    matrix: (T, V) array of 0s and 1s (any numbers are drawn, 0 white and 1 dark).
    row_labels: T labels, the token of each row. col_labels: V labels, the vocabulary entries.
    annotate: write "1" in every cell that holds a 1.
    Returns the matplotlib Axes.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"matrix should be 2-D (T tokens, V vocabulary entries), but it has shape {matrix.shape}.")
    T, V = matrix.shape
    row_labels, col_labels = list(row_labels), list(col_labels)
    if len(row_labels) != T:
        raise ValueError(f"row_labels has {len(row_labels)} labels but matrix has {T} rows; give one per row.")
    if len(col_labels) != V:
        raise ValueError(f"col_labels has {len(col_labels)} labels but matrix has {V} columns; give one per column.")
    ax = _axes(ax, figsize=(max(4.0, 0.32 * V + 1.8), max(2.0, 0.4 * T + 1.6)))
    ax.imshow(matrix, cmap="Blues", vmin=0.0, vmax=1.0, aspect="equal")
    ax.set_xticks(range(V), col_labels, rotation=90, fontsize=9)
    ax.set_yticks(range(T), row_labels, fontsize=10)
    # Thin white lines between cells make each entry of a vector visible.
    ax.set_xticks(np.arange(-0.5, V, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, T, 1.0), minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    if annotate:
        for row, col in np.argwhere(matrix == 1.0):
            ax.text(col, row, "1", ha="center", va="center", color="white", fontsize=8, fontweight="bold")
    ax.set_xlabel("vocabulary entry (column = token id)")
    ax.set_ylabel("token in the sentence")
    ax.set_title(f"One-hot vectors: {T} tokens x {V} vocabulary entries")
    return ax


def plot_padded_batch(ids, mask, itos: Sequence[str], ax=None):
    """Draw a padded batch as a table: one row per sentence, one column per time step.

    ids: (N, T) token ids. mask: (N, T) booleans, True where a real token stands, False on padding.
    itos: the vocabulary's list of tokens (id -> token), used to write each cell's token above its id.
    Real tokens are shaded blue, padding grey. Returns the matplotlib Axes.
    """
    from matplotlib.colors import ListedColormap

    ids, mask = np.asarray(ids), np.asarray(mask, dtype=bool)
    if ids.ndim != 2 or ids.dtype.kind not in "iu":
        raise ValueError(f"ids should be an (N, T) array of integer token ids, "
                         f"got shape {ids.shape} and dtype {ids.dtype}.")
    if mask.shape != ids.shape:
        raise ValueError(f"mask should have the shape of ids {ids.shape}, but it has shape {mask.shape}.")
    if ids.size and (ids.min() < 0 or ids.max() >= len(itos)):
        raise ValueError(f"ids must lie in 0..{len(itos) - 1} (the vocabulary has {len(itos)} tokens), "
                         f"got values from {ids.min()} to {ids.max()}.")
    N, T = ids.shape
    ax = _axes(ax, figsize=(max(4.0, 1.05 * T + 1.5), 0.75 * N + 1.4))
    ax.imshow(mask.astype(float), cmap=ListedColormap(["#e6e6e6", _COLOURS["x"]]), vmin=0.0, vmax=1.0,
              aspect="auto")
    for row in range(N):
        for col in range(T):
            token = itos[int(ids[row, col])]
            ax.text(col, row, f"{token}\n{int(ids[row, col])}", ha="center", va="center", fontsize=9,
                    color="#222222" if mask[row, col] else "#888888")
    ax.set_xticks(range(T), [f"t={t}" for t in range(T)])
    ax.set_yticks(range(N), [f"n={n}" for n in range(N)])
    ax.set_xticks(np.arange(-0.5, T, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, N, 1.0), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="both", length=0)
    ax.set_xlabel("time step (column of ids)")
    ax.set_ylabel("sentence (row of ids)")
    ax.set_title(f"A padded batch of {N} sentences: blue = real token (mask True), grey = padding")
    return ax


def _visible(char: str) -> str:
    return {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}.get(char, char)


def draw_truncated_bptt(text: str, seq_length: int, ax=None):
    """Diagram of truncated backpropagation through time on a short ``text``.

    The text is read one character per step: input ``text[t]``, target ``text[t + 1]``. Steps are
    grouped into chunks of ``seq_length``. Inside a chunk the hidden states are linked forward
    (black) and the gradient flows back (red, dashed). Between chunks the hidden state is carried
    forward (blue) but no gradient flows back: that cut is what makes the backward pass "truncated".
    """
    if not isinstance(text, str) or len(text) < 3:
        raise ValueError("text must be a string of at least 3 characters.")
    if not isinstance(seq_length, int) or seq_length < 1:
        raise ValueError(f"seq_length must be a positive int, got {seq_length!r}.")
    steps = len(text) - 1
    n_chunks = -(-steps // seq_length)
    gap = 0.9
    xs = [t + gap * (t // seq_length) for t in range(steps)]
    import matplotlib.pyplot as plt

    ax = _axes(ax, figsize=(0.62 * (xs[-1] + 2), 3.6))
    rows = {"input": 0.0, "hidden": 1.3, "target": 2.6}
    size = 0.7

    def box(x, y, label, colour):
        ax.add_patch(plt.Rectangle((x - size / 2, y - size / 2), size, size, facecolor=colour, edgecolor="#333333"))
        ax.text(x, y, label, ha="center", va="center", fontsize=11, family="monospace")

    def arrow(start, end, colour, style="-", connection="arc3"):
        ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": style,
                                                          "shrinkA": 0, "shrinkB": 0, "connectionstyle": connection})

    for chunk in range(n_chunks):
        first, last = chunk * seq_length, min(steps, (chunk + 1) * seq_length) - 1
        ax.add_patch(plt.Rectangle((xs[first] - 0.55, -0.6), xs[last] - xs[first] + 1.1, 3.8,
                                   facecolor="#f4f4f4" if chunk % 2 == 0 else "#e8eef6", edgecolor="none", zorder=0))
        ax.text((xs[first] + xs[last]) / 2, 3.35, f"chunk {chunk + 1}", ha="center", va="center", fontsize=10)
    half = size / 2
    for t in range(steps):
        x = xs[t]
        box(x, rows["input"], _visible(text[t]), "#dbe9f6")
        box(x, rows["hidden"], "h", "#fde4c8")
        box(x, rows["target"], _visible(text[t + 1]), "#d9f0d3")
        arrow((x, rows["input"] + half), (x, rows["hidden"] - half), "#333333")
        arrow((x, rows["hidden"] + half), (x, rows["target"] - half), "#333333")
        if t + 1 < steps:
            start, end = (x + half, rows["hidden"] + 0.12), (xs[t + 1] - half, rows["hidden"] + 0.12)
            crosses = (t + 1) % seq_length == 0
            arrow(start, end, "tab:blue" if crosses else "#333333")
            if not crosses:
                arrow((xs[t + 1] - half, rows["hidden"] - 0.12), (x + half, rows["hidden"] - 0.12), "#c0392b", "--")
            else:
                ax.text((x + xs[t + 1]) / 2, rows["hidden"] - 0.3, "\u2715", ha="center", va="center",
                        color="#c0392b", fontsize=12)
    ax.text(xs[0] - 0.7, rows["input"], "input", ha="right", va="center", fontsize=10)
    ax.text(xs[0] - 0.7, rows["hidden"], "hidden", ha="right", va="center", fontsize=10)
    ax.text(xs[0] - 0.7, rows["target"], "target", ha="right", va="center", fontsize=10)
    ax.set_xlim(xs[0] - 2.2, xs[-1] + 0.8)
    ax.set_ylim(-0.8, 3.7)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"Truncated BPTT, chunks of {seq_length} steps: state carried forward (blue), "
                 "gradient cut at the boundary (\u2715)", fontsize=10)
    return ax
