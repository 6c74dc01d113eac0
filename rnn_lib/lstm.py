"""The LSTM cell, one step and a whole sequence, forward and backward, in PyTorch's gate layout.

One step, for a batch (N rows), with ``a = Wx x + Wh h_prev + b`` split into four blocks of H::

    i = sigmoid(a_i)      input gate: how much of the candidate to write
    f = sigmoid(a_f)      forget gate: how much of the old cell state to keep
    g = tanh(a_g)         candidate cell content
    o = sigmoid(a_o)      output gate: how much of the cell to show
    c = f * c_prev + i * g
    h = o * tanh(c)

Shapes: ``Wx (4H, D)``, ``Wh (4H, H)``, ``b (4H,)``, rows stacked input, forget, cell (g), output, as
``torch.nn.LSTMCell``'s ``weight_ih``, ``weight_hh`` and ``bias_ih + bias_hh``. ``x`` is (N, D) floats or
(N,) token ids (column ``x`` of ``Wx``, the one-hot product without the zeros); ``h``, ``c`` are (N, H).

Backward: ``c`` reaches ``c_prev`` through ``f`` alone, an elementwise product with no squashing, so
while the forget gate stays near 1 a gradient crosses many steps nearly unchanged: the cell state is
the gradient's highway.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._gate_inputs import (
    check_mask,
    check_state,
    check_weights,
    input_rows,
    is_ids,
    sequence_projection,
    step_projection,
)
from ._validate import shape_is

GATE_NAMES = ("input", "forget", "cell", "output")
"""The four blocks of rows of ``Wx``, ``Wh`` and ``b``, in order."""


class LSTMStepCache(NamedTuple):
    """What ``lstm_step_backward`` needs: x (N, D) or ids (N,); h_prev, c_prev (N, H); Wx (4H, D);
    Wh (4H, H); gates (N, 4H) = [i, f, g, o] after their squashing; c and tanh_c (N, H)."""

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray
    gates: np.ndarray
    c: np.ndarray
    tanh_c: np.ndarray


class LSTMCache(NamedTuple):
    """What ``lstm_backward`` needs: x (N, T, D) or ids (N, T); h0, c0 (N, H); Wx (4H, D); Wh (4H, H);
    gates (T, N, 4H) = [i, f, g, o] of every step; cs, tanh_cs and hs (T, N, H), every cell state, its
    tanh and every hidden state (time first); mask None or (N, T) booleans. ``lstm_gates(cache)`` gives
    the gates batch first."""

    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray
    gates: np.ndarray
    cs: np.ndarray
    tanh_cs: np.ndarray
    hs: np.ndarray
    mask: np.ndarray | None


def _cell(x_proj, h_prev, c_prev, WhT, gates=None):
    """The step arithmetic from the projected input ``Wx x + b`` (N, 4H): returns gates (N, 4H), c, tanh(c).

    gates: optional (N, 4H) array to write the gates into (the sequence loop passes its slice for step t).
    """
    a = x_proj + h_prev @ WhT
    H = h_prev.shape[1]
    # sigmoid(a) = (1 + tanh(a / 2)) / 2 on all four blocks in place, then the cell block's tanh over it:
    # fewer numpy calls than four separate slices.
    gates = np.multiply(a, 0.5, out=gates)
    np.tanh(gates, out=gates)
    gates += 1.0
    gates *= 0.5
    np.tanh(a[:, 2 * H : 3 * H], out=gates[:, 2 * H : 3 * H])
    i, f, g = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H]
    c = f * c_prev + i * g
    return gates, c, np.tanh(c)


def _cell_backward(dh, dc, gates, c_prev, tanh_c, h_prev, x_rows, Wx, Wh, need_dx):
    """The arithmetic of one step's backward pass on float input rows (N, D), without argument checks."""
    H = dh.shape[1]
    i, f, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
    dc = dc + dh * o * (1.0 - tanh_c * tanh_c)         # c reaches the loss directly and through h
    da = np.empty_like(gates)                           # first the gradient of each gate's output
    np.multiply(dc, g, out=da[:, :H])
    np.multiply(dc, c_prev, out=da[:, H : 2 * H])
    np.multiply(dc, i, out=da[:, 2 * H : 3 * H])
    np.multiply(dh, tanh_c, out=da[:, 3 * H :])
    local = gates * (1.0 - gates)                       # sigmoid' = s (1 - s) ...
    local[:, 2 * H : 3 * H] = 1.0 - g * g               # ... and tanh' = 1 - tanh^2 for the cell block
    da *= local                                         # then through each gate's squashing
    dc_prev = dc * f                                    # the highway: no weight matrix, no squashing
    dh_prev = da @ Wh
    dx = da @ Wx if need_dx else None
    return dx, dh_prev, dc_prev, da.T @ x_rows, da.T @ h_prev, da.sum(axis=0)


# --- one time step ------------------------------------------------------------------------------

