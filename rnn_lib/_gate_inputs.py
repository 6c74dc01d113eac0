"""Input handling shared by the gated cells (``lstm`` and ``gru``): argument checks, the input projection.

Like the vanilla RNN in ``layers``, a gated cell reads either floats (N, D) per step, (N, T, D) per
sequence, or integer token ids (N,) / (N, T) that stand for one-hot rows: the product of a one-hot row
with ``Wx`` (G, D) is one column of ``Wx``, so the id path gathers columns. G is the number of stacked
gate rows: 4H for the LSTM, 3H for the GRU.
"""

from __future__ import annotations

import numpy as np

from ._validate import finite, float_array, is_token_ids, shape_is

is_ids = is_token_ids      # True for integer ids, False for floats, a TypeError for anything else


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


def check_id_range(ids: np.ndarray, D: int) -> None:
    # Without this a negative id would silently pick a column from the end of Wx.
    if ids.size and (ids.min() < 0 or ids.max() >= D):
        raise ValueError(f"token ids must lie in 0..{D - 1} (one per column of Wx), "
                         f"got values from {ids.min()} to {ids.max()}.")


def check_state(state, N, H: int, name: str) -> np.ndarray:
    """``state`` as an array of shape (N, H); ``N=None`` accepts any batch size."""
    state = np.asarray(state)
    if state.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be an array of numbers, got dtype {state.dtype}.")
    shape_is(state, (N, H), name)
    finite(state, name)
    return state


def step_projection(x, N: int, D: int, Wx: np.ndarray) -> np.ndarray:
    """``Wx x`` for one step: x (N, D) floats or (N,) ids; returns (N, G)."""
    x = np.asarray(x)
    if is_ids(x):
        shape_is(x, (N,), "x (token ids)")
        check_id_range(x, D)
        return Wx.T[x]
    shape_is(x, (N, D), "x")
    finite(x, "x")
    return x @ Wx.T


def check_sequence(x, D: int) -> np.ndarray:
    """x as an array after checking it is a batch of sequences: (N, T, D) floats or (N, T) ids, T >= 1."""
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"x should have shape (N, T) of ids or (N, T, D) of floats, but it has shape {x.shape}.")
    N, T = x.shape[:2]
    if T == 0:
        raise ValueError(f"x has shape {x.shape}: no time steps (T=0); a sequence needs at least one step.")
    if is_ids(x):
        shape_is(x, (N, T), "x (token ids)")
        check_id_range(x, D)
    else:
        shape_is(x, (N, T, D), "x")
        finite(x, "x")
    return x


def input_rows(x: np.ndarray, D: int, dtype) -> np.ndarray:
    """The float input rows (N, D) of one step: one-hot rows for ids (N,), else x itself."""
    if is_ids(x):
        rows = np.zeros(x.shape + (D,), dtype=dtype)
        np.put_along_axis(rows, x[:, None], 1.0, axis=-1)
        return rows
    return x

