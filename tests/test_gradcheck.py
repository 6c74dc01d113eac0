"""Numerical gradient checks of every layer and both models, in float64.

Each analytic gradient is compared with centred differences (step 1e-5) through ``rel_error``,
``||a - b|| / (||a|| + ||b||)`` over the whole array. The checker itself is first tested on functions whose
derivatives are known in closed form, so a broken checker cannot wave a broken gradient through.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.gradcheck import check_gradients, numerical_gradient, rel_error
from rnn_lib.layers import (
    affine_backward,
    affine_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from rnn_lib.losses import cross_entropy
from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.text import Vocabulary

# Centred differences with step 1e-5 are accurate to about 1e-10 relative on these small float64
# problems; a correct gradient measures 1e-8 or better, and any real mistake (a missing transpose,
# a dropped term of the BPTT sum) shows up far above 1e-7.
GRAD_TOLERANCE = 1e-7

N, T, D, H, K = 3, 4, 5, 6, 3


def assert_close_gradients(named_pairs: dict[str, tuple[np.ndarray, np.ndarray]]) -> float:
    """Assert each (analytic, numeric) pair agrees within GRAD_TOLERANCE; return the largest error."""
    errors = {name: rel_error(analytic, numeric) for name, (analytic, numeric) in named_pairs.items()}
    print("relative errors:", {name: f"{err:.1e}" for name, err in errors.items()})
    bad = {name: err for name, err in errors.items() if not err < GRAD_TOLERANCE}
    assert not bad, f"gradients off by more than {GRAD_TOLERANCE:g}: {bad}"
    return max(errors.values())


# The seeds are fixed, so every run checks the same numbers. rel_error takes norms over the whole array,
# so one entry that happens to be tiny, where the difference quotient is relatively rough, cannot make a
# correct gradient look wrong.


def rnn_weights(rng, input_size=D):
    # Scale 0.5 keeps tanh away from saturation, so every gradient entry is comfortably non-zero.
    return (rng.normal(scale=0.5, size=(H, input_size)), rng.normal(scale=0.5, size=(H, H)),
            rng.normal(scale=0.5, size=H))


# --- the checker itself ---------------------------------------------------------------------------

def test_numerical_gradient_of_a_cubic():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    before = x.copy()
    grad = numerical_gradient(lambda: np.sum(x**3), x)
    # The centred difference is off by step^2 * f'''/6 = 1e-10 for a cubic: exact up to that.
    np.testing.assert_allclose(grad, 3 * before**2, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(x, before)        # every nudge is undone


def test_numerical_gradient_of_an_array_function_with_dout():
    x = np.array([1.0, 2.0, 3.0])
    dout = np.array([0.5, -1.0, 2.0])
    grad = numerical_gradient(lambda: np.sin(x), x, dout=dout)   # d sum(sin(x) * dout) / dx = cos(x) * dout
    np.testing.assert_allclose(grad, np.cos([1.0, 2.0, 3.0]) * dout, rtol=1e-9)


def test_rel_error_golden():
    # ||(0.1, 0)|| / (||(1, 2)|| + ||(1.1, 2)||), worked out by hand.
    assert rel_error([1.0, 2.0], [1.1, 2.0]) == pytest.approx(0.1 / (5**0.5 + 5.21**0.5), rel=1e-12)
    assert rel_error([0.0], [0.0]) == 0.0
    assert rel_error([], []) == 0.0
    assert rel_error([3.0, 4.0], [-3.0, -4.0]) == pytest.approx(1.0, rel=1e-12)   # opposite arrays


def test_rel_error_is_not_fooled_by_a_tiny_entry():
    # An entry of 1e-7 that differs by 1e-11 (numerical-gradient rounding) must not look like a bug...
    good = rel_error([1.0, 1e-7], [1.0, 1e-7 + 1e-11])
    assert good < 1e-10
    # ...while one clearly wrong entry among correct ones still does.
    assert rel_error([1.0, 0.5, 0.25], [1.0, 0.5, -0.25]) > 1e-2


def test_checker_flags_a_wrong_gradient():
    x = np.array([0.3, -0.7])
    numeric = numerical_gradient(lambda: np.sum(x**2), x)
    assert rel_error(2 * x, numeric) < GRAD_TOLERANCE
    assert rel_error(x, numeric) > 0.3                # the factor 2 forgotten


# --- one step -------------------------------------------------------------------------------------

def test_rnn_step_gradients_float_input():
    rng = np.random.default_rng(0)
    x, h_prev = rng.normal(size=(N, D)), rng.normal(scale=0.5, size=(N, H))
    Wxh, Whh, bh = rnn_weights(rng)
    dh = rng.normal(size=(N, H))
    _, cache = rnn_step_forward(x, h_prev, Wxh, Whh, bh)
    analytic = rnn_step_backward(dh, cache)

    def forward():
        return rnn_step_forward(x, h_prev, Wxh, Whh, bh)[0]

    numeric = [numerical_gradient(forward, a, dout=dh) for a in (x, h_prev, Wxh, Whh, bh)]
    assert_close_gradients(dict(zip(["dx", "dh_prev", "dWxh", "dWhh", "dbh"], zip(analytic, numeric, strict=True),
                                    strict=True)))


def test_rnn_step_gradients_token_ids():
    rng = np.random.default_rng(1)
    ids, h_prev = np.array([4, 0, 4]), rng.normal(scale=0.5, size=(N, H))   # id 4 twice: its column adds up
    Wxh, Whh, bh = rnn_weights(rng)
    dh = rng.normal(size=(N, H))
    _, cache = rnn_step_forward(ids, h_prev, Wxh, Whh, bh)
    dx, *analytic = rnn_step_backward(dh, cache)
    assert dx is None

    def forward():
        return rnn_step_forward(ids, h_prev, Wxh, Whh, bh)[0]

    numeric = [numerical_gradient(forward, a, dout=dh) for a in (h_prev, Wxh, Whh, bh)]
    assert_close_gradients(dict(zip(["dh_prev", "dWxh", "dWhh", "dbh"], zip(analytic, numeric, strict=True),
                                    strict=True)))


# --- a whole sequence -----------------------------------------------------------------------------

MASK = np.array([[True, True, True, True],
                 [True, True, False, False],      # right padding, as pad_batch makes it
                 [True, True, True, False]])


@pytest.mark.parametrize("mask", [None, MASK], ids=["no-mask", "mask"])
def test_rnn_sequence_gradients_float_input(mask):
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(scale=0.5, size=(N, H))
    Wxh, Whh, bh = rnn_weights(rng)
    dh = rng.normal(size=(N, T, H))
    _, cache = rnn_forward(x, h0, Wxh, Whh, bh, mask=mask)
    analytic = rnn_backward(dh, cache)

    def forward():
        return rnn_forward(x, h0, Wxh, Whh, bh, mask=mask)[0]

    numeric = [numerical_gradient(forward, a, dout=dh) for a in (x, h0, Wxh, Whh, bh)]
    assert_close_gradients(dict(zip(["dx", "dh0", "dWxh", "dWhh", "dbh"], zip(analytic, numeric, strict=True),
                                    strict=True)))
    if mask is not None:
        # Padded positions show the last real state, so inputs at padded steps get exactly zero gradient.
        assert np.all(analytic[0][~mask] == 0.0)


@pytest.mark.parametrize("mask", [None, MASK], ids=["no-mask", "mask"])
def test_rnn_sequence_gradients_token_ids(mask):
    rng = np.random.default_rng(3)
    ids, h0 = rng.integers(0, D, size=(N, T)), rng.normal(scale=0.5, size=(N, H))
    Wxh, Whh, bh = rnn_weights(rng)
    dh = rng.normal(size=(N, T, H))
    _, cache = rnn_forward(ids, h0, Wxh, Whh, bh, mask=mask)
    dx, *analytic = rnn_backward(dh, cache)
    assert dx is None

    def forward():
        return rnn_forward(ids, h0, Wxh, Whh, bh, mask=mask)[0]

    numeric = [numerical_gradient(forward, a, dout=dh) for a in (h0, Wxh, Whh, bh)]
    assert_close_gradients(dict(zip(["dh0", "dWxh", "dWhh", "dbh"], zip(analytic, numeric, strict=True),
                                    strict=True)))


# --- the classic BPTT mistake ---------------------------------------------------------------------

def bptt_with_transposed_whh(dh, cache):
    """BPTT with the classic slip: ``dpre @ Whh.T`` instead of ``dpre @ Whh``. Float inputs, no mask."""
    step_caches, _ = cache
    _, h0, Wxh, Whh, _ = step_caches[0]
    x = np.stack([step[0] for step in step_caches], axis=1)
    dx, dWxh, dWhh, dbh = np.zeros(x.shape), np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(len(step_caches))):
        _, h_prev, _, _, h = step_caches[t]
        dpre = (dh[:, t] + dh_next) * (1 - h ** 2)
        dh_next = dpre @ Whh.T                           # wrong in the row-vector convention
        dx[:, t] = dpre @ Wxh
        dWxh += dpre.T @ x[:, t]
        dWhh += dpre.T @ h_prev
        dbh += dpre.sum(axis=0)
    return dx, dh_next, dWxh, dWhh, dbh


def test_the_transposed_whh_bug_is_caught_and_the_library_is_not_fooled():
    rng = np.random.default_rng(4)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(scale=0.5, size=(N, H))
    Wxh, Whh, bh = rnn_weights(rng)
    assert np.abs(Whh - Whh.T).max() > 0.1, "the check needs a clearly non-symmetric Whh"
    dh = rng.normal(size=(N, T, H))
    _, cache = rnn_forward(x, h0, Wxh, Whh, bh)

    def forward():
        return rnn_forward(x, h0, Wxh, Whh, bh)[0]

    names = ["dx", "dh0", "dWxh", "dWhh", "dbh"]
    numeric = [numerical_gradient(forward, a, dout=dh) for a in (x, h0, Wxh, Whh, bh)]
    buggy_errors = [rel_error(b, n) for b, n in zip(bptt_with_transposed_whh(dh, cache), numeric, strict=True)]
    print("buggy BPTT relative errors:", dict(zip(names, [f"{e:.1e}" for e in buggy_errors], strict=True)))
    assert max(buggy_errors) > 1e-2, "a gradient check this weak would miss the transposed-Whh bug"
    assert_close_gradients(dict(zip(names, zip(rnn_backward(dh, cache), numeric, strict=True), strict=True)))


# --- the output layer and the loss ----------------------------------------------------------------

@pytest.mark.parametrize("shape", [(N, H), (N, T, H)], ids=["one-step", "sequence"])
def test_affine_gradients(shape):
    rng = np.random.default_rng(5)
    h, Why, by = rng.normal(size=shape), rng.normal(size=(K, H)), rng.normal(size=K)
    dy = rng.normal(size=shape[:-1] + (K,))
    _, cache = affine_forward(h, Why, by)
    analytic = affine_backward(dy, cache)

    def forward():
        return affine_forward(h, Why, by)[0]

    numeric = [numerical_gradient(forward, a, dout=dy) for a in (h, Why, by)]
    assert_close_gradients(dict(zip(["dh", "dWhy", "dby"], zip(analytic, numeric, strict=True), strict=True)))


def test_cross_entropy_gradient_through_softmax():
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(2, 3, K))
    targets = rng.integers(0, K, size=(2, 3))
    _, dlogits = cross_entropy(logits, targets)
    numeric = numerical_gradient(lambda: cross_entropy(logits, targets)[0], logits)
    assert_close_gradients({"dlogits": (dlogits, numeric)})


# --- both models ----------------------------------------------------------------------------------

SENTENCES = [("the film was good", 1), ("not good", 0), ("bad", 0), ("the film was not bad at all", 1)]


def test_sentiment_rnn_gradients():
    vocab = Vocabulary.from_texts([text for text, _ in SENTENCES])
    model = SentimentRNN(vocab, hidden_size=5, seed=7)
    rng = np.random.default_rng(7)
    for name in ("bh", "by"):                        # non-zero biases, so their gradients are tested in general
        model.params[name][...] = rng.normal(scale=0.3, size=model.params[name].shape)
    batch = model.make_batch(SENTENCES)              # sentences of 1 to 7 words: padding and masking at work
    assert not batch.mask.all()
    _, grads = model.loss(batch)
    numeric = {name: numerical_gradient(lambda: model.loss(batch)[0], value) for name, value in model.params.items()}
    assert_close_gradients({name: (grads[name], numeric[name]) for name in model.params})
    # The library's own check_gradients must agree.
    library = check_gradients(model, batch)
    assert set(library) == set(model.params)
    assert max(library.values()) < GRAD_TOLERANCE, library


def test_char_rnn_gradients_with_a_nonzero_initial_state():
    vocab = Vocabulary.from_texts(["hello world"], level="char")
    model = CharRNN(vocab, hidden_size=5, seed=8)
    rng = np.random.default_rng(8)
    for name in ("bh", "by"):
        model.params[name][...] = rng.normal(scale=0.3, size=model.params[name].shape)
    ids = np.array([vocab.encode("hello wor"), vocab.encode("world hel")])
    batch = (ids[:, :-1], ids[:, 1:])
    h0 = rng.uniform(-0.9, 0.9, size=(2, 5))
    _, grads, h_last = model.loss(batch, h0)
    assert h_last.shape == (2, 5)
    numeric = {name: numerical_gradient(lambda: model.loss(batch, h0)[0], value)
               for name, value in model.params.items()}
    assert_close_gradients({name: (grads[name], numeric[name]) for name in model.params})
    # h0 matters: from a zero state the same batch gives different gradients.
    assert rel_error(model.loss(batch)[1]["Whh"], grads["Whh"]) > 1e-2
