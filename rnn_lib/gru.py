"""The GRU cell, one step and a whole sequence, forward and backward, with PyTorch's equations and layout.

One step, for a batch (N rows), with ``gx = Wx x + bx`` and ``gh = Wh h_prev + bh`` each split into three
blocks of H (reset, update, new)::

    r = sigmoid(gx_r + gh_r)          reset gate: how much of the old state the candidate may read
    z = sigmoid(gx_z + gh_z)          update gate: how much of the old state to keep
    n = tanh(gx_n + r * gh_n)         candidate state
    h = (1 - z) * n + z * h_prev

Shapes: ``Wx (3H, D)``, ``Wh (3H, H)``, ``bx (3H,)``, ``bh (3H,)``, exactly ``torch.nn.GRUCell``'s
``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``. The GRU needs both biases because ``bh_n`` sits
inside the reset product. ``x`` is (N, D) floats or (N,) token ids; ``h`` is (N, H).

Backward: ``h`` reaches ``h_prev`` through ``z`` directly (no weight matrix, no squashing), so while the
update gate stays near 1 a gradient crosses many steps nearly unchanged.
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

GATE_NAMES = ("reset", "update", "new")
"""The three blocks of rows of ``Wx``, ``Wh``, ``bx`` and ``bh``, in order."""


class GRUStepCache(NamedTuple):
    """What ``gru_step_backward`` needs: x (N, D) or ids (N,); h_prev (N, H); Wx (3H, D); Wh (3H, H);
    gates (N, 3H) = [r, z, n] after their squashing; gh_n (N, H) = the new block of ``Wh h_prev + bh``."""

    x: np.ndarray
    h_prev: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray
    gates: np.ndarray
    gh_n: np.ndarray


class GRUCache(NamedTuple):
    """What ``gru_backward`` needs: x (N, T, D) or ids (N, T); h0 (N, H); Wx (3H, D); Wh (3H, H);
    gates (T, N, 3H) = [r, z, n] of every step; gh_n (T, N, H); hs (T, N, H), every hidden state
    (time first); mask None or (N, T) booleans. ``gru_gates(cache)`` gives the gates batch first."""

    x: np.ndarray
    h0: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray
    gates: np.ndarray
    gh_n: np.ndarray
    hs: np.ndarray
    mask: np.ndarray | None


def _cell(gx, h_prev, WhT, bh, gates=None):
    """The step arithmetic from the projected input ``Wx x + bx`` (N, 3H): returns h, gates (N, 3H), gh_n.

    gates: optional (N, 3H) array to write the gates into (the sequence loop passes its slice for step t).
    """
    H = h_prev.shape[1]
    gh = h_prev @ WhT + bh
    if gates is None:
        gates = np.empty_like(gx, dtype=np.result_type(gx, gh))
    rz = gates[:, : 2 * H]
    np.add(gx[:, : 2 * H], gh[:, : 2 * H], out=rz)       # r, z = sigmoid(...) = (1 + tanh(a / 2)) / 2, in place
    rz *= 0.5
    np.tanh(rz, out=rz)
    rz += 1.0
    rz *= 0.5
    gh_n = gh[:, 2 * H :]
    np.tanh(gx[:, 2 * H :] + gates[:, :H] * gh_n, out=gates[:, 2 * H :])   # n
    z, n = gates[:, H : 2 * H], gates[:, 2 * H :]
    return n + z * (h_prev - n), gates, gh_n            # = (1 - z) n + z h_prev, one product fewer


def _cell_backward(dh, gates, gh_n, h_prev, x_rows, Wx, Wh, need_dx):
    """The arithmetic of one step's backward pass on float input rows (N, D), without argument checks."""
    H = dh.shape[1]
    r, z, n = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H :]
    da_n = dh * (1.0 - z) * (1.0 - n * n)               # through h = (1 - z) n + ..., then tanh
    dgx = np.empty_like(gates)
    dgx[:, :H] = da_n * gh_n * r * (1.0 - r)            # n read gh_n through r
    dgx[:, H : 2 * H] = dh * (h_prev - n) * z * (1.0 - z)
    dgx[:, 2 * H :] = da_n
    dgh = dgx.copy()
    dgh[:, 2 * H :] = da_n * r                          # gh_n entered n multiplied by r
    dh_prev = dh * z + dgh @ Wh                         # the direct path through z, and through every gate
    dx = dgx @ Wx if need_dx else None
    return dx, dh_prev, dgx.T @ x_rows, dgh.T @ h_prev, dgx.sum(axis=0), dgh.sum(axis=0)


# --- one time step ------------------------------------------------------------------------------

def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    """One GRU step for a batch.

    x: (N, D) floats or (N,) token ids. h_prev: (N, H). Wx (3H, D), Wh (3H, H), bx (3H,), bh (3H,).
    Returns ``(h, cache)``: h (N, H), cache a ``GRUStepCache`` for ``gru_step_backward``.
    """
    H, D = check_weights(Wx, Wh, {"bx": bx, "bh": bh}, 3, "GRU")
    h_prev = check_state(h_prev, None, H, "h_prev")
    gx = step_projection(x, h_prev.shape[0], D, Wx) + bx
    h, gates, gh_n = _cell(gx, h_prev, Wh.T, bh)
    return h, GRUStepCache(np.asarray(x), h_prev, Wx, Wh, gates, gh_n)


