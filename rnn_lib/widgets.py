"""Interactive explorers for the notebooks, each one call on top of a plain plotting function.

The work behind every widget lives in a plain function the notebook can call for a static figure
(and the benchmarks can time): ``train_and_plot``, ``predict_and_plot`` and ``temperature_samples``.
The widget functions only wire sliders to them. Callbacks use a fixed seed, so the same settings
always give the same curves, and close their matplotlib figures after drawing.

Needs ipywidgets and matplotlib (the package's ``__init__`` does not import this module).
Dimensions: T steps, H hidden units, V vocabulary.
"""

from __future__ import annotations

import base64
import html
import time
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import clear_output, display

from . import display as _display
from .display import FallbackText, describe_figure, image_bundle, png_bytes
from .live_curves import training_svg
from .losses import softmax
from .models import CharRNN, SentimentRNN
from .plots import plot_hidden_states, plot_history, plot_probabilities
from .text import Vocabulary
from .training import History, TrainingDiverged, train_classifier

DEFAULT_SENTENCE = "the film was not good"
OPTIMIZER_NAMES = ("sgd", "adagrad", "adam")
LABELS = ("negative", "positive")
#: The explorer's learning rates: a few per decade, and the default 0.02 among them so the slider can return to it.
LEARNING_RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0)
#: Up to this many hidden units the learning rate is used as set; above it, scaled by REFERENCE_HIDDEN / H.
REFERENCE_HIDDEN = 32
#: A hidden value this close to +-1 sits on tanh's flat part, where its gradient (1 - h^2) is almost zero.
SATURATED = 0.99
#: Send live curves at most this often while training (a frame is cheap; the browser redraws each one).
LIVE_REDRAW_SECONDS = 0.1
#: Widget figures at most 560 pixels wide at DPI: at a 1024-pixel window with JupyterLab's file browser open,
#: a notebook output is 568 pixels wide (measured in JupyterLab 4), so they are shown at their drawn size.
EXPLORER_FIGSIZE = (7.0, 5.2)
DPI = 80
MAX_FIGURE_INCHES = 7.0

_display.install()      # figures shown in this kernel carry their text alternative


# --- plain functions ---------------------------------------------------------------------------

@dataclass
class TrainingRun:
    """What ``train_and_plot`` produced: the trained model, its history and the drawn figure."""

    model: SentimentRNN
    history: History
    figure: object
    settings: dict

    def summary(self) -> str:
        """One line with the final numbers and the settings, rounded so it reads the same everywhere."""
        return describe_run(self.history, self.settings)


def describe_run(history: History, settings: dict) -> str:
    """One line such as ``train accuracy 97.7% | test accuracy 68.3% | train loss 0.094 | test loss 1.147
    (hidden size 32, learning rate 0.02, 40 epochs, adam, seed 0)``; the test parts only when there was a test set.
    """
    last = history.last()
    parts = [f"train accuracy {100 * last['train_accuracy']:.1f}%"]
    if "test_accuracy" in last:
        parts.append(f"test accuracy {100 * last['test_accuracy']:.1f}%")
    parts.append(f"train loss {last['train_loss']:.3f}")
    if "test_loss" in last:
        parts.append(f"test loss {last['test_loss']:.3f}")
    return " | ".join(parts) + f" ({describe_settings(settings)})"


def describe_settings(settings: dict) -> str:
    """``hidden size 32, learning rate 0.02, 40 epochs, adam, seed 0`` from ``TrainingRun.settings``.

    When the explorer scaled the rate for a large hidden size, says so: ``learning rate 0.005 (0.02 x 32/128)``.
    """
    rate = f"learning rate {settings['learning_rate']:.3g}"
    base = settings.get("base_learning_rate")
    if base is not None and abs(base - settings["learning_rate"]) > 1e-12:
        rate += f" ({base:.3g} x {REFERENCE_HIDDEN}/{settings['hidden_size']})"
    return (f"hidden size {settings['hidden_size']}, {rate}, "
            f"{settings['epochs']} epochs, {settings['optimizer']}, seed {settings['seed']}")


