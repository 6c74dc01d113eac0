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

from ._gate_inputs import check_sequence, check_state, check_weights
from ._validate import sequence_lengths, shape_is, step_input

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
    """What ``gru_backward`` needs: steps, the T ``GRUStepCache`` of ``gru_step_forward`` in time order, and
    lengths (N,) or None without a mask. ``gru_gates(cache)`` gives the gates batch first."""

    steps: list[GRUStepCache]
    lengths: np.ndarray | None


def _cell(gx, h_prev, WhT, bh):
    """The step arithmetic from the projected input ``Wx x + bx`` (N, 3H): returns h, gates (N, 3H), gh_n."""
    H = h_prev.shape[1]
    gh = h_prev @ WhT + bh
    gates = np.empty_like(gx, dtype=np.result_type(gx, gh))
    rz = gates[:, : 2 * H]
    np.add(gx[:, : 2 * H], gh[:, : 2 * H], out=rz)       # r, z = sigmoid(...) = (1 + tanh(a / 2)) / 2, in place
    rz *= 0.5
    np.tanh(rz, out=rz)
    rz += 1.0
    rz *= 0.5
    gh_n = gh[:, 2 * H :].copy()          # a compact copy: the step cache keeps it, not all of gh
    np.tanh(gx[:, 2 * H :] + gates[:, :H] * gh_n, out=gates[:, 2 * H :])   # n
    z, n = gates[:, H : 2 * H], gates[:, 2 * H :]
    return n + z * (h_prev - n), gates, gh_n            # = (1 - z) n + z h_prev, one product fewer


# --- one time step ------------------------------------------------------------------------------

def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    """One GRU step for a batch.

    x: (N, D) floats or (N,) token ids. h_prev: (N, H). Wx (3H, D), Wh (3H, H), bx (3H,), bh (3H,).
    Returns ``(h, cache)``: h (N, H), cache a ``GRUStepCache`` for ``gru_step_backward``.
    """
    H, D = check_weights(Wx, Wh, {"bx": bx, "bh": bh}, 3, "GRU")
    h_prev = check_state(h_prev, None, H, "h_prev")
    step_input(x, h_prev.shape[0], D, "Wx")
    gx = input_projection(x, Wx) + bx
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
    # Token ids have no gradient; their one-hot rows give dWx its gathered columns.
    dx, dWx = input_projection_backward(dgx, x, Wx)
    return dx, dh_prev, dWx, dgh.T @ h_prev, dgx.sum(axis=0), dgh.sum(axis=0)


# --- a whole sequence ---------------------------------------------------------------------------

def gru_forward(x, h0, Wx, Wh, bx, bh, mask=None):
    """Run the GRU over a batch of sequences: ``gru_step_forward`` once per time step.

    x: (N, T, D) floats or (N, T) token ids. h0: initial state (N, H). Wx (3H, D), Wh (3H, H), bx, bh (3H,).
    mask: optional (N, T) booleans of a right-padded batch (``pad_batch``), False on padding. The
    recurrence itself ignores it: every step is computed, then each padded position is given its
    sequence's last real state (``layers.hold_last_state``), so ``hs[:, -1]`` is that state for every sequence.
    Returns ``(hs, cache)``: hs (N, T, H), every step's hidden state, and a ``GRUCache`` of the T step
    caches and the lengths (N,) (None without a mask).
    """
    H, D = check_weights(Wx, Wh, {"bx": bx, "bh": bh}, 3, "GRU")
    x = check_sequence(x, D)
    N, T = x.shape[:2]
    h = check_state(h0, N, H, "h0")
    lengths = None if mask is None else sequence_lengths(mask, (N, T))
    hs, steps = [], []
    for t in range(T):
        h, step = gru_step_forward(x[:, t], h, Wx, Wh, bx, bh)
        hs.append(h)
        steps.append(step)
    hs = np.stack(hs, axis=1)
    if lengths is not None:
        hs = hold_last_state(hs, lengths)
    return hs, GRUCache(steps, lengths)


def gru_backward(dhs, cache):
    """Backpropagation through time: ``gru_step_backward`` once per step, from the last step to the first.

    dhs: gradient of the loss with respect to every hidden state, (N, T, H) (zeros where the loss does
    not read a state). Returns ``(dx, dh0, dWx, dWh, dbx, dbh)``; ``dx`` is None for token ids.
    """
    steps, lengths = cache
    T, (N, H) = len(steps), steps[0].gh_n.shape
    Wx, Wh = steps[0].Wx, steps[0].Wh
    dhs = np.asarray(dhs)
    shape_is(dhs, (N, T, H), "dhs")         # a wrongly shaped gradient would broadcast silently
    if lengths is not None:
        dhs = hold_last_state_backward(dhs, lengths)
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    dbx, dbh = np.zeros(3 * H, dtype=Wh.dtype), np.zeros(3 * H, dtype=Wh.dtype)
    dh_next = np.zeros((N, H), dtype=steps[-1].gates.dtype)      # the gradient arriving from step t + 1
    dxs = []
    for t in reversed(range(T)):
        # h_t feeds both the loss (dhs[:, t]) and the next step (dh_next).
        dx_t, dh_next, dWx_t, dWh_t, dbx_t, dbh_t = gru_step_backward(dhs[:, t] + dh_next, steps[t])
        # The same weights act at every step, so their gradients add up over time.
        dWx += dWx_t
        dWh += dWh_t
        dbx += dbx_t
        dbh += dbh_t
        dxs.append(dx_t)
    dx = None if dxs[0] is None else np.stack(dxs[::-1], axis=1)
    return dx, dh_next, dWx, dWh, dbx, dbh


def gru_gates(cache: GRUCache) -> dict[str, np.ndarray]:
    """The three gates of every step, batch first: ``{"reset", "update", "new"}``, each (N, T, H)."""
    gates = np.stack([step.gates for step in cache.steps], axis=1)     # (N, T, 3H)
    H = gates.shape[2] // 3
    return {name: gates[:, :, k * H : (k + 1) * H] for k, name in enumerate(GATE_NAMES)}


# Last: layers imports this module at its own end, so either of the two can be imported first.
from .layers import (  # noqa: E402
    hold_last_state,
    hold_last_state_backward,
    input_projection,
    input_projection_backward,
)
