"""Argument checks shared by the gated cells (``lstm`` and ``gru``).

Like the vanilla RNN in ``layers``, a gated cell reads either floats (N, D) per step, (N, T, D) per
sequence, or integer token ids (N,) / (N, T) that stand for one-hot rows; the input projection itself is
``layers.input_projection`` (an embedding lookup for ids), the same for every cell. G is the number of
stacked gate rows: 4H for the LSTM, 3H for the GRU.
"""

from __future__ import annotations

import numpy as np

from ._validate import finite, float_array, sequence_input, shape_is


def check_weights(Wx, Wh, biases: dict, gates: int, cell: str) -> tuple[int, int]:
    """Check ``Wx (gates*H, D)``, ``Wh (gates*H, H)`` and each bias ``(gates*H,)``; return ``(H, D)``."""
    Wh_shape = np.shape(Wh)
    if len(Wh_shape) != 2 or Wh_shape[1] < 1 or Wh_shape[0] != gates * Wh_shape[1]:
        raise ValueError(f"Wh should have shape ({gates}H, H) for the {cell} ({gates} gate blocks stacked), "
                         f"but it has shape {tuple(Wh_shape)}.")
    H = Wh_shape[1]
    shape_is(Wx, (gates * H, None), f"Wx ({gates}H, D) with H={H}")
    for name, bias in biases.items():
        shape_is(bias, (gates * H,), f"{name} ({gates}H,) with H={H}")
    for name, array in {"Wx": Wx, "Wh": Wh, **biases}.items():
        finite(float_array(array, name), name)      # one NaN weight would turn every state into NaN
    return H, np.shape(Wx)[1]


def check_state(state, N, H: int, name: str) -> np.ndarray:
    """``state`` as an array of shape (N, H); ``N=None`` accepts any batch size."""
    state = np.asarray(state)
    if state.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be an array of numbers, got dtype {state.dtype}.")
    shape_is(state, (N, H), name)
    finite(state, name)
    return state


def check_sequence(x, D: int) -> np.ndarray:
    """x as an array after checking it is a batch of sequences: (N, T, D) floats or (N, T) ids, T >= 1."""
    x = np.asarray(x)
    sequence_input(x, D, "Wx")
    return x
