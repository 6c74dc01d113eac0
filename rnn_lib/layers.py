"""The building blocks of a vanilla RNN, each as a forward/backward pair.

Every ``*_forward`` returns ``(out, cache)``; the matching ``*_backward`` takes ``(dout, cache)`` and
returns the gradients in the order of the forward inputs. A gradient ``d<name>`` has the shape of
``<name>``.

Dimensions: N batch, T time steps, D input size, H hidden size, K outputs (classes or vocabulary).
Parameter shapes follow the equations (and PyTorch): ``Wxh (H, D)``, ``Whh (H, H)``, ``bh (H,)``,
``Why (K, H)``, ``by (K,)``.

The input ``x`` of the sequence functions is either a float array (N, T, D) or an integer array of
token ids (N, T). Ids stand for one-hot rows: multiplying a one-hot vector by ``Wxh`` just picks one
column of ``Wxh``, so the id path gathers columns instead of multiplying by a matrix that is almost
all zeros. Both give the same numbers (``one_hot_matmul`` shows it).
"""

from __future__ import annotations

import numpy as np

from ._validate import shape_is


def _is_ids(x: np.ndarray) -> bool:
    return np.asarray(x).dtype.kind in "iu"


def _check_rnn_params(Wxh, Whh, bh):
    H = Whh.shape[0] if np.ndim(Whh) == 2 else None
    shape_is(Whh, (H, H), "Whh")
    shape_is(Wxh, (H, None), "Wxh")
    shape_is(bh, (H,), "bh")
    return H, Wxh.shape[1]


def _check_id_range(ids: np.ndarray, size: int) -> None:
    # Without this a negative id would silently pick a column from the end of Wxh.
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"token ids must lie in 0..{size - 1} (one per column of Wxh), "
                         f"got values from {ids.min()} to {ids.max()}.")


def _one_hot_rows(ids: np.ndarray, size: int, dtype=np.float64) -> np.ndarray:
    """One-hot rows for integer ids of any shape: shape ids.shape + (size,)."""
    ids = np.asarray(ids)
    rows = np.zeros(ids.shape + (size,), dtype=dtype)
    np.put_along_axis(rows, ids[..., None], 1.0, axis=-1)
    return rows


def one_hot_matmul(ids: np.ndarray, Wxh: np.ndarray) -> np.ndarray:
    """The slow, literal version of the input projection: ``one_hot(ids) @ Wxh.T``, shape ids.shape + (H,)."""
    ids = np.asarray(ids)
    _check_id_range(ids, Wxh.shape[1])
    return _one_hot_rows(ids, Wxh.shape[1], Wxh.dtype) @ Wxh.T


def gather_columns(ids: np.ndarray, Wxh: np.ndarray) -> np.ndarray:
    """The fast input projection for token ids: column ``ids`` of ``Wxh``, shape ids.shape + (H,)."""
    _check_id_range(np.asarray(ids), Wxh.shape[1])
    return Wxh.T[ids]


# --- one time step ------------------------------------------------------------------------------

def rnn_step_forward(x, h_prev, Wxh, Whh, bh):
    """One step of ``h = tanh(Wxh x + Whh h_prev + bh)`` for a batch.

    x: inputs, (N, D) floats or (N,) token ids. h_prev: previous hidden state, (N, H).
    Returns ``h`` of shape (N, H) and a cache for ``rnn_step_backward``.
    """
    H, D = _check_rnn_params(Wxh, Whh, bh)
    N = np.shape(h_prev)[0] if np.ndim(h_prev) == 2 else None
    shape_is(h_prev, (N, H), "h_prev")
    if _is_ids(x):
        shape_is(x, (N,), "x (token ids)")
        x_proj = gather_columns(x, Wxh)
    else:
        shape_is(x, (N, D), "x")
        x_proj = x @ Wxh.T
    h = np.tanh(x_proj + h_prev @ Whh.T + bh)
    return h, (x, h_prev, Wxh, Whh, h)


def rnn_step_backward(dh, cache):
    """Backward pass of one step.

    dh: gradient of the loss with respect to this step's output h, (N, H).
    Returns ``(dx, dh_prev, dWxh, dWhh, dbh)``; ``dx`` is None when x held token ids.
    """
    x, h_prev, Wxh, Whh, h = cache
    dh = np.asarray(dh)
    shape_is(dh, h.shape, "dh")            # a wrongly shaped dh would broadcast silently
    if _is_ids(x):
        # The gradient of a column gather is the one-hot product transposed: each id's column of
        # dWxh collects the rows of dpre that used it.
        _, dh_prev, dWxh, dWhh, dbh = _step_backward(dh, _one_hot_rows(x, Wxh.shape[1], Wxh.dtype),
                                                     h_prev, Wxh, Whh, h, need_dx=False)
        return None, dh_prev, dWxh, dWhh, dbh
    return _step_backward(dh, x, h_prev, Wxh, Whh, h, need_dx=True)


def _step_backward(dh, x_rows, h_prev, Wxh, Whh, h, need_dx):
    """The arithmetic of ``rnn_step_backward`` on float input rows (N, D), without argument checks."""
    dpre = dh * (1.0 - h * h)           # through tanh: d tanh(a)/da = 1 - tanh(a)^2
    dh_prev = dpre @ Whh                # = (Whh.T @ dpre.T).T: the transpose matters
    dWxh = dpre.T @ x_rows
    dWhh = dpre.T @ h_prev
    dbh = dpre.sum(axis=0)
    dx = dpre @ Wxh if need_dx else None
    return dx, dh_prev, dWxh, dWhh, dbh