def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step for a batch.

    x: (N, D) floats or (N,) token ids. h_prev, c_prev: (N, H). Wx (4H, D), Wh (4H, H), b (4H,).
    Returns ``(h, c, cache)``: h and c (N, H), cache an ``LSTMStepCache`` for ``lstm_step_backward``.
    """
    H, D = check_weights(Wx, Wh, {"b": b}, 4, "LSTM")
    h_prev = check_state(h_prev, None, H, "h_prev")
    N = h_prev.shape[0]
    c_prev = check_state(c_prev, N, H, "c_prev")
    x_proj = step_projection(x, N, D, Wx) + b
    gates, c, tanh_c = _cell(x_proj, h_prev, c_prev, Wh.T)
    h = gates[:, 3 * H :] * tanh_c
    return h, c, LSTMStepCache(np.asarray(x), h_prev, c_prev, Wx, Wh, gates, c, tanh_c)


def lstm_step_backward(dh, dc, cache):
    """Backward pass of one LSTM step.

    dh, dc: gradients of the loss with respect to this step's h and c, (N, H) each.
    Returns ``(dx, dh_prev, dc_prev, dWx, dWh, db)``, each shaped like its forward input; ``dx`` is
    None when x held token ids (their gradient goes to the gathered columns of ``dWx``).
    """
    x, h_prev, c_prev, Wx, Wh, gates, c, tanh_c = cache
    dh, dc = np.asarray(dh), np.asarray(dc)
    shape_is(dh, c.shape, "dh")             # a wrongly shaped gradient would broadcast silently
    shape_is(dc, c.shape, "dc")
    ids = is_ids(x)
    x_rows = input_rows(x[:, None], Wx.shape[1], Wx.dtype)[0] if ids else x
    return _cell_backward(dh, dc, gates, c_prev, tanh_c, h_prev, x_rows, Wx, Wh, need_dx=not ids)


# --- a whole sequence ---------------------------------------------------------------------------

def lstm_forward(x, h0, c0, Wx, Wh, b, mask=None):
    """Run the LSTM over a batch of sequences: the step above, looped over time.

    x: (N, T, D) floats or (N, T) token ids. h0, c0: initial states (N, H). Wx (4H, D), Wh (4H, H), b (4H,).
    mask: optional (N, T) booleans of a right-padded batch (``pad_batch``), False on padding; there h and c
    are carried over unchanged, so ``hs[:, -1]`` is each sequence's last real state.
    Returns ``(hs, cache)``: hs (N, T, H), every step's hidden state; cache an ``LSTMCache``, whose
    ``cs[-1]`` (N, H) is the last cell state (to carry into the next chunk of a long text).
    """
    H, D = check_weights(Wx, Wh, {"b": b}, 4, "LSTM")
    x, x_proj = sequence_projection(x, D, Wx, b)
    T, N = x_proj.shape[:2]
    h0, c0 = check_state(h0, N, H, "h0"), check_state(c0, N, H, "c0")
    mask = check_mask(mask, N, T)
    dtype = np.result_type(x_proj, h0, c0)
    gates_all = np.empty((T, N, 4 * H), dtype=dtype)
    hs, cs, tanh_cs = (np.empty((T, N, H), dtype=dtype) for _ in range(3))
    WhT = Wh.T
    h, c = h0, c0
    for t in range(T):
        gates, c_new, tanh_cs[t] = _cell(x_proj[t], h, c, WhT, gates_all[t])
        h_new = gates[:, 3 * H :] * tanh_cs[t]
        if mask is not None:
            keep = mask[:, t, None]
            h_new, c_new = np.where(keep, h_new, h), np.where(keep, c_new, c)
        hs[t], cs[t] = h_new, c_new
        h, c = h_new, c_new
    return hs.transpose(1, 0, 2), LSTMCache(x, h0, c0, Wx, Wh, gates_all, cs, tanh_cs, hs, mask)


def lstm_backward(dhs, cache):
    """Backpropagation through time: ``lstm_step_backward``'s arithmetic, looped from the last step to the first.

    dhs: gradient of the loss with respect to every hidden state, (N, T, H) (zeros where the loss does
    not read a state). Returns ``(dx, dh0, dc0, dWx, dWh, db)``; ``dx`` is None for token ids.
    """
    x, h0, c0, Wx, Wh, gates, cs, tanh_cs, hs, mask = cache
    T, N, H = hs.shape
    dhs = np.asarray(dhs)
    shape_is(dhs, (N, T, H), "dhs")
    ids = is_ids(x)
    x_rows = input_rows(x, Wx.shape[1], Wx.dtype)
    dx = None if ids else np.zeros_like(x, dtype=np.result_type(x, Wx))
    keep = None if mask is None else mask.astype(hs.dtype)[:, :, None]   # (N, T, 1): 1 real, 0 padding
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H, dtype=Wh.dtype)
    dh_next, dc_next = np.zeros_like(h0, dtype=hs.dtype), np.zeros_like(c0, dtype=hs.dtype)
    for t in reversed(range(T)):
        h_prev, c_prev = (hs[t - 1], cs[t - 1]) if t > 0 else (h0, c0)
        dh_t = dhs[:, t] + dh_next              # h_t feeds both the loss and the next step
        dc_t = dc_next
        if keep is not None:
            # A padded step copied h and c forward unchanged: their gradients pass straight through.
            dh_skip, dc_skip = dh_t * (1.0 - keep[:, t]), dc_t * (1.0 - keep[:, t])
            dh_t, dc_t = dh_t * keep[:, t], dc_t * keep[:, t]
        dx_t, dh_next, dc_next, dWx_t, dWh_t, db_t = _cell_backward(
            dh_t, dc_t, gates[t], c_prev, tanh_cs[t], h_prev, x_rows[t], Wx, Wh, need_dx=not ids)
        if keep is not None:
            dh_next += dh_skip
            dc_next += dc_skip
        # The same weights act at every step, so their gradients add up over time.
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
        if dx is not None:
            dx[:, t] = dx_t
    return dx, dh_next, dc_next, dWx, dWh, db


def lstm_gates(cache: LSTMCache) -> dict[str, np.ndarray]:
    """The four gates of every step, batch first: ``{"input", "forget", "cell", "output"}``, each (N, T, H)."""
    H = cache.hs.shape[2]
    return {name: cache.gates[:, :, k * H : (k + 1) * H].transpose(1, 0, 2) for k, name in enumerate(GATE_NAMES)}