def gru_step_backward(dh, cache):
    """Backward pass of one GRU step.

    dh: gradient of the loss with respect to this step's h, (N, H).
    Returns ``(dx, dh_prev, dWx, dWh, dbx, dbh)``, each shaped like its forward input; ``dx`` is None
    when x held token ids (their gradient goes to the gathered columns of ``dWx``).
    """
    x, h_prev, Wx, Wh, gates, gh_n = cache
    dh = np.asarray(dh)
    shape_is(dh, h_prev.shape, "dh")        # a wrongly shaped gradient would broadcast silently
    ids = is_ids(x)
    x_rows = input_rows(x[:, None], Wx.shape[1], Wx.dtype)[0] if ids else x
    return _cell_backward(dh, gates, gh_n, h_prev, x_rows, Wx, Wh, need_dx=not ids)


# --- a whole sequence ---------------------------------------------------------------------------

def gru_forward(x, h0, Wx, Wh, bx, bh, mask=None):
    """Run the GRU over a batch of sequences: the step above, looped over time.

    x: (N, T, D) floats or (N, T) token ids. h0: initial state (N, H). Wx (3H, D), Wh (3H, H), bx, bh (3H,).
    mask: optional (N, T) booleans of a right-padded batch (``pad_batch``), False on padding; there h is
    carried over unchanged, so ``hs[:, -1]`` is each sequence's last real state.
    Returns ``(hs, cache)``: hs (N, T, H), every step's hidden state, and a ``GRUCache``.
    """
    H, D = check_weights(Wx, Wh, {"bx": bx, "bh": bh}, 3, "GRU")
    x, gx = sequence_projection(x, D, Wx, bx)
    T, N = gx.shape[:2]
    h0 = check_state(h0, N, H, "h0")
    mask = check_mask(mask, N, T)
    dtype = np.result_type(gx, h0, Wh)
    gates_all = np.empty((T, N, 3 * H), dtype=dtype)
    gh_all, hs = np.empty((T, N, H), dtype=dtype), np.empty((T, N, H), dtype=dtype)
    WhT = Wh.T
    h = h0
    for t in range(T):
        h_new, _, gh_all[t] = _cell(gx[t], h, WhT, bh, gates_all[t])
        if mask is not None:
            h_new = np.where(mask[:, t, None], h_new, h)
        hs[t] = h = h_new
    return hs.transpose(1, 0, 2), GRUCache(x, h0, Wx, Wh, gates_all, gh_all, hs, mask)


def gru_backward(dhs, cache):
    """Backpropagation through time: ``gru_step_backward``'s arithmetic, looped from the last step to the first.

    dhs: gradient of the loss with respect to every hidden state, (N, T, H) (zeros where the loss does
    not read a state). Returns ``(dx, dh0, dWx, dWh, dbx, dbh)``; ``dx`` is None for token ids.
    """
    x, h0, Wx, Wh, gates, gh_n, hs, mask = cache
    T, N, H = hs.shape
    dhs = np.asarray(dhs)
    shape_is(dhs, (N, T, H), "dhs")
    ids = is_ids(x)
    x_rows = input_rows(x, Wx.shape[1], Wx.dtype)
    dx = None if ids else np.zeros_like(x, dtype=np.result_type(x, Wx))
    keep = None if mask is None else mask.astype(hs.dtype)[:, :, None]   # (N, T, 1): 1 real, 0 padding
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    dbx, dbh = np.zeros(3 * H, dtype=Wh.dtype), np.zeros(3 * H, dtype=Wh.dtype)
    dh_next = np.zeros_like(h0, dtype=hs.dtype)
    for t in reversed(range(T)):
        h_prev = hs[t - 1] if t > 0 else h0
        dh_t = dhs[:, t] + dh_next              # h_t feeds both the loss and the next step
        if keep is not None:
            # A padded step copied h forward unchanged: its gradient passes straight through.
            dh_skip = dh_t * (1.0 - keep[:, t])
            dh_t = dh_t * keep[:, t]
        dx_t, dh_next, dWx_t, dWh_t, dbx_t, dbh_t = _cell_backward(
            dh_t, gates[t], gh_n[t], h_prev, x_rows[t], Wx, Wh, need_dx=not ids)
        if keep is not None:
            dh_next += dh_skip
        # The same weights act at every step, so their gradients add up over time.
        dWx += dWx_t
        dWh += dWh_t
        dbx += dbx_t
        dbh += dbh_t
        if dx is not None:
            dx[:, t] = dx_t
    return dx, dh_next, dWx, dWh, dbx, dbh


def gru_gates(cache: GRUCache) -> dict[str, np.ndarray]:
    """The three gates of every step, batch first: ``{"reset", "update", "new"}``, each (N, T, H)."""
    H = cache.hs.shape[2]
    return {name: cache.gates[:, :, k * H : (k + 1) * H].transpose(1, 0, 2) for k, name in enumerate(GATE_NAMES)}
