"""The LSTM and GRU as cells a model can use: ``SentimentRNN(vocab, cell="lstm")``, ``CharRNN(vocab, cell="gru")``.

Each class below is the glue between a model (``models.py``, through the seam described in
``cells.py``) and the layers in ``lstm.py`` and ``gru.py``: fresh parameters, the state a model
carries between chunks of text, and the forward and backward pass over a batch of token ids (N, T).

Parameters (V vocabulary, H hidden size), named as the layers' arguments:

- LSTM: ``Wx`` (4H, V), ``Wh`` (4H, H), ``b`` (4H,); rows stacked input, forget, cell, output.
  The state is the pair ``(h, c)``, two (N, H) arrays.
- GRU: ``Wx`` (3H, V), ``Wh`` (3H, H), ``bx`` (3H,), ``bh`` (3H,); rows stacked reset, update, new.
  The state is ``h``, an (N, H) array.

Initialisation: weights uniform in [-1/sqrt(H), 1/sqrt(H)] like every other weight of the models (and
like ``torch.nn.LSTM``/``GRU``), biases zero except the gate that decides how much of the old state
survives a step. The LSTM's forget-gate bias starts at 1, so f = sigmoid(1), about 0.73, instead of
0.5: the cell starts by remembering, and a gradient travelling back along c shrinks by 0.73 per step
instead of 0.5 (after 20 steps 2e-3 instead of 1e-6), so early words still get a learning signal.
The GRU's update gate z plays the same role (``h = (1 - z) n + z h_prev``: z near 1 keeps h), so its
bias starts at 1 too, for the same reason.
"""

from __future__ import annotations

import numpy as np

from ._validate import shape_is
from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward

FORGET_BIAS = 1.0
"""Initial bias of the LSTM's forget gate and of the GRU's update gate (see the module docstring)."""


def _state_array(value, N: int, hidden_size: int, dtype, name: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":
        raise TypeError(f"the state {name} must be an array of numbers, got dtype {array.dtype}.")
    shape_is(array, (N, hidden_size), name)
    if not np.isfinite(array).all():
        raise ValueError(f"the state {name} holds NaN or inf; start from zeros (h0=None).")
    return array.astype(dtype, copy=False)


class LSTMCell:
    """The LSTM of ``lstm.py`` as a model's cell; its state is the pair ``(h, c)`` of (N, H) arrays."""

    name = "lstm"
    param_names = ("Wx", "Wh", "b")

    @staticmethod
    def init_params(vocab_size: int, hidden_size: int, uniform, dtype) -> dict[str, np.ndarray]:
        H = hidden_size
        b = np.zeros(4 * H, dtype=dtype)
        b[H : 2 * H] = FORGET_BIAS                   # the forget block: start by remembering
        return {"Wx": uniform(4 * H, vocab_size), "Wh": uniform(4 * H, H), "b": b}

    @staticmethod
    def initial_state(N: int, hidden_size: int, dtype) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros((N, hidden_size), dtype=dtype), np.zeros((N, hidden_size), dtype=dtype)

    @staticmethod
    def as_state(state, N: int, hidden_size: int, dtype) -> tuple[np.ndarray, np.ndarray]:
        if not (isinstance(state, (tuple, list)) and len(state) == 2):
            raise TypeError("an LSTM's state is a pair (h, c) of (N, H) arrays, as returned by the model's "
                            f"loss or forward; got {type(state).__name__}.")
        return (_state_array(state[0], N, hidden_size, dtype, "h0"),
                _state_array(state[1], N, hidden_size, dtype, "c0"))

    @staticmethod
    def detach(state):
        return state[0].copy(), state[1].copy()

    @staticmethod
    def forward(ids, state0, params):
        h0, c0 = state0
        hs, cache = lstm_forward(ids, h0, c0, params["Wx"], params["Wh"], params["b"])
        return hs, (hs[:, -1], cache.cs[-1]), cache

    @staticmethod
    def backward(dhs, cache):
        _, dh0, dc0, dWx, dWh, db = lstm_backward(dhs, cache)
        return (dh0, dc0), {"Wx": dWx, "Wh": dWh, "b": db}


class GRUCell:
    """The GRU of ``gru.py`` as a model's cell; its state is h, an (N, H) array."""

    name = "gru"
    param_names = ("Wx", "Wh", "bx", "bh")

    @staticmethod
    def init_params(vocab_size: int, hidden_size: int, uniform, dtype) -> dict[str, np.ndarray]:
        H = hidden_size
        bx = np.zeros(3 * H, dtype=dtype)
        bx[H : 2 * H] = FORGET_BIAS                  # the update block: z near 1 keeps the old state
        return {"Wx": uniform(3 * H, vocab_size), "Wh": uniform(3 * H, H), "bx": bx,
                "bh": np.zeros(3 * H, dtype=dtype)}

    @staticmethod
    def initial_state(N: int, hidden_size: int, dtype) -> np.ndarray:
        return np.zeros((N, hidden_size), dtype=dtype)

    @staticmethod
    def as_state(state, N: int, hidden_size: int, dtype) -> np.ndarray:
        return _state_array(state, N, hidden_size, dtype, "h0")

    @staticmethod
    def detach(state: np.ndarray) -> np.ndarray:
        return state.copy()

    @staticmethod
    def forward(ids, state0, params):
        hs, cache = gru_forward(ids, state0, params["Wx"], params["Wh"], params["bx"], params["bh"])
        return hs, hs[:, -1], cache

    @staticmethod
    def backward(dhs, cache):
        _, dh0, dWx, dWh, dbx, dbh = gru_backward(dhs, cache)
        return dh0, {"Wx": dWx, "Wh": dWh, "bx": dbx, "bh": dbh}
