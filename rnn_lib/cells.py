"""Recurrent cells: the part of a model that turns token ids into one hidden vector per step.

A model (``models.py``) is an embedding of the tokens, a recurrent cell, and an output layer
``y = Why h + by``. The cell is chosen by name (``SentimentRNN(vocab, cell="rnn")``), stored with
the model when it is saved, and the model talks to it only through the members listed below.

What a new cell (an LSTM, a GRU) must provide, as a class with these members, added to ``CELLS``:

- ``name``: the string users pass as ``cell=``.
- ``param_names``: its recurrent parameters, for example ``("Wxh", "Whh", "bh")``. The model adds the
  output layer ``Why`` (K, H) and ``by`` (K,) itself, so a cell must not use those two names.
- ``init_params(vocab_size, hidden_size, uniform, dtype) -> dict``: fresh parameters keyed by
  ``param_names``. ``uniform(*shape)`` draws from the model's seeded U(-1/sqrt(H), 1/sqrt(H)) in the
  model's dtype; draw every matrix in a fixed order so that one seed always gives one model.
- ``initial_state(N, hidden_size, dtype)``: the state before the first token of N sequences. A state
  is whatever the cell needs to carry: an (N, H) array for a vanilla RNN or a GRU, a tuple
  ``(h, c)`` for an LSTM. Models never look inside it.
- ``as_state(state, N, hidden_size, dtype)``: a state passed in by a user, checked and converted
  (raise ``ValueError``/``TypeError`` naming what is wrong).
- ``detach(state)``: a copy later updates cannot change; truncated BPTT carries it to the next chunk.
- ``forward(ids, state0, params) -> (hs, final_state, cache)``: ids (N, T) integer token ids with
  T >= 1; hs (N, T, H), the hidden vector the output layer reads after each step; final_state the
  state after step T (the next chunk's ``state0``).
- ``backward(dhs, cache) -> (dstate0, grads)``: dhs (N, T, H), the loss gradient with respect to
  every ``hs``; grads a dict keyed by ``param_names``, each shaped like its parameter.

Padding is not the cell's business: a model that batches sequences of different lengths runs the
cell over every step and reads each sequence's hidden vector at its own last real token.
"""

from __future__ import annotations

import numpy as np

from ._validate import shape_is
from .fast_rnn import rnn_backward_ids, rnn_forward_ids


class VanillaRNNCell:
    """``h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)``; the state is h itself, an (N, H) array.

    Parameters: ``Wxh`` (H, V), one column per token (its embedding); ``Whh`` (H, H); ``bh`` (H,).
    forward/backward are ``layers.rnn_forward``/``rnn_backward`` on token ids, run through the
    bit-identical speed path in ``fast_rnn.py``.
    """

    name = "rnn"
    param_names = ("Wxh", "Whh", "bh")

    @staticmethod
    def init_params(vocab_size: int, hidden_size: int, uniform, dtype) -> dict[str, np.ndarray]:
        return {"Wxh": uniform(hidden_size, vocab_size),
                "Whh": uniform(hidden_size, hidden_size),
                "bh": np.zeros(hidden_size, dtype=dtype)}

    @staticmethod
    def initial_state(N: int, hidden_size: int, dtype) -> np.ndarray:
        return np.zeros((N, hidden_size), dtype=dtype)

    @staticmethod
    def as_state(state, N: int, hidden_size: int, dtype) -> np.ndarray:
        h = np.asarray(state)
        if h.dtype.kind not in "fiu":
            raise TypeError(f"the hidden state h0 must be an array of numbers, got dtype {h.dtype}.")
        shape_is(h, (N, hidden_size), "h0")
        if not np.isfinite(h).all():
            raise ValueError("the hidden state h0 holds NaN or inf; start from zeros (h0=None).")
        return h.astype(dtype, copy=False)

    @staticmethod
    def detach(state: np.ndarray) -> np.ndarray:
        return state.copy()

    @staticmethod
    def forward(ids, state0, params):
        """ids (N, T), state0 (N, H) -> hs (N, T, H), final state hs[:, -1] (N, H), cache (see fast_rnn)."""
        hs, cache = rnn_forward_ids(ids, state0, params["Wxh"], params["Whh"], params["bh"])
        return hs, hs[:, -1], cache

    @staticmethod
    def backward(dhs, cache):
        """dhs (N, T, H) -> dh0 (N, H) and the gradients of Wxh (H, V), Whh (H, H), bh (H,)."""
        dh0, dWxh, dWhh, dbh = rnn_backward_ids(dhs, cache)
        return dh0, {"Wxh": dWxh, "Whh": dWhh, "bh": dbh}


CELLS: dict[str, type] = {"rnn": VanillaRNNCell}


def get_cell(name):
    """The cell class registered as ``name`` in ``CELLS``."""
    if not isinstance(name, str) or name not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, got {name!r}.")
    return CELLS[name]
