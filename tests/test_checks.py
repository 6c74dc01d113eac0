"""The exercise checks accept right answers, reject wrong ones, and say which mistake was made.

Reference solutions are written here independently of rnn_lib, as simply as a student would. Every
wrong implementation below is a mistake students really make; the test asserts that the check returns
False and that its message names that mistake (a keyword of the message).
"""

import pickle
import re

import numpy as np
import pytest

from rnn_lib import checks

# --- reference solutions ------------------------------------------------------------------------

WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def build_vocabulary(texts):
    tokens = sorted({token for text in texts for token in WORD.findall(text.lower())})
    return {"<pad>": 0, "<unk>": 1, **{token: i + 2 for i, token in enumerate(tokens)}}


def one_hot_encode(ids, vocab_size):
    rows = np.zeros((len(ids), vocab_size))
    for t, i in enumerate(ids):
        rows[t, i] = 1.0
    return rows


def rnn_step(x, h_prev, Wxh, Whh, bh):
    return np.tanh(x @ Wxh.T + h_prev @ Whh.T + bh)


def rnn_forward_loop(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, Wxh, Whh, bh)
        hs.append(h)
    return np.stack(hs, axis=1)


def stable_softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_loss(logits, targets):
    N = len(targets)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.mean(log_p[np.arange(N), targets])
    dlogits = np.exp(log_p)
    dlogits[np.arange(N), targets] -= 1
    return loss, dlogits / N


def rnn_step_backward_by_hand(dh, cache):
    x, h_prev, Wxh, Whh, h = cache
    dpre = dh * (1 - h**2)
    return dpre @ Wxh, dpre @ Whh, dpre.T @ x, dpre.T @ h_prev, dpre.sum(axis=0)


