"""What would still make rnn_lib's training step faster? One prototype, timed against the library.

The profile (``profile_lib.py``) shows that a minibatch step of the classroom-sized models is a few
hundred tiny numpy calls, so the time goes to per-call overhead, not arithmetic. Two earlier
prototypes (integer indexing in ``cross_entropy``, fewer temporaries in Adam) are in the library
now, and ``rnn_lib/fast_rnn.py`` already runs the recurrence without per-step checks. What is left:

``rnn_backward_fewer_calls`` keeps only the recurrence ``dh_prev = dpre @ Whh`` inside the loop over
time, stores every step's ``dpre`` (T, N, H), and forms ``dWhh``, ``dbh`` and ``dWxh`` after the loop
with one matrix product each (the weight gradients are sums over steps, so they can be summed at
once). The sums then run in another order, so the gradients agree to rounding (last column), not
bit for bit, which is why the library does not use it: its speed path must equal the readable loop.

Each step is timed as the minimum over interleaved repeats, which is robust on a shared machine.
Dimensions: N batch, T steps, H hidden, V vocabulary, K classes.
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from bench.common import bench_char_text, markdown_table, word_vocabulary
from rnn_lib.datasets import load_sentiment
from rnn_lib.layers import affine_backward
from rnn_lib.losses import cross_entropy
from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.optim import Adagrad, Adam, clip_by_global_norm
from rnn_lib.text import Vocabulary


def rnn_backward_fewer_calls(dhs, cache):
    """``rnn_lib.fast_rnn.rnn_backward_ids`` up to rounding: ``(dh0, dWxh, dWhh, dbh)``.

    dhs: (N, T, H). cache: the vanilla cell's ``(ids (N, T), h0 (N, H), Wxh (H, V), Whh (H, H), hs_tnh (T, N, H))``.
    """
    ids, h0, Wxh, Whh, hs_tnh = cache
    T, N, H = hs_tnh.shape
    dhs_tnh = dhs.transpose(1, 0, 2)                       # (T, N, H) view
    tanh_grad_tnh = 1.0 - hs_tnh * hs_tnh                  # every step's tanh derivative at once
    dpre_tnh = np.empty_like(hs_tnh)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        dpre_tnh[t] = (dhs_tnh[t] + dh_next) * tanh_grad_tnh[t]
        dh_next = dpre_tnh[t] @ Whh
    dpre_rows = dpre_tnh.reshape(-1, H)                    # (T*N, H), row t*N + n
    h_prev_rows = np.concatenate([h0[None], hs_tnh[:-1]]).reshape(-1, H)
    one_hot_rows = np.zeros((T * N, Wxh.shape[1]), dtype=hs_tnh.dtype)
    one_hot_rows[np.arange(T * N), ids.T.reshape(-1)] = 1.0
    return dh_next, dpre_rows.T @ one_hot_rows, dpre_rows.T @ h_prev_rows, dpre_rows.sum(axis=0)


def _sentiment_grads(model: SentimentRNN, batch, prototype: bool) -> dict:
    if not prototype:
        return model.loss(batch)[1]
    logits, (hs, lengths, recurrence_cache, out_cache) = model.forward(batch.ids, batch.mask)
    _, dlogits = cross_entropy(logits, batch.labels)
    grads = {}
    dh_last, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
    dhs = np.zeros_like(hs)
    dhs[np.arange(len(hs)), lengths - 1] = dh_last
    _, grads["Wxh"], grads["Whh"], grads["bh"] = rnn_backward_fewer_calls(dhs, recurrence_cache)
    return grads


def _char_grads(model: CharRNN, batch, prototype: bool) -> dict:
    if not prototype:
        return model.loss(batch)[1]
    inputs, targets = batch
    logits, (_, _, recurrence_cache, out_cache) = model.forward(inputs)
    _, dlogits = cross_entropy(logits, targets)
    grads = {}
    dhs, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
    _, grads["Wxh"], grads["Whh"], grads["bh"] = rnn_backward_fewer_calls(dhs, recurrence_cache)
    return grads


def _workloads():
    train, _ = load_sentiment()
    vocab = word_vocabulary(train)
    text = bench_char_text()
    char_vocab = Vocabulary.from_texts([text], level="char")
    ids = np.asarray(char_vocab.encode(text))
    rows = np.random.default_rng(0).permutation(len(train))[:8]
    for hidden_size in (64, 128):
        model = SentimentRNN(vocab, hidden_size=hidden_size)
        # Trim the padding the way train_classifier does for a minibatch.
        full = model.make_batch([train[i] for i in rows])
        width = int(full.mask.sum(axis=1).max())
        batch = type(full)(full.ids[:, :width], full.mask[:, :width], full.labels)
        yield f"sentiment, H={hidden_size}, batch 8 (Adam)", model, batch, _sentiment_grads, Adam
    span = 16 * 25
    char_batch = (ids[:span].reshape(16, 25), ids[1 : span + 1].reshape(16, 25))
    yield ("characters, H=128, batch 16 (Adagrad)", CharRNN(char_vocab, hidden_size=128), char_batch, _char_grads,
           Adagrad)


def what_if(repeats: int = 15, steps: int = 30) -> list[list[str]]:
    """Rows: workload, microseconds per step now, with the prototype, speed-up, largest gradient difference."""
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for label, model, batch, grads_of, optimizer in _workloads():
            now, fast = grads_of(model, batch, False), grads_of(model, batch, True)
            difference = max(float(np.max(np.abs(now[name] - fast[name]))) for name in now)
            optimizers = {False: optimizer(0.01), True: optimizer(0.01)}
            best = {False: np.inf, True: np.inf}
            for _ in range(repeats):
                for prototype in (False, True):
                    start = time.perf_counter()
                    for _ in range(steps):
                        grads, _ = clip_by_global_norm(grads_of(model, batch, prototype), 5.0)
                        optimizers[prototype].step(model.params, grads)
                    best[prototype] = min(best[prototype], (time.perf_counter() - start) / steps)
            rows.append([label, f"{best[False] * 1e6:,.0f}", f"{best[True] * 1e6:,.0f}",
                         f"{best[False] / best[True]:.2f}x", f"{difference:.0e}"])
    return rows


HEADERS = ["training step", "us now", "us with the prototype", "speed-up", "largest gradient difference"]


if __name__ == "__main__":
    print(markdown_table(HEADERS, what_if()))
