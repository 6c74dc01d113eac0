"""The memory explorer of notebook 07: pick a cell and a distance, train, see the accuracy and the gradient.

``train_and_trace`` is the plain function behind the widget (a notebook calls it for the static figure);
``memory_explorer`` only wires a dropdown, a slider and a button to it. Training is seeded, so the
same settings always give the same figure. Needs ipywidgets and matplotlib.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt

from .experiments import train_memory
from .forgetting import gradients_through_time
from .plots_gated import plot_gradient_through_time
from .training import TrainingDiverged
from .widgets import render_figure, show_in

CELLS = ("rnn", "lstm", "gru")


def train_and_trace(cell: str = "lstm", distance: int = 30, *, seed: int = 0, n_traced: int = 50):
    """Train one cell on the memory task at ``distance`` and draw the gradient reaching each earlier step.

    Uses ``experiments.train_memory`` with its default budget. Returns ``(figure, summary)``: the figure
    shows ``||dL/dh||`` (mean over ``n_traced`` test texts) against steps back, with the key word's step
    marked; summary is one line of results.
    """
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}.")
    model, history, test = train_memory(cell, distance, seed)
    texts, labels = zip(*test[:n_traced], strict=True)
    trace = gradients_through_time(model, list(texts), list(labels))
    figure, ax = plt.subplots(figsize=(6.8, 3.6))
    accuracy = history.test_accuracy[-1]
    plot_gradient_through_time({f"{cell.upper()}": trace.steps_back()}, ax=ax,
                               title=f"{cell.upper()}, distance {distance}: test accuracy {accuracy:.0%}")
    ax.axvline(distance, color="black", linestyle=":", linewidth=1)
    ax.annotate("key word", (distance, ax.get_ylim()[0]), xytext=(3, 5), textcoords="offset points", fontsize=8)
    ratio = trace.steps_back()[distance] / trace.steps_back()[0]
    summary = (f"{cell.upper()} at distance {distance}: test accuracy {accuracy:.1%} after {len(history.epoch)} "
               f"epochs; gradient at the key word / at the last word = {ratio:.1e}")
    return figure, summary


class MemoryExplorer(widgets.VBox):
    """The explorer's box; its text form is what a notebook viewer shows where widgets do not run."""

    def __repr__(self) -> str:
        # ipywidgets cuts this text at 110 characters
        return "Memory explorer: run this cell in Jupyter for its cell menu, distance slider and Train button."


def memory_explorer(cell: str = "lstm", distance: int = 30, *, seed: int = 0) -> MemoryExplorer:
    """A cell dropdown, a distance slider and a Train button; a click retrains and redraws ``train_and_trace``."""
    style = {"description_width": "initial"}
    chooser = widgets.Dropdown(options=list(CELLS), value=cell, description="cell", style=style)
    slider = widgets.IntSlider(value=distance, min=1, max=60, step=1, description="distance",
                               continuous_update=False, style=style)
    button = widgets.Button(description="Train", button_style="primary", tooltip="train a fresh model (a few seconds)")
    result = widgets.HTML()
    plots = widgets.Output()

    def retrain(_click=None):
        result.value = "<span style='font-family: monospace'>training ...</span>"
        try:
            figure, summary = train_and_trace(chooser.value, slider.value, seed=seed)
        except TrainingDiverged as error:
            plt.close("all")
            show_in(plots, None, str(error))
            result.value = f"<span style='color: #b03a2e'>{html.escape(str(error))}</span>"
            return
        show_in(plots, render_figure(figure))
        result.value = f"<span style='font-family: monospace'>{html.escape(summary)}</span>"

    button.on_click(retrain)
    retrain()
    box = MemoryExplorer([widgets.HBox([chooser, slider, button]), result, plots])
    box.retrain = retrain           # lets a test trigger a redraw directly
    return box