def bptt(dhs, x, h0, hs, Wxh, Whh):
    T = hs.shape[1]
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, dWxh_t, dWhh_t, dbh_t = rnn_step_backward_by_hand(
            dhs[:, t] + dh_next, (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        dWxh += dWxh_t
        dWhh += dWhh_t
        dbh += dbh_t
    return dx, dh_next, dWxh, dWhh, dbh


def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}


def sgd_step(params, grads, learning_rate):
    for name in params:
        params[name] -= learning_rate * grads[name]


def adagrad_step(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] -= learning_rate * grads[name] / (np.sqrt(memory[name]) + eps)


def sample_with_temperature(logits, temperature, rng):
    return int(rng.choice(len(logits), p=stable_softmax(logits / temperature)))


REFERENCE = {
    "check_build_vocabulary": build_vocabulary, "check_one_hot_encode": one_hot_encode,
    "check_rnn_step": rnn_step, "check_rnn_forward_loop": rnn_forward_loop, "check_softmax": stable_softmax,
    "check_cross_entropy": cross_entropy_loss, "check_rnn_step_backward": rnn_step_backward_by_hand,
    "check_bptt": bptt, "check_clip_gradients": clip_gradients, "check_sgd_step": sgd_step,
    "check_adagrad_step": adagrad_step, "check_sample_with_temperature": sample_with_temperature,
}


# Other right answers, written differently: a check must not insist on one way of writing it.
def one_hot_eye(ids, vocab_size):
    return np.eye(vocab_size)[ids]


def softmax_logsumexp(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return np.exp(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))


def sample_by_cumsum(logits, temperature, rng):
    p = stable_softmax(np.asarray(logits) / temperature)
    return int(min(np.searchsorted(np.cumsum(p), rng.random()), len(p) - 1))


def sgd_by_slice(params, grads, learning_rate):
    for name, value in params.items():
        value[...] = value - learning_rate * grads[name]


def vocab_by_enumerate(texts):
    tokens = sorted({token for text in texts for token in WORD.findall(text.lower())})
    return {"<pad>": 0, "<unk>": 1} | {token: i for i, token in enumerate(tokens, start=2)}


def one_hot_by_comparison(ids, vocab_size):
    return (np.asarray(ids, dtype=int)[:, None] == np.arange(vocab_size)).astype(float)


def rnn_step_einsum(x, h_prev, Wxh, Whh, bh):
    return np.tanh(np.einsum("nd,hd->nh", x, Wxh) + np.einsum("nk,hk->nh", h_prev, Whh) + bh)


def forward_loop_preallocated(x, h0, Wxh, Whh, bh):
    hs = np.empty((x.shape[0], x.shape[1], Whh.shape[0]))
    h = h0
    for t in range(x.shape[1]):
        h = rnn_step_einsum(x[:, t], h, Wxh, Whh, bh)
        hs[:, t] = h
    return hs


def cross_entropy_with_eye(logits, targets):
    N, K = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    onehot = np.eye(K)[targets]
    return float(-(onehot * log_p).sum() / N), (np.exp(log_p) - onehot) / N


def step_backward_einsum(dh, cache):
    x, h_prev, Wxh, Whh, h = cache
    dpre = dh * (1 - h * h)
    return (np.einsum("nh,hd->nd", dpre, Wxh), np.einsum("nh,hk->nk", dpre, Whh), np.einsum("nh,nd->hd", dpre, x),
            np.einsum("nh,nk->hk", dpre, h_prev), np.einsum("nh->h", dpre))


def clip_with_global_scale(grads, max_norm):
    total = np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    return {name: g * (max_norm / max(total, max_norm)) for name, g in grads.items()}


def sample_by_gumbel_max(logits, temperature, rng):
    return int(np.argmax(np.asarray(logits) / temperature + rng.gumbel(size=len(logits))))


def sample_by_powered_probabilities(logits, temperature, rng):
    p = stable_softmax(np.asarray(logits, dtype=float)) ** (1 / temperature)     # same as softmax(logits / T)
    return int(rng.choice(len(p), p=p / p.sum()))


ALTERNATIVES = [("check_one_hot_encode", one_hot_eye), ("check_softmax", softmax_logsumexp),
                ("check_sample_with_temperature", sample_by_cumsum), ("check_sgd_step", sgd_by_slice),
                ("check_build_vocabulary", vocab_by_enumerate), ("check_one_hot_encode", one_hot_by_comparison),
                ("check_rnn_step", rnn_step_einsum), ("check_rnn_forward_loop", forward_loop_preallocated),
                ("check_cross_entropy", cross_entropy_with_eye), ("check_rnn_step_backward", step_backward_einsum),
                ("check_clip_gradients", clip_with_global_scale),
                ("check_sample_with_temperature", sample_by_gumbel_max),
                ("check_sample_with_temperature", sample_by_powered_probabilities)]


@pytest.mark.parametrize("check_name, solution", list(REFERENCE.items()) + ALTERNATIVES,
                         ids=[name for name in REFERENCE] + [f.__name__ for _, f in ALTERNATIVES])
def test_a_right_answer_passes(check_name, solution, capsys):
    assert getattr(checks, check_name)(solution) is True
    assert capsys.readouterr().out.startswith("Correct!")


def test_there_is_one_check_per_exercise():
    gated = {"check_lstm_step_forward", "check_lstm_step_backward", "check_gru_step_forward"}  # test_checks_gated.py
    assert sorted(set(checks.__all__) - gated) == sorted(REFERENCE)


# --- wrong implementations ----------------------------------------------------------------------
# Each entry: (check, wrong function, keyword the message must contain).
WRONG = []


def wrong(check_name, keyword):
    def register(function):
        WRONG.append(pytest.param(check_name, function, keyword, id=f"{check_name[6:]}-{function.__name__}"))
        return function
    return register


@wrong("check_build_vocabulary", "reserved")
def vocab_without_reserved_tokens(texts):
    tokens = sorted({t for text in texts for t in WORD.findall(text.lower())})
    return {token: i for i, token in enumerate(tokens)}


@wrong("check_build_vocabulary", "sorted")
def vocab_in_order_of_appearance(texts):
    vocab = {"<pad>": 0, "<unk>": 1}
    for text in texts:
        for token in WORD.findall(text.lower()):
            vocab.setdefault(token, len(vocab))
    return vocab


@wrong("check_build_vocabulary", "tokenize")
def vocab_split_on_spaces(texts):
    tokens = sorted({t for text in texts for t in text.lower().split()})
    return {"<pad>": 0, "<unk>": 1, **{token: i + 2 for i, token in enumerate(tokens)}}


@wrong("check_build_vocabulary", "upper-case")
def vocab_not_lower_cased(texts):
    tokens = sorted({t for text in texts for t in re.findall(r"[A-Za-z0-9']+|[^\sA-Za-z0-9']", text)})
    return {"<pad>": 0, "<unk>": 1, **{token: i + 2 for i, token in enumerate(tokens)}}


@wrong("check_build_vocabulary", "no gaps")
def vocab_numbers_every_occurrence(texts):
    vocab = {"<pad>": 0, "<unk>": 1}
    tokens = sorted(t for text in texts for t in WORD.findall(text.lower()))
    for i, token in enumerate(tokens):
        vocab[token] = i + 2
    return vocab


@wrong("check_build_vocabulary", "return")
def vocab_forgot_return(texts):
    vocab = {"<pad>": 0, "<unk>": 1}  # noqa: F841 - the mistake is the missing return


@wrong("check_one_hot_encode", "rows should be time steps")
def one_hot_transposed(ids, vocab_size):
    return one_hot_encode(ids, vocab_size).T


@wrong("check_one_hot_encode", "dtype")
def one_hot_integers(ids, vocab_size):
    return one_hot_encode(ids, vocab_size).astype(int)


@wrong("check_one_hot_encode", "column")
def one_hot_off_by_one(ids, vocab_size):
    return np.eye(vocab_size)[np.asarray(ids) - 1]


@wrong("check_one_hot_encode", "shape")
def one_hot_flat(ids, vocab_size):
    return one_hot_encode(ids, vocab_size).ravel()


@wrong("check_rnn_step", "x @ Wxh.T")
def step_without_wxh_transpose(x, h_prev, Wxh, Whh, bh):
    return np.tanh(x @ Wxh + h_prev @ Whh.T + bh)


@wrong("check_rnn_step", "h_prev @ Whh.T")
def step_without_whh_transpose(x, h_prev, Wxh, Whh, bh):
    return np.tanh(x @ Wxh.T + h_prev @ Whh + bh)


@wrong("check_rnn_step", "bias")
def step_without_bias(x, h_prev, Wxh, Whh, bh):
    return np.tanh(x @ Wxh.T + h_prev @ Whh.T)


@wrong("check_rnn_step", "tanh is missing")
def step_without_tanh(x, h_prev, Wxh, Whh, bh):
    return x @ Wxh.T + h_prev @ Whh.T + bh


@wrong("check_rnn_step", "tuple")
def step_returns_cache(x, h_prev, Wxh, Whh, bh):
    h = rnn_step(x, h_prev, Wxh, Whh, bh)
    return h, (x, h_prev)


@wrong("check_rnn_forward_loop", "start at h0")
def loop_from_zeros(x, h0, Wxh, Whh, bh):
    return rnn_forward_loop(x, np.zeros_like(h0), Wxh, Whh, bh)


@wrong("check_rnn_forward_loop", "carry the new state")
def loop_always_from_h0(x, h0, Wxh, Whh, bh):
    return np.stack([rnn_step(x[:, t], h0, Wxh, Whh, bh) for t in range(x.shape[1])], axis=1)


@wrong("check_rnn_forward_loop", "before step t")
def loop_stores_old_state(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        hs.append(h)
        h = rnn_step(x[:, t], h, Wxh, Whh, bh)
    return np.stack(hs, axis=1)


@wrong("check_rnn_forward_loop", "(T, N, H)")
def loop_time_major(x, h0, Wxh, Whh, bh):
    return np.stack([rnn_forward_loop(x, h0, Wxh, Whh, bh)[:, t] for t in range(x.shape[1])])


@wrong("check_rnn_forward_loop", "h_prev @ Whh.T")
def loop_without_whh_transpose(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wxh.T + h @ Whh + bh)
        hs.append(h)
    return np.stack(hs, axis=1)


@wrong("check_softmax", "overflow")
def softmax_naive(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def _softmax_along(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@wrong("check_softmax", "axis 0")
def softmax_over_columns(z):
    return _softmax_along(z, 0)


@wrong("check_softmax", "whole array")
def softmax_over_everything(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@wrong("check_softmax", "own maximum")
def softmax_global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


@wrong("check_softmax", "keepdims")
def softmax_without_keepdims(z):
    e = np.exp(z - z.max(axis=-1))
    return e / e.sum(axis=-1)


@wrong("check_softmax", "axis=-1")
def softmax_axis_one(z):
    return _softmax_along(z, 1)     # right for 2-D input only


@wrong("check_softmax", "in place")
def softmax_shifts_input(z):
    z -= z.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


@wrong("check_cross_entropy", "mean")
def ce_summed(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss * len(targets), dlogits


@wrong("check_cross_entropy", "not divided by N")
def ce_gradient_not_averaged(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss, dlogits * len(targets)


@wrong("check_cross_entropy", "-1 at each target")
def ce_forgot_minus_one(logits, targets):
    loss, _ = cross_entropy_loss(logits, targets)
    return loss, stable_softmax(logits) / len(targets)


@wrong("check_cross_entropy", "every row")
def ce_subtracts_in_every_row(logits, targets):
    p = stable_softmax(logits)
    loss = -np.mean(np.log(p[np.arange(len(targets)), targets]))
    p[:, targets] -= 1
    return loss, p / len(targets)


@wrong("check_cross_entropy", "sign")
def ce_flipped_gradient(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss, -dlogits


@wrong("check_cross_entropy", "row maximum")
def ce_naive_exp(logits, targets):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    N = len(targets)
    dlogits = p.copy()
    dlogits[np.arange(N), targets] -= 1
    return -np.mean(np.log(p[np.arange(N), targets])), dlogits / N


@wrong("check_cross_entropy", "one number")
def ce_per_example_loss(logits, targets):
    _, dlogits = cross_entropy_loss(logits, targets)
    return -np.log(stable_softmax(logits)[np.arange(len(targets)), targets]), dlogits


@wrong("check_cross_entropy", "tuple (loss, dlogits)")
def ce_loss_only(logits, targets):
    return cross_entropy_loss(logits, targets)[0]


@wrong("check_rnn_step_backward", "tanh factor is missing")
def step_back_without_tanh(dh, cache):
    x, h_prev, Wxh, Whh, h = cache
    return dh @ Wxh, dh @ Whh, dh.T @ x, dh.T @ h_prev, dh.sum(axis=0)


@wrong("check_rnn_step_backward", "dh_prev is off by a transpose")
def step_back_whh_transposed(dh, cache):
    dx, _, dWxh, dWhh, dbh = rnn_step_backward_by_hand(dh, cache)
    dpre = dh * (1 - cache[4] ** 2)
    return dx, dpre @ cache[3].T, dWxh, dWhh, dbh


@wrong("check_rnn_step_backward", "dpre.T @ h_prev")
def step_back_uses_h_for_dwhh(dh, cache):
    x, h_prev, Wxh, Whh, h = cache
    dx, dh_prev, dWxh, _, dbh = rnn_step_backward_by_hand(dh, cache)
    return dx, dh_prev, dWxh, (dh * (1 - h**2)).T @ h, dbh


@wrong("check_rnn_step_backward", "transposed")
def step_back_weight_grads_transposed(dh, cache):
    dx, dh_prev, dWxh, dWhh, dbh = rnn_step_backward_by_hand(dh, cache)
    return dx, dh_prev, dWxh.T, dWhh.T, dbh


@wrong("check_rnn_step_backward", "summed over the batch")
def step_back_bias_not_summed(dh, cache):
    dx, dh_prev, dWxh, dWhh, _ = rnn_step_backward_by_hand(dh, cache)
    return dx, dh_prev, dWxh, dWhh, dh * (1 - cache[4] ** 2)


@wrong("check_rnn_step_backward", "1 - h**2 with h the output")
def step_back_derivative_of_h_prev(dh, cache):
    x, h_prev, Wxh, Whh, h = cache
    return rnn_step_backward_by_hand(dh, (x, h_prev, Wxh, Whh, h_prev))[:3] + \
        ((dh * (1 - h_prev**2)).T @ h_prev, (dh * (1 - h_prev**2)).sum(axis=0))


@wrong("check_rnn_step_backward", "in place")
def step_back_overwrites_dh(dh, cache):
    x, h_prev, Wxh, Whh, h = cache
    dh *= 1 - h**2
    return dh @ Wxh, dh @ Whh, dh.T @ x, dh.T @ h_prev, dh.sum(axis=0)


def _bptt_with(step_backward, dhs, x, h0, hs, Wxh, Whh):
    """Reference BPTT loop around a (possibly wrong) step backward."""
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(hs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, a, b, c = step_backward(dhs[:, t] + dh_next, (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh_next, dWxh, dWhh, dbh


@wrong("check_bptt", "Whh vs Whh.T")
def bptt_whh_transposed(dhs, x, h0, hs, Wxh, Whh):
    return _bptt_with(step_back_whh_transposed, dhs, x, h0, hs, Wxh, Whh)


@wrong("check_bptt", "tanh factor")
def bptt_without_tanh(dhs, x, h0, hs, Wxh, Whh):
    return _bptt_with(step_back_without_tanh, dhs, x, h0, hs, Wxh, Whh)


@wrong("check_bptt", "later steps")
def bptt_without_dh_next(dhs, x, h0, hs, Wxh, Whh):
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    for t in reversed(range(hs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh0, a, b, c = rnn_step_backward_by_hand(dhs[:, t], (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh0, dWxh, dWhh, dbh


@wrong("check_bptt", "first step's contribution")
def bptt_overwrites_weight_grads(dhs, x, h0, hs, Wxh, Whh):
    dx, dh_next = np.zeros_like(x), np.zeros_like(h0)
    for t in reversed(range(hs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, dWxh, dWhh, dbh = rnn_step_backward_by_hand(
            dhs[:, t] + dh_next, (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
    return dx, dh_next, dWxh, dWhh, dbh


@wrong("check_bptt", "wraps around")
def bptt_negative_index_at_t0(dhs, x, h0, hs, Wxh, Whh):
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(hs.shape[1])):
        dx[:, t], dh_next, a, b, c = rnn_step_backward_by_hand(
            dhs[:, t] + dh_next, (x[:, t], hs[:, t - 1], Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh_next, dWxh, dWhh, dbh


@wrong("check_bptt", "start at zeros")
def bptt_dh_next_starts_at_last_gradient(dhs, x, h0, hs, Wxh, Whh):
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = dhs[:, -1]
    for t in reversed(range(hs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, a, b, c = rnn_step_backward_by_hand(
            dhs[:, t] + dh_next, (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh_next, dWxh, dWhh, dbh


_RUNNING = {}


@wrong("check_bptt", "second call")
def bptt_keeps_sums_between_calls(dhs, x, h0, hs, Wxh, Whh):
    dx, dh0, dWxh, dWhh, dbh = bptt(dhs, x, h0, hs, Wxh, Whh)
    key = dhs.shape   # a sum that outlives the call: right the first time, wrong the second
    _RUNNING[key] = _RUNNING.get(key, 0) + dbh
    return dx, dh0, dWxh, dWhh, _RUNNING[key]


@wrong("check_bptt", "reversed(range(T))")
def bptt_forward_in_time(dhs, x, h0, hs, Wxh, Whh):
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in range(hs.shape[1]):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, a, b, c = rnn_step_backward_by_hand(
            dhs[:, t] + dh_next, (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh_next, dWxh, dWhh, dbh


@wrong("check_clip_gradients", "Each value was clipped")
def clip_each_value(grads, max_norm):
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}


@wrong("check_clip_gradients", "own norm")
def clip_each_array(grads, max_norm):
    return {name: g * min(1.0, max_norm / np.linalg.norm(g)) for name, g in grads.items()}


@wrong("check_clip_gradients", "below max_norm")
def clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    return {name: g * max_norm / norm for name, g in grads.items()}


@wrong("check_clip_gradients", "in place")
def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    for g in grads.values():
        g *= min(1.0, max_norm / norm)
    return grads


@wrong("check_clip_gradients", "sqrt")
def clip_without_sqrt(grads, max_norm):
    squared = sum(np.sum(g * g) for g in grads.values())
    return {name: g * min(1.0, max_norm / squared) for name, g in grads.items()}


@wrong("check_clip_gradients", "tuple")
def clip_returns_norm_too(grads, max_norm):
    return clip_gradients(grads, max_norm), 1.0


@wrong("check_sgd_step", "subtract")
def sgd_adds(params, grads, learning_rate):
    for name in params:
        params[name] += learning_rate * grads[name]


@wrong("check_sgd_step", "did not change")
def sgd_returns_new_dict(params, grads, learning_rate):
    return {name: p - learning_rate * grads[name] for name, p in params.items()}


@wrong("check_sgd_step", "replaced by a new array")
def sgd_rebinds_entries(params, grads, learning_rate):
    for name in params:
        params[name] = params[name] - learning_rate * grads[name]


@wrong("check_sgd_step", "learning_rate")
def sgd_without_learning_rate(params, grads, learning_rate):
    for name in params:
        params[name] -= grads[name]


@wrong("check_adagrad_step", "running sum")
def adagrad_memory_replaced(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name][...] = grads[name] ** 2
        params[name] -= learning_rate * grads[name] / (np.sqrt(memory[name]) + eps)


@wrong("check_adagrad_step", "square root")
def adagrad_without_sqrt(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] -= learning_rate * grads[name] / (memory[name] + eps)


@wrong("check_adagrad_step", "memory did not change")
def adagrad_memory_local(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        total = memory[name] + grads[name] ** 2
        params[name] -= learning_rate * grads[name] / (np.sqrt(total) + eps)


@wrong("check_adagrad_step", "update memory first")
def adagrad_memory_updated_late(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        params[name] -= learning_rate * grads[name] / (np.sqrt(memory[name]) + eps)
        memory[name] += grads[name] ** 2


@wrong("check_adagrad_step", "subtract")
def adagrad_adds(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] += learning_rate * grads[name] / (np.sqrt(memory[name]) + eps)


@wrong("check_sample_with_temperature", "multiplied by the temperature")
def sample_multiplies(logits, temperature, rng):
    return int(rng.choice(len(logits), p=stable_softmax(logits * temperature)))


@wrong("check_sample_with_temperature", "before the softmax")
def sample_divides_probabilities(logits, temperature, rng):
    return int(rng.choice(len(logits), p=stable_softmax(logits) / temperature))


@wrong("check_sample_with_temperature", "no effect")
def sample_renormalised_after_softmax(logits, temperature, rng):
    p = stable_softmax(logits) / temperature
    return int(rng.choice(len(logits), p=p / p.sum()))


@wrong("check_sample_with_temperature", "same seed")
def sample_with_global_random(logits, temperature, rng):
    return int(np.random.choice(len(logits), p=stable_softmax(logits / temperature)))


@wrong("check_sample_with_temperature", "ignores its rng")
def sample_with_own_generator(logits, temperature, rng):
    return int(np.random.default_rng(0).choice(len(logits), p=stable_softmax(logits / temperature)))


@wrong("check_sample_with_temperature", "probabilities")
def sample_returns_probabilities(logits, temperature, rng):
    return stable_softmax(logits / temperature)


@wrong("check_sample_with_temperature", "most likely")
def sample_greedy(logits, temperature, rng):
    return int(np.argmax(logits / temperature))


@wrong("check_sample_with_temperature", "overflow")
def sample_naive_exp(logits, temperature, rng):
    e = np.exp(logits / temperature)
    return int(rng.choice(len(logits), p=e / e.sum()))


# --- more wrong answers, by category: edge shapes, extreme values, contracts -------------------------

@wrong("check_build_vocabulary", "dict")
def vocab_returns_list(texts):
    return ["<pad>", "<unk>"] + sorted({t for text in texts for t in WORD.findall(text.lower())})


@wrong("check_build_vocabulary", "reserved")
def vocab_without_unk(texts):
    tokens = sorted({t for text in texts for t in WORD.findall(text.lower())})
    return {"<pad>": 0, **{token: i + 1 for i, token in enumerate(tokens)}}


@wrong("check_build_vocabulary", "no gaps or repeats")
def vocab_tokens_from_one(texts):
    tokens = sorted({t for text in texts for t in WORD.findall(text.lower())})
    return {"<pad>": 0, "<unk>": 1, **{token: i + 1 for i, token in enumerate(tokens)}}


@wrong("check_build_vocabulary", "sorted")
def vocab_by_frequency(texts):
    counts = {}
    for text in texts:
        for t in WORD.findall(text.lower()):
            counts[t] = counts.get(t, 0) + 1
    order = sorted(counts, key=lambda t: (-counts[t], t))
    return {"<pad>": 0, "<unk>": 1, **{token: i + 2 for i, token in enumerate(order)}}


@wrong("check_build_vocabulary", "missing tokens")
def vocab_first_text_only(texts):
    tokens = sorted(set(WORD.findall(texts[0].lower())))
    return {"<pad>": 0, "<unk>": 1, **{token: i + 2 for i, token in enumerate(tokens)}}


@wrong("check_build_vocabulary", "whole numbers")
def vocab_string_ids(texts):
    return {token: str(i) for token, i in build_vocabulary(texts).items()}


@wrong("check_build_vocabulary", "in place")
def vocab_sorts_the_callers_list(texts):
    texts.sort()
    return build_vocabulary(texts)


@wrong("check_one_hot_encode", "numpy array")
def one_hot_list_of_lists(ids, vocab_size):
    return [[1.0 if j == i else 0.0 for j in range(vocab_size)] for i in ids]


@wrong("check_one_hot_encode", "dtype")
def one_hot_bool(ids, vocab_size):
    return np.arange(vocab_size) == np.asarray(ids, dtype=int)[:, None]


@wrong("check_one_hot_encode", "shape")
def one_hot_width_from_largest_id(ids, vocab_size):
    ids = np.asarray(ids, dtype=int)
    return np.eye(ids.max() + 1 if ids.size else vocab_size)[ids]


@wrong("check_one_hot_encode", "shape")
def one_hot_squeezed(ids, vocab_size):
    return one_hot_encode(ids, vocab_size).squeeze()          # a single id loses its (1, V) shape


@wrong("check_one_hot_encode", "raised")
def one_hot_stacks_rows(ids, vocab_size):
    return np.stack([np.eye(vocab_size)[i] for i in ids])     # no rows to stack for an empty sequence


@wrong("check_one_hot_encode", "in place")
def one_hot_sorts_ids(ids, vocab_size):
    if isinstance(ids, np.ndarray):
        ids.sort()
    return one_hot_encode(ids, vocab_size)


@wrong("check_one_hot_encode", "column")
def one_hot_width_minus_one(ids, vocab_size):
    rows = np.zeros((len(ids), vocab_size))
    for t, i in enumerate(ids):
        rows[t, i - 1 if i == vocab_size - 1 else i] = 1.0
    return rows


@wrong("check_rnn_step", "shape")
def step_squeezed(x, h_prev, Wxh, Whh, bh):
    return rnn_step(x, h_prev, Wxh, Whh, bh).squeeze()        # a batch of one loses its (1, H) shape


@wrong("check_rnn_step", "numpy array")
def step_returns_list(x, h_prev, Wxh, Whh, bh):
    return rnn_step(x, h_prev, Wxh, Whh, bh).tolist()


@wrong("check_rnn_step", "after the tanh")
def step_bias_after_tanh(x, h_prev, Wxh, Whh, bh):
    return np.tanh(x @ Wxh.T + h_prev @ Whh.T) + bh


@wrong("check_rnn_step", "sigmoid")
def step_with_sigmoid(x, h_prev, Wxh, Whh, bh):
    return 1 / (1 + np.exp(-(x @ Wxh.T + h_prev @ Whh.T + bh)))


@wrong("check_rnn_step", "|h| > 1")
def step_tanh_on_input_only(x, h_prev, Wxh, Whh, bh):
    return np.tanh(x @ Wxh.T) + h_prev @ Whh.T + bh


@wrong("check_rnn_step", "in place")
def step_updates_h_prev(x, h_prev, Wxh, Whh, bh):
    h_prev[...] = rnn_step(x, h_prev, Wxh, Whh, bh)
    return h_prev


@wrong("check_rnn_step", "products are x @ Wxh.T")
def step_with_dot_of_wrong_order(x, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x + h_prev @ Whh.T + bh)


@wrong("check_rnn_forward_loop", "last time step")
def loop_stops_one_early(x, h0, Wxh, Whh, bh):
    N, T, _ = x.shape
    hs, h = np.zeros((N, T, Whh.shape[0])), h0
    for t in range(T - 1):
        h = rnn_step(x[:, t], h, Wxh, Whh, bh)
        hs[:, t] = h
    return hs


@wrong("check_rnn_forward_loop", "x[:, t]")
def loop_indexes_sequences(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = rnn_step(x[t], h, Wxh, Whh, bh)
        hs.append(h)
    return np.stack(hs, axis=1)


@wrong("check_rnn_forward_loop", "numpy array")
def loop_returns_list(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, Wxh, Whh, bh)
        hs.append(h)
    return hs


@wrong("check_rnn_forward_loop", "shape")
def loop_squeezed(x, h0, Wxh, Whh, bh):
    return rnn_forward_loop(x, h0, Wxh, Whh, bh).squeeze()


@wrong("check_rnn_forward_loop", "tanh")
def loop_without_tanh(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = x[:, t] @ Wxh.T + h @ Whh.T + bh
        hs.append(h)
    return np.stack(hs, axis=1)


@wrong("check_rnn_forward_loop", "in place")
def loop_overwrites_h0(x, h0, Wxh, Whh, bh):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h[...] = rnn_step(x[:, t], h, Wxh, Whh, bh)
        hs.append(h.copy())
    return np.stack(hs, axis=1)


@wrong("check_softmax", "not its mean")
def softmax_shift_by_mean(z):
    e = np.exp(z - z.mean(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("check_softmax", "overflow")
def softmax_shift_by_min(z):
    e = np.exp(z - z.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("check_softmax", "clipping")
def softmax_clipped_scores(z):
    e = np.exp(np.clip(z, -700, 700))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("check_softmax", "not divided by their sum")
def softmax_divides_by_max(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.max(axis=-1, keepdims=True)


@wrong("check_softmax", "sum to 1")
def softmax_smoothed_denominator(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / (e.sum(axis=-1, keepdims=True) + 1.0)


@wrong("check_softmax", "numpy array")
def softmax_returns_list(z):
    return stable_softmax(z).tolist()


@wrong("check_cross_entropy", "capped")
def ce_log_with_epsilon(logits, targets):
    N = len(targets)
    p = stable_softmax(logits)
    loss = -np.mean(np.log(p[np.arange(N), targets] + 1e-12))
    dlogits = p.copy()
    dlogits[np.arange(N), targets] -= 1
    return loss, dlogits / N


@wrong("check_cross_entropy", "capped")
def ce_clipped_probabilities(logits, targets):
    N = len(targets)
    p = np.clip(stable_softmax(logits), 1e-15, 1.0)
    dlogits = stable_softmax(logits)
    dlogits[np.arange(N), targets] -= 1
    return -np.mean(np.log(p[np.arange(N), targets])), dlogits / N


@wrong("check_cross_entropy", "log-softmax")
def ce_log_of_softmax(logits, targets):
    N = len(targets)
    p = stable_softmax(logits)
    dlogits = p.copy()
    dlogits[np.arange(N), targets] -= 1
    return -np.mean(np.log(p[np.arange(N), targets])), dlogits / N


@wrong("check_cross_entropy", "1/N")
def ce_gradient_divided_twice(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss, dlogits / len(targets)


@wrong("check_cross_entropy", "1/N")
def ce_loss_divided_twice(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss / len(targets), dlogits


@wrong("check_cross_entropy", "times")
def ce_mean_over_every_entry(logits, targets):
    N, K = logits.shape
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss / K, dlogits


@wrong("check_cross_entropy", "one number")
def ce_loss_as_one_element_array(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return np.array([loss]), dlogits


@wrong("check_cross_entropy", "numpy array")
def ce_gradient_as_list(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss, dlogits.tolist()


@wrong("check_cross_entropy", "in place")
def ce_shifts_logits_in_place(logits, targets):
    logits -= logits.max(axis=1, keepdims=True)
    return cross_entropy_loss(logits, targets)


@wrong("check_cross_entropy", "shape")
def ce_squeezed(logits, targets):
    loss, dlogits = cross_entropy_loss(logits, targets)
    return loss, dlogits.squeeze()             # a batch of one loses its (1, K) shape


@wrong("check_rnn_step_backward", "averaged")
def step_back_bias_mean(dh, cache):
    dx, dh_prev, dWxh, dWhh, _ = rnn_step_backward_by_hand(dh, cache)
    return dx, dh_prev, dWxh, dWhh, (dh * (1 - cache[4] ** 2)).mean(axis=0)


@wrong("check_rnn_step_backward", "already tanh")
def step_back_tanh_applied_twice(dh, cache):
    x, h_prev, Wxh, Whh, h = cache
    dpre = dh * (1 - np.tanh(h) ** 2)
    return dpre @ Wxh, dpre @ Whh, dpre.T @ x, dpre.T @ h_prev, dpre.sum(axis=0)


@wrong("check_rnn_step_backward", "dWhh is transposed")
def step_back_dwhh_transposed(dh, cache):
    dx, dh_prev, dWxh, dWhh, dbh = rnn_step_backward_by_hand(dh, cache)
    return dx, dh_prev, dWxh, dWhh.T, dbh


@wrong("check_rnn_step_backward", "shape")
def step_back_squeezed(dh, cache):
    return tuple(g.squeeze() for g in rnn_step_backward_by_hand(dh, cache))


@wrong("check_rnn_step_backward", "1/N")
def step_back_divides_by_batch(dh, cache):
    dx, dh_prev, dWxh, dWhh, dbh = rnn_step_backward_by_hand(dh, cache)
    return dx, dh_prev, dWxh / len(dh), dWhh, dbh


@wrong("check_rnn_step_backward", "dtype")
def step_back_integer_dbh(dh, cache):
    dx, dh_prev, dWxh, dWhh, dbh = rnn_step_backward_by_hand(dh, cache)
    return dx, dh_prev, dWxh, dWhh, np.round(dbh).astype(int)


@wrong("check_bptt", "first time step")
def bptt_stops_before_t0(dhs, x, h0, hs, Wxh, Whh):
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in range(hs.shape[1] - 1, 0, -1):
        dx[:, t], dh_next, a, b, c = rnn_step_backward_by_hand(
            dhs[:, t] + dh_next, (x[:, t], hs[:, t - 1], Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh_next, dWxh, dWhh, dbh


@wrong("check_bptt", "last time step")
def bptt_starts_one_early(dhs, x, h0, hs, Wxh, Whh):
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in range(hs.shape[1] - 2, -1, -1):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, a, b, c = rnn_step_backward_by_hand(
            dhs[:, t] + dh_next, (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh_next, dWxh, dWhh, dbh


@wrong("check_bptt", "in place")
def bptt_adds_into_dhs(dhs, x, h0, hs, Wxh, Whh):
    dx, dWxh, dWhh, dbh = np.zeros_like(x), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(hs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dhs[:, t] += dh_next
        dx[:, t], dh_next, a, b, c = rnn_step_backward_by_hand(dhs[:, t], (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        dWxh, dWhh, dbh = dWxh + a, dWhh + b, dbh + c
    return dx, dh_next, dWxh, dWhh, dbh


@wrong("check_bptt", "dtype")
def bptt_integer_dx(dhs, x, h0, hs, Wxh, Whh):
    dx, dh0, dWxh, dWhh, dbh = bptt(dhs, x, h0, hs, Wxh, Whh)
    return np.zeros(x.shape, dtype=int) + dx.astype(int), dh0, dWxh, dWhh, dbh


@wrong("check_bptt", "shape")
def bptt_squeezed(dhs, x, h0, hs, Wxh, Whh):
    return tuple(g.squeeze() for g in bptt(dhs, x, h0, hs, Wxh, Whh))


@wrong("check_bptt", "1/N")
def bptt_averages_over_batch(dhs, x, h0, hs, Wxh, Whh):
    dx, dh0, dWxh, dWhh, dbh = bptt(dhs, x, h0, hs, Wxh, Whh)
    return dx, dh0, dWxh, dWhh, dbh / len(x)


@wrong("check_bptt", "already the tanh")
def bptt_tanh_applied_twice(dhs, x, h0, hs, Wxh, Whh):
    return _bptt_with(step_back_tanh_applied_twice, dhs, x, h0, hs, Wxh, Whh)


@wrong("check_clip_gradients", "sum of the arrays' norms")
def clip_by_sum_of_norms(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads.values())
    return {name: g * min(1.0, max_norm / norm) for name, g in grads.items()}


@wrong("check_clip_gradients", "caller's dict")
def clip_returns_grads_when_small(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if norm <= max_norm:
        return grads
    return {name: g * max_norm / norm for name, g in grads.items()}


@wrong("check_clip_gradients", "all-zero")
def clip_divides_by_norm_first(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    return {name: g / norm * min(norm, max_norm) for name, g in grads.items()}


@wrong("check_clip_gradients", "max_norm is ignored")
def clip_with_fixed_threshold(grads, max_norm):
    return clip_gradients(grads, 5.0)


@wrong("check_clip_gradients", "shape")
def clip_matches_keys_by_position(grads, max_norm):
    clipped = clip_gradients(grads, max_norm)
    return dict(zip(sorted(clipped), clipped.values(), strict=True))


@wrong("check_clip_gradients", "keys")
def clip_returns_list(grads, max_norm):
    return list(clip_gradients(grads, max_norm).values())


@wrong("check_sgd_step", "by position")
def sgd_zips_values(params, grads, learning_rate):
    for value, g in zip(params.values(), grads.values(), strict=True):
        if value.shape == g.shape:
            value -= learning_rate * g


@wrong("check_sgd_step", "times its gradient")
def sgd_fixed_learning_rate(params, grads, learning_rate):
    for name in params:
        params[name] -= 0.1 * grads[name]


@wrong("check_sgd_step", "nan")
def sgd_normalised_gradient(params, grads, learning_rate):
    for name in params:
        params[name] -= learning_rate * grads[name] / np.linalg.norm(grads[name]) * np.linalg.norm(grads[name])


@wrong("check_sgd_step", "'bh'")
def sgd_skips_the_bias(params, grads, learning_rate):
    for name in ("Wxh", "Whh"):
        params[name] -= learning_rate * grads[name]


@wrong("check_sgd_step", "in place")
def sgd_scales_grads_in_place(params, grads, learning_rate):
    for name in params:
        grads[name] *= learning_rate
        params[name] -= grads[name]


@wrong("check_adagrad_step", "inside the square root")
def adagrad_eps_inside(params, grads, memory, learning_rate, eps=1e-8):
    for name, g in grads.items():
        memory[name] += g * g
        params[name] -= learning_rate * g / np.sqrt(memory[name] + eps)


@wrong("check_adagrad_step", "add eps")
def adagrad_without_eps(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] -= learning_rate * grads[name] / np.sqrt(memory[name])


@wrong("check_adagrad_step", "eps argument")
def adagrad_fixed_eps(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] -= learning_rate * grads[name] / (np.sqrt(memory[name]) + 1e-8)


@wrong("check_adagrad_step", "replaced by a new array")
def adagrad_rebinds_memory(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] = memory[name] + grads[name] ** 2
        params[name] -= learning_rate * grads[name] / (np.sqrt(memory[name]) + eps)


@wrong("check_adagrad_step", "not the gradient itself")
def adagrad_memory_adds_gradient(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] += grads[name]
        params[name] -= learning_rate * grads[name] / (np.sqrt(np.abs(memory[name])) + eps)


@wrong("check_adagrad_step", "plain SGD")
def adagrad_is_sgd(params, grads, memory, learning_rate, eps=1e-8):
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] -= learning_rate * grads[name]


@wrong("check_sample_with_temperature", "float")
def sample_returns_float(logits, temperature, rng):
    return float(sample_with_temperature(logits, temperature, rng))


@wrong("check_sample_with_temperature", "array of shape")
def sample_returns_one_element_array(logits, temperature, rng):
    return rng.choice(len(logits), size=1, p=stable_softmax(logits / temperature))


@wrong("check_sample_with_temperature", "largest logit")
def sample_shift_by_mean(logits, temperature, rng):
    z = logits / temperature
    e = np.exp(z - z.mean())
    return int(rng.choice(len(logits), p=e / e.sum()))


@wrong("check_sample_with_temperature", "NaN")
def sample_underflows(logits, temperature, rng):
    e = np.exp(logits / temperature)
    return int(rng.choice(len(logits), p=e / e.sum()))


@wrong("check_sample_with_temperature", "uniform")
def sample_uniform(logits, temperature, rng):
    return int(rng.integers(len(logits)))


@wrong("check_sample_with_temperature", "in place")
def sample_divides_logits_in_place(logits, temperature, rng):
    logits /= temperature
    return int(rng.choice(len(logits), p=stable_softmax(logits)))


@pytest.mark.parametrize("check_name, function, keyword", WRONG)
def test_a_wrong_answer_fails_and_names_the_mistake(check_name, function, keyword, capsys):
    assert getattr(checks, check_name)(function) is False
    out = capsys.readouterr().out
    assert keyword.lower() in out.lower(), out
    assert "Traceback" not in out and len(out.strip().splitlines()) <= 2, out


def test_every_exercise_has_several_wrong_answers():
    counts = {name: sum(p.values[0] == name for p in WRONG) for name in REFERENCE}
    gradient_checks = ("check_rnn_step_backward", "check_bptt", "check_cross_entropy")
    assert all(counts[name] >= (3 if name in gradient_checks else 2) for name in counts), counts


# --- functions that raise, stubs and nonsense ---------------------------------------------------

def _helper_that_fails(x):
    return x @ np.ones((7, 7))    # the line the message must point at


def raises_in_helper(*args):
    return _helper_that_fails(args[0] if isinstance(args[0], np.ndarray) else np.ones(3))


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check_name", sorted(REFERENCE))
def test_an_exception_becomes_a_short_message(check_name, capsys):
    assert getattr(checks, check_name)(raises_in_helper) is False
    out = capsys.readouterr().out
    assert "raised ValueError" in out and "x @ np.ones((7, 7))" in out, out
    assert "Traceback" not in out


@pytest.mark.parametrize("check_name", sorted(REFERENCE))
def test_a_stub_is_reported_as_not_implemented(check_name, capsys):
    assert getattr(checks, check_name)(not_implemented) is False
    assert capsys.readouterr().out.strip() == checks.NOT_IMPLEMENTED


def test_a_stub_called_by_the_function_is_named(capsys):
    def rnn_step(*args):
        raise NotImplementedError()

    def rnn_forward_loop(x, h0, Wxh, Whh, bh):
        return rnn_step(x[:, 0], h0, Wxh, Whh, bh)

    assert checks.check_rnn_forward_loop(rnn_forward_loop) is False
    out = capsys.readouterr().out
    assert "Not implemented yet" in out and "`rnn_step`" in out


@pytest.mark.parametrize("answer", ["nonsense", object(), (None, None), {"a": 1}, np.array(["x"]), 3.5],
                         ids=["str", "object", "tuple", "dict", "str-array", "float"])
@pytest.mark.parametrize("check_name", sorted(REFERENCE))
def test_nonsense_answers_fail_without_raising(check_name, answer, capsys):
    assert getattr(checks, check_name)(lambda *args, **kwargs: answer) is False
    out = capsys.readouterr().out
    assert out.strip() and "Traceback" not in out


def test_passing_the_result_instead_of_the_function_is_explained(capsys):
    assert checks.check_rnn_step(np.zeros(3)) is False
    assert "function itself" in capsys.readouterr().out


@pytest.mark.parametrize("check_name", sorted(REFERENCE))
def test_checks_are_deterministic(check_name, capsys):
    # The checks seed their own generators: two runs give the student's function the same inputs.
    def recorded_runs():
        calls = []

        def recording(*args, **kwargs):
            calls.append(pickle.dumps((args, kwargs)))   # before the call: some solutions update in place
            return REFERENCE[check_name](*args, **kwargs)

        assert getattr(checks, check_name)(recording) is True
        return calls

    first = recorded_runs()
    assert first and recorded_runs() == first
    assert capsys.readouterr().out.count("Correct!") == 2


# --- grading with nbgrader ----------------------------------------------------------------------

@pytest.mark.parametrize("check_name", sorted(REFERENCE))
def test_while_grading_a_failing_check_raises_its_diagnosis_once(check_name, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError) as failure:
        getattr(checks, check_name)(not_implemented)
    assert str(failure.value) == checks.NOT_IMPLEMENTED
    assert failure.value.__suppress_context__ and capsys.readouterr().out == ""   # said once, in the error
    # a passing check prints as usual and shows no `True`, which nbgrader would read as a partial score
    assert getattr(checks, check_name)(REFERENCE[check_name]) is None
    assert capsys.readouterr().out.startswith("Correct!")


def test_verdict_neither_prints_nor_raises_while_grading(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert checks.check_sgd_step.verdict(not_implemented) == (False, checks.NOT_IMPLEMENTED)
    ok, message = checks.check_sgd_step.verdict(sgd_step)
    assert ok and message.startswith("Correct!") and capsys.readouterr().out == ""


class _Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no text")


class _BadArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("cannot convert")


def raises_unprintable(*args, **kwargs):
    raise _Unprintable()


def calls_exit(*args, **kwargs):
    raise SystemExit(1)


@pytest.mark.parametrize("function", [raises_unprintable, calls_exit, lambda *a, **k: _BadArray(),
                                      lambda *a, **k: iter([1]), lambda *a, **k: [[1.0, 2.0], [3.0]],
                                      lambda *a, **k: np.full(3, np.nan), lambda *a, **k: {"Wxh": "x"},
                                      lambda *a, **k: (np.zeros(2),) * 5, lambda *a, **k: float("nan")],
                         ids=["unprintable-error", "exit", "bad-array", "iterator", "ragged", "nan", "dict-of-str",
                              "tuple-of-five", "nan-float"])
@pytest.mark.parametrize("check_name", sorted(REFERENCE))
def test_garbage_never_makes_a_check_raise(check_name, function, capsys):
    assert getattr(checks, check_name)(function) is False
    out = capsys.readouterr().out
    assert out.strip() and "Traceback" not in out
