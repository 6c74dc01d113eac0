"""Measuring memory in a trained classifier: gradients through time, input influence, accuracy against distance.

- ``gradients_through_time(model, texts, labels)``: for every step t, ``||dL/dh_t||`` and ``||dL/dx_t||``,
  by running the model's own step functions forward and their step backwards from the last step to the
  first, so the gradient arriving at every step can be read off on the way.
- ``gate_values(model, text)``: every gate of an LSTM or GRU while it reads one text.
- ``memory_experiment(...)``: test accuracy on ``make_memory_task`` against distance, for several cells
  and seeds, with the same budget for all.

Works for a ``SentimentRNN`` of any cell (``"rnn"``, ``"lstm"``, ``"gru"``). Dimensions: N texts,
T steps (words), V vocabulary, H hidden units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .datasets import make_memory_task
from .gru import gru_forward, gru_gates, gru_step_backward, gru_step_forward
from .layers import rnn_step_backward, rnn_step_forward
from .losses import cross_entropy
from .lstm import lstm_forward, lstm_gates, lstm_step_backward, lstm_step_forward
from .text import Vocabulary


def _cell(model) -> str:
    return getattr(model, "cell_name", "rnn")


def _weights(model) -> list:
    """The cell's parameters in the order its step function takes them (``Wx, Wh, b`` and the like)."""
    names = getattr(getattr(model, "cell", None), "param_names", ("Wxh", "Whh", "bh"))
    return [model.params[name] for name in names]


def _steps(model, rows, h0):
    """The model's recurrence on float input rows (T, N, V): every step's cache, and the last h."""
    cell, weights = _cell(model), _weights(model)
    h, c, caches = h0, np.zeros_like(h0), []
    for x_t in rows:
        if cell == "lstm":
            h, c, cache = lstm_step_forward(x_t, h, c, *weights)
        elif cell == "gru":
            h, cache = gru_step_forward(x_t, h, *weights)
        else:
            h, cache = rnn_step_forward(x_t, h, *weights)
        caches.append(cache)
    return caches, h


def _step_back(cell, dh, dc, cache):
    """One step backward for any cell: (dx, dh_prev, dc_prev); dc is the LSTM's cell-state gradient."""
    if cell == "lstm":
        dx, dh_prev, dc_prev, *_ = lstm_step_backward(dh, dc, cache)
        return dx, dh_prev, dc_prev
    if cell == "gru":
        dx, dh_prev, *_ = gru_step_backward(dh, cache)
    else:
        dx, dh_prev, *_ = rnn_step_backward(dh, cache)
    return dx, dh_prev, dc


@dataclass
class GradientTrace:
    """Gradient norms of N texts, right-aligned: column -1 is each text's last word, column -1-k the word k before.

    ``hidden[n, t] = ||dL_n/dh_t||`` and ``inputs[n, t] = ||dL_n/dx_t||``, shape (N, T) with T the longest
    text; NaN before a shorter text's first word. L_n is text n's own loss; ``x_t`` is word t's one-hot
    vector, so ``inputs`` measures how much that word moved the loss. ``loss`` is the mean of the L_n.
    """

    hidden: np.ndarray
    inputs: np.ndarray
    loss: float
    tokens: list = field(default_factory=list)

    def steps_back(self) -> np.ndarray:
        """The mean of ``hidden`` over the texts, last step first: entry k is k steps before the end, (T,)."""
        return np.nanmean(self.hidden, axis=0)[::-1]


def _trace_one(model, ids, label):
    """(hidden (T,), inputs (T,), loss) for one text of token ids (T,)."""
    rows = np.eye(model.vocab_size)[ids][:, None]              # (T, 1, V): each word as a one-hot row
    caches, h_last = _steps(model, rows, np.zeros((1, model.hidden_size)))
    logits = h_last @ model.params["Why"].T + model.params["by"]
    loss, dlogits = cross_entropy(logits, np.array([label]))
    dh, dc = dlogits @ model.params["Why"], np.zeros((1, model.hidden_size))
    T = len(ids)
    hidden, inputs = np.zeros(T), np.zeros(T)
    for t in reversed(range(T)):
        hidden[t] = np.linalg.norm(dh)
        dx, dh, dc = _step_back(_cell(model), dh, dc, caches[t])
        inputs[t] = np.linalg.norm(dx)
    return hidden, inputs, loss


