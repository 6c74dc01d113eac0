"""What would make rnn_lib's training step faster? Prototypes of three changes, timed against the library.

The profile (``profile_lib.py``) shows that a minibatch step of the classroom-sized models is a few
hundred tiny numpy calls, so the time goes to per-call overhead, not arithmetic. The prototypes below
cut the number of calls without changing a single number (the gradients are checked equal):

1. ``rnn_backward_fewer_calls``: keep only the recurrence ``dh_prev = dpre @ Whh`` inside the loop over
   time, store every step's ``dpre`` (T, N, H), and form ``dWhh``, ``dbh`` and ``dWxh`` after the loop
   with one matrix product each (the weight gradients are sums over steps, so they can be summed at once).
2. ``cross_entropy_indexed``: pick the target scores with plain integer indexing instead of
   ``take_along_axis``/``put_along_axis``, and skip the all-ones weight array when there is no mask.
3. ``AdamFewerTemporaries``: fold both bias corrections into one scalar step size and update the moment
   estimates in place (Kingma and Ba give this form of the same update).

Each step is timed as the minimum over interleaved repeats, which is robust on a shared machine.
Dimensions: N batch, T steps, H hidden, V vocabulary, K classes.
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from bench.common import markdown_table, word_vocabulary
from rnn_lib.datasets import load_char_corpus, load_sentiment
from rnn_lib.layers import affine_backward
from rnn_lib.losses import cross_entropy, log_softmax
from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.optim import Adagrad, Adam, clip_by_global_norm
from rnn_lib.text import Vocabulary


def rnn_backward_fewer_calls(dh, cache):
    """Same results as ``rnn_lib.layers.rnn_backward`` for token-id inputs: (None, dh0, dWxh, dWhh, dbh).

    dh: (N, T, H). The cache is the one ``rnn_forward`` returns: (x ids (N, T), h0 (N, H), Wxh (H, V),
    Whh (H, H), hs (T, N, H), mask (N, T) or None).
    """
    x, h0, Wxh, Whh, hs, mask = cache
    T, N, H = hs.shape
    dh_steps = dh.transpose(1, 0, 2)                       # (T, N, H) view
    tanh_grad = 1.0 - hs * hs                              # every step's tanh derivative at once
    keep = None if mask is None else np.asarray(mask).T[..., None].astype(hs.dtype)   # (T, N, 1)
    dpre_steps = np.empty_like(hs)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        grad = dh_steps[t] + dh_next
        if keep is None:
            dpre = grad * tanh_grad[t]
            dh_next = dpre @ Whh
        else:                                              # padded steps pass the gradient straight through
            dpre = grad * keep[t] * tanh_grad[t]
            dh_next = dpre @ Whh + grad * (1.0 - keep[t])
        dpre_steps[t] = dpre
    dpre_rows = dpre_steps.reshape(-1, H)                  # (T*N, H), row t*N + n
    h_prev_rows = np.concatenate([h0[None], hs[:-1]]).reshape(-1, H)
    one_hot_rows = np.zeros((T * N, Wxh.shape[1]), dtype=hs.dtype)
    one_hot_rows[np.arange(T * N), np.asarray(x).T.reshape(-1)] = 1.0
    return None, dh_next, dpre_rows.T @ one_hot_rows, dpre_rows.T @ h_prev_rows, dpre_rows.sum(axis=0)


def cross_entropy_indexed(logits, targets):
    """Same results as ``rnn_lib.losses.cross_entropy(logits, targets)`` without a mask."""
    K = logits.shape[-1]
    rows_of_targets = np.asarray(targets).reshape(-1)
    logp = log_softmax(logits).reshape(-1, K)
    rows = np.arange(len(rows_of_targets))
    loss = float(-logp[rows, rows_of_targets].sum() / len(rows_of_targets))
    dlogits = np.exp(logp)
    dlogits[rows, rows_of_targets] -= 1.0
    dlogits /= len(rows_of_targets)
    return loss, dlogits.reshape(logits.shape)


class AdamFewerTemporaries(Adam):
    """Same updates as ``rnn_lib.optim.Adam`` with the bias corrections folded into one scalar."""

    def _update(self, name, grad):
        state = self.state.setdefault(name, {"m": np.zeros_like(grad), "v": np.zeros_like(grad)})
        m, v = state["m"], state["v"]
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * (grad * grad)
        root_correction = np.sqrt(1 - self.beta2**self.steps)
        denominator = np.sqrt(v)
        denominator += self.eps * root_correction
        return (self.learning_rate * root_correction / (1 - self.beta1**self.steps)) * m / denominator


def _sentiment_grads(model: SentimentRNN, batch, fast: bool) -> dict:
    logits, (hs, rnn_cache, out_cache) = model.forward(batch.ids, batch.mask)
    if not fast:
        _, dlogits = cross_entropy(logits, batch.labels)
        return model.backward(dlogits, (hs, rnn_cache, out_cache))
    _, dlogits = cross_entropy_indexed(logits, batch.labels)
    grads = {}
    dh_last, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
    dh = np.zeros_like(hs)
    dh[:, -1] = dh_last
    _, _, grads["Wxh"], grads["Whh"], grads["bh"] = rnn_backward_fewer_calls(dh, rnn_cache)
    return grads


def _char_grads(model: CharRNN, batch, fast: bool) -> dict:
    if not fast:
        return model.loss(batch)[1]
    inputs, targets = batch
    logits, (hs, rnn_cache, out_cache) = model.forward(inputs)
    _, dlogits = cross_entropy_indexed(logits, targets)
    grads = {}
    dh, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
    _, _, grads["Wxh"], grads["Whh"], grads["bh"] = rnn_backward_fewer_calls(dh, rnn_cache)
    return grads


def _workloads():
    train, _ = load_sentiment()
    vocab = word_vocabulary(train)
    text = load_char_corpus()
    char_vocab = Vocabulary.from_texts([text], level="char")
    ids = np.asarray(char_vocab.encode(text))
    rows = np.random.default_rng(0).permutation(len(train))[:8]
    for hidden_size in (64, 128):
        model = SentimentRNN(vocab, hidden_size=hidden_size)
        # Trim the padding the way train_classifier does for a minibatch.
        full = model.make_batch([train[i] for i in rows])
        width = int(full.mask.sum(axis=1).max())
        batch = type(full)(full.ids[:, :width], full.mask[:, :width], full.labels)
        yield (f"sentiment, H={hidden_size}, batch 8 (Adam)", model, batch, _sentiment_grads,
               Adam, AdamFewerTemporaries)
    span = 16 * 25
    char_batch = (ids[:span].reshape(16, 25), ids[1 : span + 1].reshape(16, 25))
    yield ("characters, H=128, batch 16 (Adagrad)", CharRNN(char_vocab, hidden_size=128), char_batch, _char_grads,
           Adagrad, Adagrad)


def what_if(repeats: int = 15, steps: int = 30) -> list[list[str]]:
    """Rows: workload, microseconds per step now, with the prototypes, speed-up, largest gradient difference."""
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for label, model, batch, grads_of, current_optimizer, fast_optimizer in _workloads():
            now, fast = grads_of(model, batch, False), grads_of(model, batch, True)
            difference = max(float(np.max(np.abs(now[name] - fast[name]))) for name in now)
            optimizers = {False: current_optimizer(0.01), True: fast_optimizer(0.01)}
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


HEADERS = ["training step", "us now", "us with the prototypes", "speed-up", "largest gradient difference"]


if __name__ == "__main__":
    print(markdown_table(HEADERS, what_if()))
