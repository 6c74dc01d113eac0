"""Interactive explorers for the notebooks, each one call on top of a plain plotting function.

The work behind every widget lives in a plain function the notebook can call for a static figure
(and the benchmarks can time): ``train_and_plot``, ``predict_and_plot`` and ``temperature_samples``.
The widget functions only wire sliders to them. Callbacks use a fixed seed, so the same settings
always give the same curves, and close their matplotlib figures after drawing.

Needs ipywidgets and matplotlib (the package's ``__init__`` does not import this module).
Dimensions: T steps, H hidden units, V vocabulary.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, clear_output, display

from .losses import softmax
from .models import CharRNN, SentimentRNN
from .plots import plot_hidden_states, plot_history, plot_probabilities
from .text import Vocabulary
from .training import History, TrainingDiverged, train_classifier

DEFAULT_SENTENCE = "the film was not good"
OPTIMIZER_NAMES = ("sgd", "adagrad", "adam")
LABELS = ("negative", "positive")


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
    (hidden size 32, learning rate 0.03, 40 epochs, adam, seed 0)``; the test parts only when there was a test set.
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
    """``hidden size 32, learning rate 0.03, 40 epochs, adam, seed 0`` from ``TrainingRun.settings``."""
    return (f"hidden size {settings['hidden_size']}, learning rate {settings['learning_rate']:.3g}, "
            f"{settings['epochs']} epochs, {settings['optimizer']}, seed {settings['seed']}")


def train_and_plot(train, test, *, hidden_size: int = 32, learning_rate: float = 0.03, epochs: int = 40,
                   optimizer: str = "adam", seed: int = 0, sentence: str = DEFAULT_SENTENCE,
                   vocab: Vocabulary | None = None) -> TrainingRun:
    """Train a fresh ``SentimentRNN`` and draw its loss/accuracy curves and the hidden states of ``sentence``.

    train, test: lists of ``(text, label)`` pairs. The vocabulary is built from the training texts
    unless ``vocab`` is given. Returns a ``TrainingRun``; its figure is open (call ``plt.show()``).
    Raises ``TrainingDiverged`` if the loss becomes NaN or infinite.
    """
    if vocab is None:
        vocab = Vocabulary.from_texts([text for text, _ in train])
    settings = {"hidden_size": int(hidden_size), "learning_rate": float(learning_rate), "epochs": int(epochs),
                "optimizer": optimizer, "seed": int(seed)}
    model = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed)
    history = train_classifier(model, train, test, epochs=epochs, learning_rate=learning_rate,
                               optimizer=optimizer, seed=seed)
    # Fixed margins instead of a layout engine: the explorer redraws this on every slider release.
    figure = plt.figure(figsize=(13, 3.8))
    loss_ax, accuracy_ax, heat_ax = figure.subplots(1, 3, width_ratios=[1, 1, 1.15])
    figure.subplots_adjust(left=0.05, right=0.99, bottom=0.24, top=0.9, wspace=0.25)
    plot_history(history, axes=(loss_ax, accuracy_ax))
    plot_hidden_states(model.hidden_states(sentence), vocab.tokens(sentence), ax=heat_ax,
                       title=f"After training: {sentence!r}")
    return TrainingRun(model, history, figure, settings)


def predict_and_plot(model: SentimentRNN, text: str):
    """The predicted class of ``text``, its probability, and a figure of its hidden states (T, H).

    Returns ``(label, probability, figure)``; ``figure`` is None when ``text`` has no tokens.
    Words the model never saw are read as ``<unk>``.
    """
    vocab = model._require_vocab()
    tokens = vocab.tokens(text)
    if not tokens:
        return None, None, None
    probabilities = model.predict_proba([text])[0]
    label = int(probabilities.argmax())
    shown = [token if token in vocab else f"{token} (unk)" for token in tokens]
    figure = plt.figure(figsize=(max(7.0, 0.7 * len(tokens) + 4), 3.6))
    heat_ax, bar_ax = figure.subplots(1, 2, width_ratios=[3, 1])
    figure.subplots_adjust(left=0.08, right=0.97, bottom=0.26, top=0.88, wspace=0.45)
    plot_hidden_states(model.hidden_states(text), shown, ax=heat_ax, title="Hidden state after each word")
    names = LABELS if model.num_classes == 2 else [str(k) for k in range(model.num_classes)]
    plot_probabilities(probabilities, names, ax=bar_ax, title="Prediction")
    return label, float(probabilities[label]), figure


def describe_prediction(model: SentimentRNN, label: int | None, probability: float | None) -> str:
    """``positive (0.93)``, or a hint when there was nothing to read."""
    if label is None:
        return "type a sentence"
    name = LABELS[label] if model.num_classes == 2 else f"class {label}"
    return f"{name} ({probability:.2f})"


def next_character_logits(model: CharRNN, prompt: str) -> np.ndarray:
    """The scores (V,) the model gives every character right after reading ``prompt``."""
    ids = np.asarray([model._require_vocab().encode(prompt)])
    if ids.shape[1] == 0:
        raise ValueError("prompt is empty; give the model at least one character to read.")
    logits, _ = model.forward(ids)
    return logits[0, -1]


def temperature_samples(model: CharRNN, prompt: str, temperature: float, n: int = 200, seed: int = 0) -> str:
    """A sample of ``n`` characters after ``prompt`` at ``temperature``; the same seed gives the same text."""
    return model.sample(prompt, n, temperature=temperature, rng=np.random.default_rng(seed))


# --- widget plumbing ---------------------------------------------------------------------------

def _png(figure) -> bytes:
    """Render a figure to PNG bytes and close it, so redrawing does not pile up open figures."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=80)
    finally:
        plt.close(figure)
    return buffer.getvalue()