def gradients_through_time(model, texts, labels) -> GradientTrace:
    """How much gradient of the loss reaches every step of the texts, for a trained ``SentimentRNN``.

    texts: N strings (or one); labels: one int per text. Each text is run on its own, so texts of
    different lengths line up by their last word.
    """
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    labels = np.atleast_1d(np.asarray(labels))
    if labels.shape != (len(texts),):
        raise ValueError(f"labels must hold one label per text, {len(texts)}, got shape {labels.shape}.")
    vocab = model.vocab
    encoded = [np.asarray(vocab.encode(text)) for text in texts]
    if any(len(ids) == 0 for ids in encoded):
        raise ValueError("every text needs at least one word.")
    T = max(len(ids) for ids in encoded)
    hidden, inputs = np.full((len(texts), T), np.nan), np.full((len(texts), T), np.nan)
    losses = []
    for n, (ids, label) in enumerate(zip(encoded, labels, strict=True)):
        hidden[n, T - len(ids):], inputs[n, T - len(ids):], loss = _trace_one(model, ids, int(label))
        losses.append(loss)
    tokens = vocab.tokens(texts[0]) if len(texts) == 1 else []
    return GradientTrace(hidden, inputs, float(np.mean(losses)), tokens)


def gate_values(model, text: str) -> dict:
    """The gates of a gated ``SentimentRNN`` while it reads one text: name -> (T, H), after squashing.

    LSTM: ``input``, ``forget``, ``cell`` (the candidate g), ``output`` and the cell state ``c``;
    GRU: ``reset``, ``update``, ``new``.
    """
    cell, weights = _cell(model), _weights(model)
    if cell not in ("lstm", "gru"):
        raise ValueError(f"gate_values needs an LSTM or a GRU model, got cell={cell!r}.")
    ids = np.asarray(model.vocab.encode(text))[None]
    h0 = np.zeros((1, model.hidden_size))
    if cell == "lstm":
        _, cache = lstm_forward(ids, h0, h0, *weights)
        return {**{name: values[0] for name, values in lstm_gates(cache).items()}, "c": cache.cs[:, 0]}
    _, cache = gru_forward(ids, h0, *weights)
    return {name: values[0] for name, values in gru_gates(cache).items()}


# --- the memory experiment ------------------------------------------------------------------------

@dataclass
class MemoryResult:
    """Test accuracies ``accuracy[cell][distance] = [one per seed]`` and the settings that produced them."""

    accuracy: dict
    settings: dict

    def table(self) -> str:
        """The mean test accuracy (min to max over seeds) of every cell at every distance, as text."""
        cells = list(self.accuracy)
        distances = sorted(next(iter(self.accuracy.values())))
        lines = ["distance  " + "".join(f"{cell.upper():>18}" for cell in cells)]
        for d in distances:
            runs = [np.asarray(self.accuracy[cell][d]) for cell in cells]
            lines.append(f"{d:>8}  " + "".join(f"{r.mean():>8.2f} ({r.min():.2f}-{r.max():.2f})" for r in runs))
        return "\n".join(lines)


def memory_data(distance: int, n_train: int = 200, n_test: int = 200, seed: int = 0):
    """Train and test sets of ``make_memory_task`` at one distance, and a vocabulary of every word in either."""
    train = make_memory_task(n_train, distance, seed=seed)
    test = make_memory_task(n_test, distance, seed=seed + 10_000)
    return train, test, Vocabulary.from_texts([text for text, _ in train + test])


def train_on_memory_task(cell: str, distance: int, *, hidden_size: int = 32, epochs: int = 30,
                         learning_rate: float = 0.01, n_train: int = 200, n_test: int = 200, seed: int = 0):
    """Train one ``SentimentRNN`` of the given cell at one distance. Returns ``(model, history, test)``."""
    from .models import SentimentRNN
    from .training import train_classifier

    train, test, vocab = memory_data(distance, n_train, n_test, seed=seed)
    model = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed, cell=cell)
    history = train_classifier(model, train, test, epochs=epochs, learning_rate=learning_rate, batch_size=32,
                               seed=seed, stop_at_accuracy=1.0)
    return model, history, test


def memory_experiment(cells=("rnn", "lstm", "gru"), distances=(1, 5, 10, 20, 40), seeds=(0, 1, 2), **budget):
    """Test accuracy of every cell at every distance and seed, all with the same ``budget``.

    budget: keyword arguments of ``train_on_memory_task`` (hidden_size, epochs, learning_rate, n_train,
    n_test). Training stops early once the test accuracy reaches 100%, so easy settings cost less.
    """
    accuracy = {cell: {d: [] for d in distances} for cell in cells}
    for cell in cells:
        for d in distances:
            for seed in seeds:
                _, history, _ = train_on_memory_task(cell, d, seed=seed, **budget)
                accuracy[cell][d].append(history.test_accuracy[-1])
    return MemoryResult(accuracy, {"seeds": list(seeds), **budget})
