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

from ._gate_inputs import check_sequence, check_state, check_weights
from ._validate import sequence_lengths, shape_is, step_input

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
    """What ``lstm_backward`` needs: steps, the T ``LSTMStepCache`` of ``lstm_step_forward`` in time order,
    and lengths (N,) or None without a mask. ``cs`` (T, N, H) stacks the cell states; ``lstm_gates(cache)``
    gives the gates batch first."""

    steps: list[LSTMStepCache]
    lengths: np.ndarray | None

    @property
    def cs(self) -> np.ndarray:
        """Every step's cell state, time first (T, N, H), padded steps holding the last real one: ``cs[-1]``
        (N, H) is the state to carry into the next chunk of a long text."""
        cs = np.stack([step.c for step in self.steps], axis=1)
        if self.lengths is not None:
            cs = hold_last_state(cs, self.lengths)
        return cs.transpose(1, 0, 2)


def _cell(x_proj, h_prev, c_prev, WhT):
    """The step arithmetic from the projected input ``Wx x + b`` (N, 4H): returns gates (N, 4H), c, tanh(c)."""
    a = x_proj + h_prev @ WhT
    H = h_prev.shape[1]
    # sigmoid(a) = (1 + tanh(a / 2)) / 2 on all four blocks in place, then the cell block's tanh over it:
    # fewer numpy calls than four separate slices.
    gates = a * 0.5
    np.tanh(gates, out=gates)
    gates += 1.0
    gates *= 0.5
    np.tanh(a[:, 2 * H : 3 * H], out=gates[:, 2 * H : 3 * H])
    i, f, g = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H]
    c = f * c_prev + i * g
    return gates, c, np.tanh(c)


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
    step_input(x, N, D, "Wx")
    x_proj = input_projection(x, Wx) + b
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
    # Token ids have no gradient; their one-hot rows give dWx its gathered columns.
    dx, dWx = input_projection_backward(da, x, Wx)
    return dx, dh_prev, dc_prev, dWx, da.T @ h_prev, da.sum(axis=0)


# --- a whole sequence ---------------------------------------------------------------------------

def lstm_forward(x, h0, c0, Wx, Wh, b, mask=None):
    """Run the LSTM over a batch of sequences: ``lstm_step_forward`` once per time step.

    x: (N, T, D) floats or (N, T) token ids. h0, c0: initial states (N, H). Wx (4H, D), Wh (4H, H), b (4H,).
    mask: optional (N, T) booleans of a right-padded batch (``pad_batch``), False on padding. The
    recurrence itself ignores it: every step is computed, then each padded position is given its
    sequence's last real state (``layers.hold_last_state``), so ``hs[:, -1]`` is that state for every sequence.
    Returns ``(hs, cache)``: hs (N, T, H), every step's hidden state; cache an ``LSTMCache`` of the T step
    caches and the lengths (N,) (None without a mask), whose ``cs[-1]`` (N, H) is the last cell state.
    """
    H, D = check_weights(Wx, Wh, {"b": b}, 4, "LSTM")
    x = check_sequence(x, D)
    N, T = x.shape[:2]
    h, c = check_state(h0, N, H, "h0"), check_state(c0, N, H, "c0")
    lengths = None if mask is None else sequence_lengths(mask, (N, T))
    hs, steps = [], []
    for t in range(T):
        h, c, step = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        hs.append(h)
        steps.append(step)
    hs = np.stack(hs, axis=1)
    if lengths is not None:
        hs = hold_last_state(hs, lengths)
    return hs, LSTMCache(steps, lengths)


def lstm_backward(dhs, cache):
    """Backpropagation through time: ``lstm_step_backward`` once per step, from the last step to the first.

    dhs: gradient of the loss with respect to every hidden state, (N, T, H) (zeros where the loss does
    not read a state). Returns ``(dx, dh0, dc0, dWx, dWh, db)``; ``dx`` is None for token ids.
    """
    steps, lengths = cache
    T, (N, H) = len(steps), steps[0].c.shape
    Wx, Wh = steps[0].Wx, steps[0].Wh
    dhs = np.asarray(dhs)
    shape_is(dhs, (N, T, H), "dhs")         # a wrongly shaped gradient would broadcast silently
    if lengths is not None:
        dhs = hold_last_state_backward(dhs, lengths)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H, dtype=Wh.dtype)
    dh_next = dc_next = np.zeros((N, H), dtype=steps[-1].c.dtype)   # the gradients arriving from step t + 1
    dxs = []
    for t in reversed(range(T)):
        # h_t feeds both the loss (dhs[:, t]) and the next step (dh_next); c_t only the next step.
        dx_t, dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(dhs[:, t] + dh_next, dc_next, steps[t])
        # The same weights act at every step, so their gradients add up over time.
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
        dxs.append(dx_t)
    dx = None if dxs[0] is None else np.stack(dxs[::-1], axis=1)
    return dx, dh_next, dc_next, dWx, dWh, db


def lstm_gates(cache: LSTMCache) -> dict[str, np.ndarray]:
    """The four gates of every step, batch first: ``{"input", "forget", "cell", "output"}``, each (N, T, H)."""
    gates = np.stack([step.gates for step in cache.steps], axis=1)     # (N, T, 4H)
    H = gates.shape[2] // 4
    return {name: gates[:, :, k * H : (k + 1) * H] for k, name in enumerate(GATE_NAMES)}


# Last: layers imports this module at its own end, so either of the two can be imported first.
from .layers import (  # noqa: E402
    hold_last_state,
    hold_last_state_backward,
    input_projection,
    input_projection_backward,
)
