"""Property tests: claims that must hold for every small shape, length and mask hypothesis can think of."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnn_lib.layers import gather_columns, one_hot_matmul, rnn_backward, rnn_forward
from rnn_lib.losses import cross_entropy, log_softmax, softmax
from rnn_lib.models import Batch, CharRNN, SentimentRNN
from rnn_lib.text import pad_batch

# A padded batch and the same sequences run one at a time do the same arithmetic in a different
# order, so they agree to rounding error (~1e-16); 1e-10 leaves room for that and nothing else.
BATCH_TOLERANCE = 1e-10

FEW = settings(max_examples=30, deadline=None)


@st.composite
def classifier_problems(draw):
    """A small SentimentRNN and a list of (ids, label) sequences of different lengths."""
    vocab_size = draw(st.integers(3, 9))
    hidden_size = draw(st.integers(1, 6))
    num_classes = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**16))
    lengths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=5))
    sequences = [draw(st.lists(st.integers(0, vocab_size - 1), min_size=n, max_size=n)) for n in lengths]
    labels = [draw(st.integers(0, num_classes - 1)) for _ in lengths]
    model = SentimentRNN(vocab_size, hidden_size=hidden_size, num_classes=num_classes, seed=seed)
    rng = np.random.default_rng(seed)
    for name in ("bh", "by"):          # non-zero biases, so nothing hides behind a zero
        model.params[name][...] = rng.normal(scale=0.5, size=model.params[name].shape)
    return model, sequences, labels


def padded(sequences, labels, pad_id=0):
    ids, mask = pad_batch(sequences, pad_id=pad_id)
    return Batch(ids, mask, np.array(labels))


@FEW
@given(classifier_problems())
def test_padded_batch_equals_sequences_one_by_one(problem):
    model, sequences, labels = problem
    loss, grads = model.loss(padded(sequences, labels))
    singles = [model.loss(padded([seq], [label])) for seq, label in zip(sequences, labels, strict=True)]
    assert abs(loss - np.mean([single_loss for single_loss, _ in singles])) < BATCH_TOLERANCE
    for name in model.params:
        mean_grad = np.mean([single_grads[name] for _, single_grads in singles], axis=0)
        np.testing.assert_allclose(grads[name], mean_grad, rtol=0, atol=BATCH_TOLERANCE, err_msg=name)


@FEW
@given(classifier_problems(), st.integers(0, 2**16))
def test_padding_ids_never_change_results(problem, seed):
    model, sequences, labels = problem
    batch = padded(sequences, labels)
    # Fill every padded position with arbitrary real token ids instead of <pad>.
    rng = np.random.default_rng(seed)
    scrambled_ids = np.where(batch.mask, batch.ids, rng.integers(0, model.vocab_size, size=batch.ids.shape))
    scrambled = Batch(scrambled_ids, batch.mask, batch.labels)
    logits, _ = model.forward(batch.ids, batch.mask)
    logits_scrambled, _ = model.forward(scrambled.ids, scrambled.mask)
    np.testing.assert_allclose(logits_scrambled, logits, rtol=0, atol=1e-14)
    loss, grads = model.loss(batch)
    loss_scrambled, grads_scrambled = model.loss(scrambled)
    assert abs(loss - loss_scrambled) < 1e-14
    for name in grads:
        np.testing.assert_allclose(grads_scrambled[name], grads[name], rtol=0, atol=1e-14, err_msg=name)


@st.composite
def right_padded_sequences(draw):
    N, T, D, H = draw(st.integers(1, 4)), draw(st.integers(1, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lengths = np.array(draw(st.lists(st.integers(1, T), min_size=N, max_size=N)))
    seed = draw(st.integers(0, 2**16))
    return N, T, D, H, np.arange(T) < lengths[:, None], seed


@FEW
@given(right_padded_sequences())
def test_padded_positions_show_the_last_real_state_and_pass_their_gradient_to_it(problem):
    N, T, D, H, mask, seed = problem
    rng = np.random.default_rng(seed)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    Wxh, Whh, bh = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
    hs, cache = rnn_forward(x, h0, Wxh, Whh, bh, mask=mask)
    dh = rng.normal(size=(N, T, H))
    dx, dh0, dWxh, dWhh, dbh = rnn_backward(dh, cache)
    for n in range(N):
        length = mask[n].sum()
        alone, alone_cache = rnn_forward(x[n : n + 1, :length], h0[n : n + 1], Wxh, Whh, bh)
        np.testing.assert_allclose(hs[n, :length], alone[0], rtol=0, atol=1e-14)
        np.testing.assert_allclose(hs[n, length:], np.broadcast_to(alone[0, -1], (T - length, H)), rtol=0, atol=1e-14)
        # Every padded position is a copy of the last real state: its gradient lands there.
        dh_alone = dh[n : n + 1, :length].copy()
        dh_alone[0, -1] += dh[n, length:].sum(axis=0)
        dx_alone, dh0_alone, *_ = rnn_backward(dh_alone, alone_cache)
        np.testing.assert_allclose(dx[n, :length], dx_alone[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(dh0[n], dh0_alone[0], rtol=0, atol=1e-12)
    assert np.all(dx[~mask] == 0.0)          # an input at a padded step reaches nothing


@FEW
@given(st.integers(1, 5), st.integers(1, 8), st.integers(1, 6), st.integers(0, 2**16))
def test_gather_columns_equals_one_hot_matmul(H, V, length, seed):
    rng = np.random.default_rng(seed)
    Wxh = rng.normal(size=(H, V))
    ids = rng.integers(0, V, size=(2, length))
    np.testing.assert_allclose(gather_columns(ids, Wxh), one_hot_matmul(ids, Wxh), rtol=0, atol=1e-15)


logit_arrays = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 6).flatmap(
        lambda cols: arrays(np.float64, (rows, cols), elements=st.floats(-50, 50))))


@FEW
@given(logit_arrays, st.floats(-1000, 1000))
def test_softmax_rows_sum_to_one_and_ignore_a_constant_shift(logits, shift):
    p = softmax(logits)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(softmax(logits + shift), p, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(logits)), p, rtol=0, atol=1e-12)


@FEW
@given(st.integers(1, 4), st.integers(2, 6), st.integers(0, 2**16))
def test_cross_entropy_with_logits_of_1000_is_finite(N, K, seed):
    rng = np.random.default_rng(seed)
    logits = rng.choice([-1000.0, 0.0, 1000.0], size=(N, K))
    targets = rng.integers(0, K, size=N)
    loss, dlogits = cross_entropy(logits, targets)
    assert np.isfinite(loss) and loss >= 0
    assert np.all(np.isfinite(dlogits))
    # Exact answer: -log_softmax at the target, each row's top score set to 0 first.
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = -np.mean([shifted[i, t] - np.log(np.exp(shifted[i]).sum()) for i, t in enumerate(targets)])
    assert abs(loss - expected) <= 1e-9 * max(1.0, abs(expected))


@FEW
@given(st.integers(3, 8), st.integers(1, 5), st.integers(1, 4), st.integers(2, 7), st.integers(0, 2**16))
def test_char_rnn_chunks_add_up_to_the_whole(V, H, N, T, seed):
    # Truncated BPTT carries the state: two chunks read from the carried h give the whole sequence's loss.
    model = CharRNN(V, hidden_size=H, seed=seed)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size=(N, 2 * T + 1))
    whole, _, h_whole = model.loss((ids[:, :-1], ids[:, 1:]))
    first, _, h_mid = model.loss((ids[:, :T], ids[:, 1 : T + 1]))
    second, _, h_end = model.loss((ids[:, T:-1], ids[:, T + 1 :]), h_mid)
    assert abs(whole - (first + second) / 2) < BATCH_TOLERANCE
    np.testing.assert_allclose(h_end, h_whole, rtol=0, atol=1e-14)
