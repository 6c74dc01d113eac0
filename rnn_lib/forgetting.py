"""Looking inside a trained classifier's memory: gradients through time, input influence, gates.

- ``gradients_through_time(model, texts, labels)``: for every step t, ``||dL/dh_t||`` and ``||dL/dx_t||``,
  by running the model's own step functions forward and their step backwards from the last step to the
  first, so the gradient arriving at every step can be read off on the way.
- ``gate_values(model, text)``: every gate of an LSTM or GRU while it reads one text.

The accuracy-against-distance experiment itself lives in ``experiments``.

Works for a ``SentimentRNN`` of any cell (``"rnn"``, ``"lstm"``, ``"gru"``). Dimensions: N texts,
T steps (words), V vocabulary, H hidden units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .gru import gru_forward, gru_gates, gru_step_backward, gru_step_forward
from .layers import rnn_step_backward, rnn_step_forward
from .losses import cross_entropy
from .lstm import lstm_forward, lstm_gates, lstm_step_backward, lstm_step_forward


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
        """The mean of ``hidden`` over the texts, last step first: entry k is k steps before the end.

        Only steps that every text has are kept, so the length is that of the shortest text.
        """
        complete = ~np.isnan(self.hidden).any(axis=0)
        return self.hidden[:, complete].mean(axis=0)[::-1]


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