def scaled_learning_rate(learning_rate: float, hidden_size: int) -> float:
    """``learning_rate`` for up to REFERENCE_HIDDEN units, times REFERENCE_HIDDEN / H above that.

    Why: Adam (and Adagrad) move every weight by about the learning rate per step, whatever its gradient.
    A hidden unit adds up H weighted inputs, so one step can shift its input by about H x learning rate:
    with many units the same rate pushes tanh into its flat ends (|h| near 1), where gradients vanish and
    training stalls. Dividing the rate by H keeps the shift per step about the same at every size.
    """
    return float(learning_rate) * min(1.0, REFERENCE_HIDDEN / int(hidden_size))


def saturated_fraction(model: SentimentRNN, texts) -> float:
    """Fraction of hidden values with |h| > SATURATED over every word of ``texts`` (tanh's flat ends)."""
    states = np.concatenate([model.hidden_states(text) for text in texts])
    return float(np.mean(np.abs(states) > SATURATED))


#: A run whose training accuracy beats its test accuracy by more than this has memorised sentences.
OVERFIT_GAP = 0.15
#: Below this test accuracy a run has learned little that carries over (always answering "negative" scores 55%).
WEAK_TEST_ACCURACY = 0.75


def diagnose(run: TrainingRun, train) -> str:
    """One sentence on what the run shows when it did not simply learn, or "" when it did.

    Measured on the run itself: the final accuracies, the loss at the first and last epoch and the share
    of saturated hidden values on (up to 60) training sentences.
    """
    last = run.history.last()
    train_accuracy, test_accuracy = last["train_accuracy"], last.get("test_accuracy")
    first_loss, last_loss = run.history.train_loss[0], last["train_loss"]
    settings = run.settings
    if train_accuracy < 0.75:
        saturated = saturated_fraction(run.model, [text for text, _ in train[:60]])
        if saturated > 0.5:
            advice = "lower the rate" if settings.get("base_learning_rate") else \
                "lower the rate, or tick 'scale with hidden size'"
            return (f"did not learn: {100 * saturated:.0f}% of hidden values are stuck near -1 or +1, where tanh is "
                    f"flat and gradients vanish. Each step moves every weight by about the learning rate and a unit "
                    f"adds up {settings['hidden_size']} of them: {advice}.")
        more = min(100, 2 * settings["epochs"])
        base = settings.get("base_learning_rate")
        why = (f"the rate was scaled down to {settings['learning_rate']:.3g} for {settings['hidden_size']} units, "
               f"and smaller steps need more of them: try {more} epochs" if base and base > settings["learning_rate"]
               else f"raise the learning rate, or try {more} epochs")
        if last_loss > 0.8 * first_loss:
            return f"barely learned: the loss only went from {first_loss:.3f} to {last_loss:.3f}; {why}."
        return f"still learning: the loss went from {first_loss:.3f} to {last_loss:.3f}; {why}."
    if test_accuracy is None:
        return ""
    if train_accuracy - test_accuracy > OVERFIT_GAP:
        return (f"overfits: right on {100 * train_accuracy:.0f}% of the training sentences but only "
                f"{100 * test_accuracy:.0f}% of new ones; it learned those sentences more than the rules "
                f"(fewer hidden units or fewer epochs usually help).")
    if test_accuracy < WEAK_TEST_ACCURACY:
        return (f"learned little that carries over: {100 * test_accuracy:.0f}% of new sentences right, not far above "
                f"guessing, with {100 * train_accuracy:.0f}% of the training sentences right; "
                "try fewer hidden units, or another seed to see how much this run was luck.")
    return ""