def _show(output: widgets.Output, png: bytes | None, message: str = "") -> None:
    with output:
        clear_output(wait=True)
        if png is not None:
            display(Image(data=png, format="png"))
        elif message:
            print(message)


def _result_html(text: str, ok: bool = True) -> str:
    colour = "inherit" if ok else "#b03a2e"
    return f"<span style='font-family: monospace; color: {colour}'>{html.escape(text)}</span>"


def _classed(widget, name: str):
    widget.add_class(name)
    return widget


# --- the widgets -------------------------------------------------------------------------------

def training_explorer(train, test, *, hidden_size: int = 32, learning_rate: float = 0.03, epochs: int = 40,
                      optimizer: str = "adam", seed: int = 0, sentence: str = DEFAULT_SENTENCE) -> widgets.VBox:
    """Sliders for hidden size, learning rate, epochs and optimizer; releasing one retrains and redraws.

    Shows ``train_and_plot``'s figure (loss and accuracy curves, hidden states of ``sentence``) and a
    result line with the final accuracies and losses. The vocabulary and seed stay fixed.
    """
    if optimizer not in OPTIMIZER_NAMES:
        raise ValueError(f"optimizer must be one of {OPTIMIZER_NAMES}, got {optimizer!r}.")
    vocab = Vocabulary.from_texts([text for text, _ in train])
    style = {"description_width": "initial"}
    hidden = _classed(widgets.IntSlider(value=hidden_size, min=4, max=128, step=4, description="hidden size",
                                        continuous_update=False, style=style), "rnn-hidden-size")
    rate = _classed(widgets.FloatLogSlider(value=learning_rate, base=10, min=-4, max=0, step=0.25,
                                           description="learning rate", readout_format=".4f",
                                           continuous_update=False, style=style), "rnn-learning-rate")
    epoch_count = _classed(widgets.IntSlider(value=epochs, min=5, max=100, step=5, description="epochs",
                                             continuous_update=False, style=style), "rnn-epochs")
    chooser = _classed(widgets.Dropdown(options=list(OPTIMIZER_NAMES), value=optimizer, description="optimizer",
                                        style=style), "rnn-optimizer")
    plots = _classed(widgets.Output(), "rnn-explorer-plots")
    result = _classed(widgets.HTML(), "rnn-explorer-result")

    def retrain(_change=None):
        result.value = _result_html("training ...")
        try:
            run = train_and_plot(train, test, hidden_size=hidden.value, learning_rate=rate.value,
                                 epochs=epoch_count.value, optimizer=chooser.value, seed=seed,
                                 sentence=sentence, vocab=vocab)
        except TrainingDiverged as error:
            plt.close("all")
            _show(plots, None, str(error))
            result.value = _result_html(f"diverged: {error}", ok=False)
            return
        _show(plots, _png(run.figure))
        result.value = _result_html(run.summary())

    for control in (hidden, rate, epoch_count, chooser):
        control.observe(retrain, names="value")
    retrain()
    controls = widgets.HBox([widgets.VBox([hidden, rate]), widgets.VBox([epoch_count, chooser])])
    box = widgets.VBox([controls, result, plots])
    box.retrain = retrain           # lets a benchmark or a test trigger a redraw directly
    return _classed(box, "rnn-explorer")


def sentence_box(model: SentimentRNN, text: str = DEFAULT_SENTENCE) -> widgets.VBox:
    """Type a sentence (press Enter): shows the predicted class with its probability and the hidden states."""
    entry = _classed(widgets.Text(value=text, description="sentence", continuous_update=False,
                                  layout=widgets.Layout(width="60%")), "rnn-sentence")
    output = _classed(widgets.Output(), "rnn-sentence-output")
    result = _classed(widgets.HTML(), "rnn-sentence-result")

    def update(_change=None):
        label, probability, figure = predict_and_plot(model, entry.value)
        _show(output, None if figure is None else _png(figure), "type a sentence and press Enter")
        result.value = _result_html(describe_prediction(model, label, probability))

    entry.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox([entry, result]), output])
    box.update = update
    return box


def temperature_explorer(model: CharRNN, prompt: str, n: int = 200, seed: int = 0,
                         temperature: float = 1.0) -> widgets.VBox:
    """A temperature slider: shows a sample of ``n`` characters and the next-character probabilities.

    The sample always uses ``seed``, so moving the slider back gives the same text again.
    """
    logits = next_character_logits(model, prompt)
    labels = model._require_vocab().itos
    slider = _classed(widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1, description="temperature",
                                          continuous_update=False, readout_format=".1f",
                                          style={"description_width": "initial"}), "rnn-temperature")
    samples = _classed(widgets.HTML(layout=widgets.Layout(width="55%")), "rnn-samples")
    chart = widgets.Output(layout=widgets.Layout(width="45%"))

    def update(_change=None):
        t = slider.value
        text = temperature_samples(model, prompt, t, n=n, seed=seed)
        samples.value = ("<pre style='white-space: pre-wrap; font-size: 0.95em'>"
                         f"<b>{html.escape(prompt)}</b>{html.escape(text)}</pre>")
        figure, ax = plt.subplots(figsize=(4.5, 3.2))
        figure.subplots_adjust(left=0.18, right=0.96, bottom=0.16, top=0.88)
        plot_probabilities(softmax(logits / t), labels, ax=ax, top=8,
                           title=f"Next character after {prompt[-12:]!r}, T = {t:.1f}")
        _show(chart, _png(figure))

    slider.observe(update, names="value")
    update()
    box = widgets.VBox([slider, widgets.HBox([samples, chart])])
    box.update = update
    return box
