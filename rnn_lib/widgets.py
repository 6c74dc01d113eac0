"""Interactive explorers for the notebooks, each one call on top of a plain plotting function.

The work behind every widget lives in a plain function (``rnn_lib.widget_figures``, re-exported here) that
the notebook can call for a static figure: ``train_and_plot``, ``predict_and_plot``, ``temperature_samples``.
The widget functions only wire sliders to them. Callbacks use a fixed seed, so the same settings
always give the same curves, and close their matplotlib figures after drawing.

Needs ipywidgets and matplotlib (the package's ``__init__`` does not import this module).
Dimensions: T steps, H hidden units, V vocabulary.
"""

from __future__ import annotations

import base64
import html
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import clear_output, display

from . import display as _display
from .display import FallbackText, describe_figure, image_bundle, png_bytes
from .live_curves import training_svg
from .losses import softmax
from .models import CharRNN, SentimentRNN
from .plots import plot_probabilities
from .text import Vocabulary
from .training import TrainingDiverged
from .widget_figures import (  # noqa: F401 - the plain functions, importable from here as before
    DEFAULT_SENTENCE,
    DPI,
    EXPLORER_FIGSIZE,
    LABELS,
    LEARNING_RATES,
    LIVE_REDRAW_SECONDS,
    MAX_FIGURE_INCHES,
    OPTIMIZER_NAMES,
    OVERFIT_GAP,
    REFERENCE_HIDDEN,
    SATURATED,
    WEAK_TEST_ACCURACY,
    TrainingRun,
    describe_prediction,
    describe_run,
    describe_settings,
    diagnose,
    next_character_logits,
    predict_and_plot,
    saturated_fraction,
    scaled_learning_rate,
    temperature_samples,
    train_and_plot,
)

_display.install()      # figures shown in this kernel carry their text alternative


# --- widget plumbing ---------------------------------------------------------------------------

def render_figure(figure) -> dict:
    """Render a figure to its display bundle (PNG with a text alternative) and close it.

    Only the ``text/html`` view (``<img alt=...>``) and the plain-text description: every front end that
    draws widgets renders HTML, and one copy of the PNG halves what each redraw sends to the browser.
    """
    try:
        bundle = image_bundle(png_bytes(figure, dpi=DPI), describe_figure(figure))
    finally:
        plt.close(figure)
    del bundle["image/png"]
    return bundle


def show_in(output: widgets.Output, picture: dict | None, message: str = "") -> None:
    with output:
        clear_output(wait=True)
        if picture is not None:
            display(picture, raw=True)
        elif message:
            print(message)


def _result_html(text: str, ok: bool = True) -> str:
    colour = "inherit" if ok else "#b03a2e"
    return f"<span style='font-family: monospace; color: {colour}'>{html.escape(text)}</span>"


def _classed(widget, name: str):
    widget.add_class(name)
    return widget


# --- the widgets -------------------------------------------------------------------------------

class _Explorer(FallbackText, widgets.VBox):
    fallback_text = ("Training explorer (an interactive widget): sliders for hidden size, learning rate, epochs "
                     "and optimizer retrain the sentiment model and redraw its curves. Run this cell to use it; "
                     "the static figure above shows the default settings.")


class _SentenceBox(FallbackText, widgets.VBox):
    fallback_text = ("Sentence box (an interactive widget): type a sentence to see the trained model's prediction "
                     "and the hidden state after each word. Run this cell to use it.")


class _TemperatureExplorer(FallbackText, widgets.VBox):
    fallback_text = ("Temperature explorer (an interactive widget): a slider sets the sampling temperature and "
                     "shows a sample of generated text with the next-character probabilities. Run this cell to "
                     "use it.")


