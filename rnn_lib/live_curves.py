"""Loss and accuracy curves drawn as a small SVG while a model trains: cheap enough to redraw every epoch.

A matplotlib figure costs tens of milliseconds to render to PNG, longer than an epoch of the explorer's
model, so the explorer draws its live curves with this instead (well under a millisecond per frame) and
renders the matplotlib figure once, when training ends. Same colours as ``rnn_lib.plots.plot_history``.
"""

from __future__ import annotations

import html

TRAIN_COLOUR = "#1f77b4"       # matplotlib's tab:blue
TEST_COLOUR = "#ff7f0e"        # tab:orange
MARGIN = {"left": 46, "right": 12, "top": 28, "bottom": 36}


def _polyline(xs, ys, colour: str) -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'


def _panel(x0: float, y0: float, width: float, height: float, title: str, ylabel: str, epochs: int,
           series: list[tuple[list[float], str]], y_max: float, chance: float | None = None) -> list[str]:
    """One panel: frame, title, axis labels, 0 and y_max ticks, and a polyline per (values, colour)."""
    left, top = x0 + MARGIN["left"], y0 + MARGIN["top"]
    inner_w = width - MARGIN["left"] - MARGIN["right"]
    inner_h = height - MARGIN["top"] - MARGIN["bottom"]

    def sx(epoch):
        return left + inner_w * (epoch - 0.5) / max(epochs, 1)

    def sy(value):
        return top + inner_h * (1 - min(max(value / y_max, 0.0), 1.0))

    parts = [f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="white" stroke="#444"/>',
             f'<text x="{left + inner_w / 2}" y="{y0 + 18}" text-anchor="middle" font-size="14">{title}</text>',
             f'<text x="{left + inner_w / 2}" y="{top + inner_h + 30}" text-anchor="middle" '
             'font-size="12">epoch</text>',
             f'<text x="{x0 + 12}" y="{top + inner_h / 2}" text-anchor="middle" font-size="12" '
             f'transform="rotate(-90 {x0 + 12} {top + inner_h / 2})">{ylabel}</text>']
    for value in (0.0, y_max):
        parts.append(f'<text x="{left - 4}" y="{sy(value) + 4}" text-anchor="end" font-size="11">{value:g}</text>')
    for epoch in (1, epochs):
        parts.append(f'<text x="{sx(epoch)}" y="{top + inner_h + 14}" text-anchor="middle" font-size="11">'
                     f'{epoch}</text>')
    if chance is not None:
        parts.append(f'<line x1="{left}" x2="{left + inner_w}" y1="{sy(chance)}" y2="{sy(chance)}" stroke="grey" '
                     'stroke-dasharray="2,3"/>')
    for values, colour in series:
        if values:
            parts.append(_polyline([sx(e) for e in range(1, len(values) + 1)], [sy(v) for v in values], colour))
    return parts


def training_svg(history, epochs: int, note: str, width: int = 560, height: int = 416) -> str:
    """An SVG (``width`` x ``height`` pixels) of the loss and accuracy so far, with ``note`` underneath.

    history: a ``training.History`` of a classifier (train/test loss and accuracy per finished epoch).
    """
    top_h = height * 0.6
    loss_max = max([1.0, *history.train_loss, *history.test_loss])
    loss_max = float(f"{loss_max:.2g}") if loss_max > 1.0 else 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    parts += _panel(0, 0, width / 2, top_h, "Loss", "cross-entropy", epochs,
                    [(history.train_loss, TRAIN_COLOUR), (history.test_loss, TEST_COLOUR)], loss_max)
    parts += _panel(width / 2, 0, width / 2, top_h, "Accuracy", "accuracy (%)", epochs,
                    [([100 * a for a in history.train_accuracy], TRAIN_COLOUR),
                     ([100 * a for a in history.test_accuracy], TEST_COLOUR)], 100.0, chance=50.0)
    legend_y = top_h + 18
    parts += [f'<text x="{width / 2}" y="{legend_y}" text-anchor="middle" font-size="12">'
              f'<tspan fill="{TRAIN_COLOUR}">&#9644; train</tspan>   <tspan fill="{TEST_COLOUR}">&#9644; test</tspan>'
              '</text>',
              f'<text x="{width / 2}" y="{top_h + (height - top_h) / 2 + 10}" text-anchor="middle" font-size="13" '
              f'fill="#666">{html.escape(note)}</text>',
              "</svg>"]
    return "\n".join(parts)