def train_and_plot(train, test, *, hidden_size: int = 32, learning_rate: float = 0.02, epochs: int = 40,
                   optimizer: str = "adam", seed: int = 0, sentence: str = DEFAULT_SENTENCE,
                   vocab: Vocabulary | None = None, scale_learning_rate: bool = False,
                   on_progress=None) -> TrainingRun:
    """Train a fresh ``SentimentRNN`` and draw its loss/accuracy curves and the hidden states of ``sentence``.

    train, test: lists of ``(text, label)`` pairs. The vocabulary is built from the training texts
    unless ``vocab`` is given. With ``scale_learning_rate`` the rate is ``scaled_learning_rate(learning_rate,
    hidden_size)``. ``on_progress(history)`` is called after every epoch (the explorer draws live curves).
    Returns a ``TrainingRun``; its figure is open (call ``plt.show()``).
    Raises ``TrainingDiverged`` if the loss becomes NaN or infinite.
    """
    if vocab is None:
        vocab = Vocabulary.from_texts([text for text, _ in train])
    rate = scaled_learning_rate(learning_rate, hidden_size) if scale_learning_rate else float(learning_rate)
    settings = {"hidden_size": int(hidden_size), "learning_rate": rate, "epochs": int(epochs),
                "optimizer": optimizer, "seed": int(seed)}
    if scale_learning_rate:
        settings["base_learning_rate"] = float(learning_rate)
    model = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed)
    history = train_classifier(model, train, test, epochs=epochs, learning_rate=rate,
                               optimizer=optimizer, seed=seed, callback=on_progress)
    # Curves on top, the heatmap underneath: narrow enough for a notebook beside JupyterLab's file browser.
    # Fixed margins instead of a layout engine: the explorer redraws this on every slider release.
    figure = plt.figure(figsize=EXPLORER_FIGSIZE, dpi=DPI)
    grid = figure.add_gridspec(2, 2, height_ratios=[1, 1])
    loss_ax, accuracy_ax = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    heat_ax = figure.add_subplot(grid[1, :])
    figure.subplots_adjust(left=0.1, right=0.98, bottom=0.2, top=0.94, wspace=0.3, hspace=0.85)
    plot_history(history, axes=(loss_ax, accuracy_ax))
    plot_hidden_states(model.hidden_states(sentence), vocab.tokens(sentence), ax=heat_ax,
                       title=f"After training: {sentence!r}")
    return TrainingRun(model, history, figure, settings)


def predict_and_plot(model: SentimentRNN, text: str):
    """The predicted class of ``text``, its probability, and a figure of its hidden states (T, H).

    Returns ``(label, probability, figure)``; ``figure`` is None when ``text`` has no tokens.
    Words the model never saw are read as ``<unk>``.
    """
    vocab = model.require_vocab()
    if not isinstance(text, str) or not text.strip():
        return None, None, None
    try:
        tokens = vocab.tokens(text)
    except ValueError:           # nothing the tokenizer can read, e.g. only punctuation
        return None, None, None
    if not tokens:
        return None, None, None
    probabilities = model.predict_proba([text])[0]
    label = int(probabilities.argmax())
    shown = [token if token in vocab else f"{token} (unk)" for token in tokens]
    figure = plt.figure(figsize=(min(MAX_FIGURE_INCHES, 0.5 * len(tokens) + 4), 3.6), dpi=DPI)
    heat_ax, bar_ax = figure.subplots(1, 2, width_ratios=[3, 1])
    figure.subplots_adjust(left=0.08, right=0.97, bottom=0.26, top=0.88, wspace=0.45)
    plot_hidden_states(model.hidden_states(text), shown, ax=heat_ax, title="Hidden state after each word")
    names = LABELS if model.num_classes == 2 else [str(k) for k in range(model.num_classes)]
    plot_probabilities(probabilities, names, ax=bar_ax, title="Prediction")
    return label, float(probabilities[label]), figure


def describe_prediction(model: SentimentRNN, label: int | None, probability: float | None) -> str:
    """``positive (0.93)``, or a hint when there was nothing to read."""
    if label is None:
        return "type a sentence and press Enter (the box is empty)"
    name = LABELS[label] if model.num_classes == 2 else f"class {label}"
    return f"{name} ({probability:.2f})"


def next_character_logits(model: CharRNN, prompt: str) -> np.ndarray:
    """The scores (V,) the model gives every character right after reading ``prompt``."""
    ids = np.asarray([model.require_vocab().encode(prompt)])
    if ids.shape[1] == 0:
        raise ValueError("prompt is empty; give the model at least one character to read.")
    logits, _ = model.forward(ids)
    return logits[0, -1]


def temperature_samples(model: CharRNN, prompt: str, temperature: float, n: int = 200, seed: int = 0) -> str:
    """A sample of ``n`` characters after ``prompt`` at ``temperature``; the same seed gives the same text."""
    return model.sample(prompt, n, temperature=temperature, rng=np.random.default_rng(seed))


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
