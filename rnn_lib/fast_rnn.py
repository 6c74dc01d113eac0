"""The speed path: ``layers.rnn_forward`` / ``rnn_backward`` for token ids, bit for bit, with less overhead.

Read ``layers.py`` to learn how the RNN works; this module exists only because the models call the
recurrence thousands of times while training. It performs exactly the same floating-point
operations in the same order as the readable loop over ``rnn_step_forward`` / ``rnn_step_backward``
(``tests/test_fast_rnn.py`` checks the results are identical, not merely close), and saves time on
the bookkeeping around them:

- the arguments are checked once by the caller (the model), not again at every step;
- every step's embedding lookup is done at once, and so are the one-hot rows used by the backward
  pass, laid out time-major (T, N, ...) so that each step reads one contiguous block;
- there is no function call and no cache tuple per step.
"""

from __future__ import annotations

import numpy as np

from .layers import one_hot_rows


def rnn_forward_ids(ids: np.ndarray, h0: np.ndarray, Wxh, Whh, bh):
    """``layers.rnn_forward(ids, h0, Wxh, Whh, bh)`` for checked ids (N, T), T >= 1, and h0 (N, H).

    Returns hs (N, T, H), a transposed view of hs_tnh, and the cache ``(ids, h0, Wxh, Whh, hs_tnh)``
    with hs_tnh the same states laid out (T, N, H).
    """
    N, T = ids.shape
    xWb_tnh = Wxh.T[ids.T] + bh                         # (T, N, H): every step's embedding lookup, plus bh
    WhhT = Whh.T
    hs_tnh = np.empty((T, N, Whh.shape[0]), dtype=np.result_type(xWb_tnh, h0, Whh))
    h = h0
    for t in range(T):
        h = hs_tnh[t] = np.tanh(xWb_tnh[t] + h @ WhhT)
    return hs_tnh.transpose(1, 0, 2), (ids, h0, Wxh, Whh, hs_tnh)


def rnn_backward_ids(dhs: np.ndarray, cache):
    """``layers.rnn_backward`` for the cache of ``rnn_forward_ids``: returns ``(dh0, dWxh, dWhh, dbh)``.

    dhs: (N, T, H), the loss gradient with respect to every hidden state (shape checked by the caller).
    """
    ids, h0, Wxh, Whh, hs_tnh = cache
    T, N, H = hs_tnh.shape
    onehot_tnv = one_hot_rows(ids.T, Wxh.shape[1], Wxh.dtype)      # (T, N, V)
    dhs_tnh = dhs.transpose(1, 0, 2)                                # a view: step t is dhs[:, t]
    dtype = hs_tnh.dtype
    dWxh, dWhh, dbh = np.zeros(Wxh.shape, dtype), np.zeros(Whh.shape, dtype), np.zeros(H, dtype)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h, h_prev = hs_tnh[t], (hs_tnh[t - 1] if t > 0 else h0)
        dpre = (dhs_tnh[t] + dh_next) * (1.0 - h * h)
        dh_next = dpre @ Whh
        dWxh += dpre.T @ onehot_tnv[t]
        dWhh += dpre.T @ h_prev
        dbh += dpre.sum(axis=0)
    return dh_next, dWxh, dWhh, dbh
