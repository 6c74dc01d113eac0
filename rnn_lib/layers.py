"""The building blocks of a vanilla RNN, each as a forward/backward pair, written as the equations.

Every ``*_forward`` returns ``(out, cache)``; the matching ``*_backward`` takes ``(dout, cache)`` and
returns the gradients in the order of the forward inputs. A gradient ``d<name>`` has the shape of
``<name>``.

Dimensions: N batch, T time steps, D input size (V, the vocabulary size, for token ids), H hidden
size, K outputs (classes or vocabulary). Parameter shapes follow the equations (and PyTorch):
``Wxh (H, D)``, ``Whh (H, H)``, ``bh (H,)``, ``Why (K, H)``, ``by (K,)``.

Inputs ``x`` are float vectors, or integer token ids that stand for one-hot vectors. Multiplying a
one-hot vector by ``Wxh`` picks one column of ``Wxh``: that column is the token's *embedding*, and
``embedding_lookup`` reads it directly (``one_hot_matmul`` does the literal product, same numbers).
``input_projection`` is the one place that tells ids from floats.

The sequence functions are plain loops over the step functions. Argument checks live in
``_validate.py`` and run once per public call.
"""

from __future__ import annotations

import numpy as np

from ._validate import id_range, is_token_ids, rnn_sequence_inputs, rnn_step_inputs, sequence_lengths, shape_is

MAX_ONE_HOT_ENTRIES = 100_000_000       # 0.8 GB of float64: beyond this, one-hot rows are refused


# --- token ids: the embedding lookup --------------------------------------------------------------

def embedding_lookup(ids, Wxh: np.ndarray) -> np.ndarray:
    """``Wxh @ one_hot(id)`` for every id: column ``id`` of Wxh (H, V). Returns shape ids.shape + (H,)."""
    ids = np.asarray(ids)
    id_range(ids, Wxh.shape[1])
    return Wxh.T[ids]


gather_columns = embedding_lookup       # the name notebook 02 first uses


def one_hot_rows(ids, size: int, dtype=np.float64) -> np.ndarray:
    """One-hot rows for integer ids of any shape: shape ids.shape + (size,)."""
    ids = np.asarray(ids)
    if ids.size * size > MAX_ONE_HOT_ENTRIES:
        raise ValueError(f"one-hot rows for {ids.size:,} ids over a vocabulary of {size:,} would hold "
                         f"{ids.size * size:,} numbers (limit {MAX_ONE_HOT_ENTRIES:,}); use embedding_lookup.")
    rows = np.zeros(ids.shape + (size,), dtype=dtype)
    np.put_along_axis(rows, ids[..., None], 1.0, axis=-1)
    return rows


def one_hot_matmul(ids, Wxh: np.ndarray) -> np.ndarray:
    """The slow, literal version of the embedding lookup: ``one_hot(ids) @ Wxh.T``, shape ids.shape + (H,)."""
    ids = np.asarray(ids)
    id_range(ids, Wxh.shape[1])
    return one_hot_rows(ids, Wxh.shape[1], Wxh.dtype) @ Wxh.T


def input_projection(x, Wxh: np.ndarray) -> np.ndarray:
    """``Wxh x`` for every row of x: x (N, D) floats, or (N,) ids looked up as embeddings. Returns (N, H)."""
    return embedding_lookup(x, Wxh) if is_token_ids(x) else x @ Wxh.T


def input_projection_backward(dout: np.ndarray, x, Wxh: np.ndarray):
    """Gradients of ``input_projection`` from dout (N, H): ``(dx, dWxh)``; dx is None for token ids.

    For ids, x stands for its one-hot rows (N, V), so ``dWxh = dout.T @ one_hot(x)``, as for floats.
    """
    if is_token_ids(x):
        return None, dout.T @ one_hot_rows(x, Wxh.shape[1], Wxh.dtype)
    return dout @ Wxh, dout.T @ x


# --- one time step ------------------------------------------------------------------------------

def rnn_step_forward(x, h_prev, Wxh, Whh, bh):
    """One step of ``h = tanh(Wxh x + Whh h_prev + bh)`` for a batch.

    x: inputs, (N, D) floats or (N,) token ids. h_prev: previous hidden state, (N, H).
    Returns ``h`` (N, H) and the cache ``(x, h_prev, Wxh, Whh, h)`` for ``rnn_step_backward``.
    """
    x, h_prev = np.asarray(x), np.asarray(h_prev)
    rnn_step_inputs(x, h_prev, Wxh, Whh, bh)
    # The bias joins the input term first: the same sum, and the same rounding the library always had.
    h = np.tanh(input_projection(x, Wxh) + bh + h_prev @ Whh.T)
    return h, (x, h_prev, Wxh, Whh, h)


def rnn_step_backward(dh, cache):
    """Backward pass of one step.

    dh: gradient of the loss with respect to this step's output h, (N, H).
    Returns ``(dx, dh_prev, dWxh, dWhh, dbh)``; ``dx`` is None when x held token ids.
    """
    x, h_prev, Wxh, Whh, h = cache
    dh = np.asarray(dh)
    shape_is(dh, h.shape, "dh")            # a wrongly shaped dh would broadcast silently
    dpre = dh * (1.0 - h * h)              # through tanh: d tanh(a)/da = 1 - tanh(a)^2
    dx, dWxh = input_projection_backward(dpre, x, Wxh)
    dh_prev = dpre @ Whh                   # = (Whh.T @ dpre.T).T: the transpose matters
    dWhh = dpre.T @ h_prev
    dbh = dpre.sum(axis=0)
    return dx, dh_prev, dWxh, dWhh, dbh


