"""The plain functions behind the notebooks' widgets: train, predict or sample, and draw a figure.

Each widget in ``rnn_lib.widgets`` is one call on top of a function here, which a notebook can call
for a static figure (and the benchmarks can time): ``train_and_plot``, ``predict_and_plot`` and
``temperature_samples``. Nothing here needs ipywidgets. Dimensions: T steps, H hidden units, V vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from .models import CharRNN, SentimentRNN
from .plots import plot_hidden_states, plot_history, plot_probabilities
from .text import Vocabulary
from .training import History, train_classifier

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