# --- a whole sequence ---------------------------------------------------------------------------

def rnn_forward(x, h0, Wxh, Whh, bh, mask=None):
    """Run the RNN over a batch of sequences.

    x: (N, T, D) floats or (N, T) token ids. h0: initial hidden state (N, H).
    mask: optional (N, T) booleans, False on padding. Where the mask is False the hidden state is
    carried over unchanged, so for right-padded batches ``h[:, -1]`` is each sequence's last real state.
    Returns ``h`` of shape (N, T, H), every step's hidden state, and a cache for ``rnn_backward``.
    """
    H, D = _check_rnn_params(Wxh, Whh, bh)
    x, h0 = np.asarray(x), np.asarray(h0)
    ids = _is_ids(x)
    if x.ndim < 2:
        raise ValueError(f"x should have shape (N, T) of ids or (N, T, D) of floats, but it has shape {np.shape(x)}.")
    N, T = np.shape(x)[:2]
    shape_is(x, (N, T) if ids else (N, T, D), "x")
    shape_is(h0, (N, H), "h0")
    if mask is not None:
        shape_is(mask, (N, T), "mask")
        mask = np.asarray(mask, dtype=bool)
    # The input projection of every step at once, laid out (T, N, H) so each step reads one block:
    # one gather (ids, gathered straight in step order) or one matrix product (floats).
    if ids:
        x_proj = gather_columns(x.T, Wxh) + bh
    else:
        x_proj = np.ascontiguousarray((x @ Wxh.T + bh).transpose(1, 0, 2))
    WhhT = Whh.T
    hs = np.empty((T, N, H), dtype=np.result_type(x_proj, h0))
    h = h0
    for t in range(T):
        h_new = np.tanh(x_proj[t] + h @ WhhT)
        if mask is not None:
            h_new = np.where(mask[:, t, None], h_new, h)
        hs[t] = h = h_new
    return hs.transpose(1, 0, 2), (x, h0, Wxh, Whh, hs, mask)


def rnn_backward(dh, cache):
    """Backpropagation through time: the step backward, looped from the last step to the first.

    dh: gradient of the loss with respect to every hidden state, (N, T, H) (zeros where the loss
    does not read a state). Returns ``(dx, dh0, dWxh, dWhh, dbh)``; ``dx`` is None for token ids.
    """
    x, h0, Wxh, Whh, hs, mask = cache
    T, N, H = hs.shape
    dh = np.asarray(dh)
    shape_is(dh, (N, T, H), "dh")           # a wrongly shaped dh would broadcast silently
    ids = _is_ids(x)
    # Token ids become one-hot rows for all steps at once, so every step takes the float path.
    # Laid out (T, N, D), one block per step; the one-hot rows are built in that order directly.
    if ids:
        x_rows = _one_hot_rows(x.T, Wxh.shape[1], Wxh.dtype)
    else:
        x_rows = np.ascontiguousarray(x.transpose(1, 0, 2))
    dx = None if ids else np.zeros_like(x, dtype=np.result_type(x, Wxh))
    keep = None if mask is None else mask.astype(hs.dtype)[:, :, None]   # (N, T, 1): 1 real, 0 padding
    dWxh, dWhh, dbh = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(H, dtype=Whh.dtype)
    dh_next = np.zeros_like(h0)                 # gradient arriving from step t + 1
    for t in reversed(range(T)):
        h_prev = hs[t - 1] if t > 0 else h0
        dh_t = dh[:, t] + dh_next               # h_t feeds both the loss and the next step
        if keep is not None:
            # A padded step copied h_prev forward unchanged: its gradient passes straight through.
            dh_skip = dh_t * (1.0 - keep[:, t])
            dh_t = dh_t * keep[:, t]
        dx_t, dh_next, dWxh_t, dWhh_t, dbh_t = _step_backward(dh_t, x_rows[t], h_prev, Wxh, Whh, hs[t],
                                                              need_dx=not ids)
        if keep is not None:
            dh_next += dh_skip
        # The same weights act at every step, so their gradients add up over time.
        dWxh += dWxh_t
        dWhh += dWhh_t
        dbh += dbh_t
        if dx is not None:
            dx[:, t] = dx_t
    return dx, dh_next, dWxh, dWhh, dbh


# --- the output layer ---------------------------------------------------------------------------

def affine_forward(h, Why, by):
    """The output layer ``y = Why h + by`` applied to the last axis.

    h: hidden states, (N, H) or (N, T, H). Returns scores ``y`` of shape (N, K) or (N, T, K), and a cache.
    """
    K = np.shape(Why)[0] if np.ndim(Why) == 2 else None
    H = np.shape(h)[-1] if np.ndim(h) >= 1 else None
    shape_is(Why, (K, H), "Why")
    shape_is(by, (K,), "by")
    return h @ Why.T + by, (h, Why)


def affine_backward(dy, cache):
    """Backward pass of the output layer. dy has the shape of y; returns ``(dh, dWhy, dby)``."""
    h, Why = cache
    K, H = Why.shape
    dy = np.asarray(dy)
    shape_is(dy, np.shape(h)[:-1] + (K,), "dy")
    dy_flat = dy.reshape(-1, K)
    dWhy = dy_flat.T @ h.reshape(-1, H)
    dby = dy_flat.sum(axis=0)
    return dy @ Why, dWhy, dby


# The gated cells live in their own modules; re-exported here so every layer imports from one place.
from .gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward  # noqa: E402, F401
from .lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward  # noqa: E402, F401