# --- a whole sequence ---------------------------------------------------------------------------

def rnn_forward(x, h0, Wxh, Whh, bh, mask=None):
    """Run the RNN over a batch of sequences: ``rnn_step_forward`` once per time step.

    x: (N, T, D) floats or (N, T) token ids. h0: initial hidden state (N, H).
    mask: optional (N, T) booleans of a right-padded batch (``pad_batch``), False on padding. The
    recurrence itself ignores it: every step is computed, then each padded position is given its
    sequence's last real state, so ``h[:, -1]`` is that state for every sequence.
    Returns ``h`` (N, T, H), every step's hidden state, and the cache ``(step_caches, lengths)``:
    the T caches of ``rnn_step_forward``, and lengths (N,) or None without a mask.
    """
    x, h0 = np.asarray(x), np.asarray(h0)
    rnn_sequence_inputs(x, h0, Wxh, Whh, bh)
    lengths = None if mask is None else sequence_lengths(mask, x.shape[:2])
    h, hs, step_caches = h0, [], []
    for t in range(x.shape[1]):
        h, step_cache = rnn_step_forward(x[:, t], h, Wxh, Whh, bh)
        hs.append(h)
        step_caches.append(step_cache)
    hs = np.stack(hs, axis=1)
    if lengths is not None:
        hs = hold_last_state(hs, lengths)
    return hs, (step_caches, lengths)


def rnn_backward(dh, cache):
    """Backpropagation through time: ``rnn_step_backward`` once per step, from the last step to the first.

    dh: gradient of the loss with respect to every hidden state, (N, T, H) (zeros where the loss
    does not read a state). Returns ``(dx, dh0, dWxh, dWhh, dbh)``; ``dx`` is None for token ids.
    """
    step_caches, lengths = cache
    _, h0, Wxh, Whh, _ = step_caches[0]     # the first step's cache holds h0 and the weights
    T, (N, H) = len(step_caches), h0.shape
    dh = np.asarray(dh)
    shape_is(dh, (N, T, H), "dh")           # a wrongly shaped dh would broadcast silently
    if lengths is not None:
        dh = hold_last_state_backward(dh, lengths)
    dtype = step_caches[-1][4].dtype        # h's: float32 weights keep float32 gradients
    dWxh, dWhh, dbh = np.zeros(Wxh.shape, dtype), np.zeros(Whh.shape, dtype), np.zeros(H, dtype)
    dh_next = np.zeros_like(h0)             # the gradient arriving from step t + 1
    dxs = []
    for t in reversed(range(T)):
        # h_t feeds both the loss (dh[:, t]) and the next step (dh_next).
        dx_t, dh_next, dWxh_t, dWhh_t, dbh_t = rnn_step_backward(dh[:, t] + dh_next, step_caches[t])
        # The same weights act at every step, so their gradients add up over time.
        dWxh += dWxh_t
        dWhh += dWhh_t
        dbh += dbh_t
        dxs.append(dx_t)
    dx = None if dxs[0] is None else np.stack(dxs[::-1], axis=1)
    dh0 = dh_next                           # what step 0 sends back is the gradient of h0
    return dx, dh0, dWxh, dWhh, dbh


def hold_last_state(hs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """hs (N, T, H) with every step after a sequence's end replaced by its last real state (index length - 1)."""
    N, T, _ = hs.shape
    last_real = np.minimum(np.arange(T), lengths[:, None] - 1)         # (N, T): the step each position shows
    return hs[np.arange(N)[:, None], last_real]


def hold_last_state_backward(dhs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Gradient of ``hold_last_state``: each padded position's gradient moves onto the last real state."""
    N, T, _ = dhs.shape
    real = np.arange(T) < lengths[:, None]                              # (N, T)
    moved = np.where(real[:, :, None], dhs, 0.0)
    moved[np.arange(N), lengths - 1] += np.where(real[:, :, None], 0.0, dhs).sum(axis=1)
    return moved


# --- the output layer ---------------------------------------------------------------------------

def affine_forward(h, Why, by):
    """The output layer ``y = Why h + by`` applied to the last axis.

    h: hidden states, (H,), (N, H) or (N, T, H). Returns scores ``y`` of shape (K,), (N, K) or
    (N, T, K), and the cache ``(h, Why)``.
    """
    h = np.asarray(h)
    K = np.shape(Why)[0] if np.ndim(Why) == 2 else None
    H = h.shape[-1] if h.ndim >= 1 else None
    shape_is(Why, (K, H), "Why")
    shape_is(by, (K,), "by")
    return h @ Why.T + by, (h, Why)


def affine_backward(dy, cache):
    """Backward pass of the output layer. dy has the shape of y; returns ``(dh, dWhy, dby)``."""
    h, Why = cache
    K, H = Why.shape
    dy = np.asarray(dy)
    shape_is(dy, h.shape[:-1] + (K,), "dy")
    dy_flat = dy.reshape(-1, K)
    dWhy = dy_flat.T @ h.reshape(-1, H)
    dby = dy_flat.sum(axis=0)
    return dy @ Why, dWhy, dby