def training_explorer(train, test, *, hidden_size: int = 32, learning_rate: float = 0.02, epochs: int = 40,
                      optimizer: str = "adam", seed: int = 0, sentence: str = DEFAULT_SENTENCE,
                      scale_learning_rate: bool = True) -> widgets.VBox:
    """Sliders for hidden size, learning rate, epochs and optimizer; releasing one retrains and redraws.

    While it trains, the result line counts the epochs and the loss and accuracy curves grow a few times a
    second; at the end the figure adds the hidden states of ``sentence`` and the result line gives the
    final accuracies and losses, and says why when a run did not learn (``diagnose``). The checkbox
    "scale with hidden size" (on by default) divides the rate by H/32 above 32 units (``scaled_learning_rate``
    says why); untick it to see large models fail at a rate that suits small ones. The vocabulary and seed
    stay fixed.
    """
    if optimizer not in OPTIMIZER_NAMES:
        raise ValueError(f"optimizer must be one of {OPTIMIZER_NAMES}, got {optimizer!r}.")
    rates = sorted(set(LEARNING_RATES) | {float(learning_rate)})
    vocab = Vocabulary.from_texts([text for text, _ in train])
    style = {"description_width": "initial"}
    hidden = _classed(widgets.IntSlider(value=hidden_size, min=4, max=128, step=4, description="hidden size",
                                        continuous_update=False, style=style), "rnn-hidden-size")
    rate = _classed(widgets.SelectionSlider(options=[(f"{value:g}", value) for value in rates],
                                            value=float(learning_rate), description="learning rate",
                                            continuous_update=False, style=style), "rnn-learning-rate")
    epoch_count = _classed(widgets.IntSlider(value=epochs, min=5, max=100, step=5, description="epochs",
                                             continuous_update=False, style=style), "rnn-epochs")
    chooser = _classed(widgets.Dropdown(options=list(OPTIMIZER_NAMES), value=optimizer, description="optimizer",
                                        style=style, layout=widgets.Layout(width="200px")), "rnn-optimizer")
    scaling = _classed(widgets.Checkbox(value=scale_learning_rate, description="scale with hidden size",
                                        indent=False, style=style), "rnn-scale-rate")
    plots = _classed(widgets.Output(), "rnn-explorer-plots")
    result = _classed(widgets.HTML(), "rnn-explorer-result")

    def retrain(_change=None):
        total = epoch_count.value
        result.value = _result_html(f"training: epoch 0 of {total} ...")
        last_frame = [0.0]
        note = f"hidden states of {sentence!r} appear when training ends"

        def on_progress(history):
            last = history.last()
            result.value = _result_html(
                f"training: epoch {last['epoch']} of {total} | train loss {last['train_loss']:.3f} | "
                f"test accuracy {100 * last.get('test_accuracy', float('nan')):.1f}%")
            now = time.perf_counter()
            if last["epoch"] < total and now - last_frame[0] >= LIVE_REDRAW_SECONDS:
                show_in(plots, _live_picture(history, total, note))
                last_frame[0] = now

        try:
            run = train_and_plot(train, test, hidden_size=hidden.value, learning_rate=rate.value,
                                 epochs=total, optimizer=chooser.value, seed=seed, sentence=sentence,
                                 vocab=vocab, scale_learning_rate=scaling.value, on_progress=on_progress)
        except TrainingDiverged as error:
            plt.close("all")
            show_in(plots, None, str(error))
            result.value = _result_html(f"diverged: {error}", ok=False)
            return
        show_in(plots, render_figure(run.figure))
        verdict = diagnose(run, train)
        summary = run.summary() if not verdict else f"{run.summary()} -> {verdict}"
        result.value = _result_html(summary, ok=not verdict or verdict.startswith("overfits"))

    for control in (hidden, rate, epoch_count, chooser, scaling):
        control.observe(retrain, names="value")
    retrain()
    right = widgets.VBox([epoch_count, widgets.HBox([chooser, scaling])])
    controls = widgets.HBox([widgets.VBox([hidden, rate]), right], layout=widgets.Layout(flex_flow="row wrap"))
    box = _Explorer([controls, result, plots])
    box.retrain = retrain           # lets a benchmark or a test trigger a redraw directly
    return _classed(box, "rnn-explorer")


def _live_picture(history, epochs: int, note: str) -> dict:
    """A live frame of the training curves: an SVG image with a text alternative (see ``rnn_lib.live_curves``)."""
    svg = training_svg(history, epochs, note)
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    last = history.last()
    alt = html.escape(f"Training in progress: epoch {last['epoch']} of {epochs}, train loss {last['train_loss']:.3f}",
                      quote=True)
    return {"text/html": f'<img src="data:image/svg+xml;base64,{encoded}" alt="{alt}"/>', "text/plain": alt}


def sentence_box(model: SentimentRNN, text: str = DEFAULT_SENTENCE) -> widgets.VBox:
    """Type a sentence (press Enter): shows the predicted class with its probability and the hidden states.

    An empty box (or one with nothing the model can read) shows a hint instead of a prediction.
    """
    entry = _classed(widgets.Text(value=text, description="sentence", continuous_update=False,
                                  placeholder="type a sentence and press Enter",
                                  layout=widgets.Layout(width="60%")), "rnn-sentence")
    output = _classed(widgets.Output(), "rnn-sentence-output")
    result = _classed(widgets.HTML(), "rnn-sentence-result")

    def update(_change=None):
        label, probability, figure = predict_and_plot(model, entry.value)
        show_in(output, None if figure is None else render_figure(figure),
              "Type a sentence in the box above and press Enter to see the prediction and the hidden states.")
        result.value = _result_html(describe_prediction(model, label, probability), ok=label is not None)

    entry.observe(update, names="value")
    update()
    box = _SentenceBox([widgets.HBox([entry, result]), output])
    box.update = update
    return box


def temperature_explorer(model: CharRNN, prompt: str, n: int = 200, seed: int = 0,
                         temperature: float = 1.0) -> widgets.VBox:
    """A temperature slider: shows a sample of ``n`` characters and the next-character probabilities.

    The sample always uses ``seed``, so moving the slider back gives the same text again.
    """
    logits = next_character_logits(model, prompt)
    labels = model.require_vocab().itos
    slider = _classed(widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1, description="temperature",
                                          continuous_update=False, readout_format=".1f",
                                          style={"description_width": "initial"}), "rnn-temperature")
    # Side by side where there is room, one above the other in a narrow window.
    samples = _classed(widgets.HTML(layout=widgets.Layout(flex="1 1 320px", min_width="280px")), "rnn-samples")
    chart = widgets.Output(layout=widgets.Layout(flex="0 0 auto"))

    def update(_change=None):
        t = slider.value
        text = temperature_samples(model, prompt, t, n=n, seed=seed)
        samples.value = ("<pre style='white-space: pre-wrap; font-size: 0.95em'>"
                         f"<b>{html.escape(prompt)}</b>{html.escape(text)}</pre>")
        figure, ax = plt.subplots(figsize=(4.2, 3.0), dpi=DPI)
        figure.subplots_adjust(left=0.18, right=0.96, bottom=0.16, top=0.88)
        plot_probabilities(softmax(logits / t), labels, ax=ax, top=8,
                           title=f"Next character after {prompt[-12:]!r}, T = {t:.1f}")
        show_in(chart, render_figure(figure))

    slider.observe(update, names="value")
    update()
    row = widgets.HBox([samples, chart], layout=widgets.Layout(flex_flow="row wrap"))
    box = _TemperatureExplorer([slider, row])
    box.update = update
    return box
