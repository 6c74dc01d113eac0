"""Tests for rnn_lib.losses: softmax, log_softmax and cross-entropy on values worked out by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnn_lib.losses import cross_entropy, log_softmax, softmax, softmax_with_temperature


def test_softmax_golden():
    # exp(0) : exp(ln 2) : exp(ln 5) = 1 : 2 : 5, so the probabilities are 1/8, 2/8, 5/8.
    p = softmax(np.array([0.0, math.log(2), math.log(5)]))
    np.testing.assert_allclose(p, [1 / 8, 2 / 8, 5 / 8], rtol=1e-15)


def test_softmax_acts_on_the_last_axis_only():
    logits = np.array([[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]])
    p = softmax(logits)
    total = math.exp(1) + math.exp(2) + math.exp(3)
    np.testing.assert_allclose(p[0, 0], [math.exp(1) / total, math.exp(2) / total, math.exp(3) / total], rtol=1e-15)
    np.testing.assert_allclose(p[0, 1], [1 / 3, 1 / 3, 1 / 3], rtol=1e-15)


def test_softmax_accepts_integer_scores():
    np.testing.assert_allclose(softmax([0, 0]), [0.5, 0.5], rtol=0)


def test_softmax_of_huge_scores_does_not_overflow():
    p = softmax(np.array([1000.0, 1000.0, -1000.0]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [0.5, 0.5, 0.0], rtol=0, atol=1e-300)


def test_log_softmax_golden():
    # log(1/4) and log(3/4) for scores 0 and ln 3.
    expected = [math.log(1 / 4), math.log(3 / 4)]
    np.testing.assert_allclose(log_softmax(np.array([0.0, math.log(3)])), expected, rtol=1e-14)


def test_log_softmax_of_huge_gap_stays_finite():
    # softmax would give exactly 0 for the second entry; its log is still the finite -2000.
    np.testing.assert_allclose(log_softmax(np.array([1000.0, -1000.0])), [0.0, -2000.0], rtol=0, atol=1e-12)


def test_cross_entropy_golden_and_gradient():
    logits = np.array([[0.0, math.log(3)], [0.0, math.log(3)]])
    targets = np.array([1, 0])
    loss, dlogits = cross_entropy(logits, targets)
    # p = [1/4, 3/4] in both rows: -log(3/4) and -log(1/4), averaged over 2 examples.
    assert loss == pytest.approx((-math.log(3 / 4) - math.log(1 / 4)) / 2, rel=1e-14)
    # (p - onehot) / N
    np.testing.assert_allclose(dlogits, [[1 / 8, -1 / 8], [-3 / 8, 3 / 8]], rtol=1e-14)


def test_cross_entropy_on_a_sequence_averages_over_every_position():
    logits = np.zeros((2, 3, 4))                 # uniform over 4 classes everywhere
    targets = np.array([[0, 1, 2], [3, 3, 0]])
    loss, dlogits = cross_entropy(logits, targets)
    assert loss == pytest.approx(math.log(4), rel=1e-15)
    expected = np.full((2, 3, 4), 0.25 / 6)
    for n in range(2):
        for t in range(3):
            expected[n, t, targets[n, t]] -= 1 / 6
    np.testing.assert_allclose(dlogits, expected, rtol=1e-14)


@pytest.mark.parametrize("logits", [[], np.zeros((3, 0)), 2.0])
def test_softmax_needs_at_least_one_class_score(logits):
    for function in (softmax, log_softmax):
        with pytest.raises(ValueError, match="logits need a last axis of K >= 1 class scores"):
            function(logits)


def test_a_nan_score_shows_as_a_nan_loss_for_the_training_loop_to_catch():
    with np.errstate(invalid="ignore"):
        loss, _ = cross_entropy(np.array([[0.0, math.nan, 1.0], [0.0, 0.0, 0.0]]), np.array([0, 1]))
    assert math.isnan(loss)


def test_minus_inf_is_probability_zero():
    np.testing.assert_array_equal(softmax(np.array([0.0, -math.inf, 0.0])), [0.5, 0.0, 0.5])


def test_cross_entropy_of_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="there are no targets"):
        cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="there are no targets"):
        cross_entropy(np.zeros((2, 0, 3)), np.zeros((2, 0), dtype=int))


def test_cross_entropy_has_no_mask_argument():
    with pytest.raises(TypeError):
        cross_entropy(np.zeros((2, 2)), np.array([0, 1]), mask=np.array([True, False]))


def test_cross_entropy_with_scores_of_1000_is_finite_and_exact():
    loss, dlogits = cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))
    assert math.isfinite(loss)
    assert loss == pytest.approx(1000.0, rel=1e-15)     # -log(e^0 / (e^1000 + e^0)) = 1000 + log(1 + e^-1000)
    assert np.all(np.isfinite(dlogits))
    np.testing.assert_allclose(dlogits, [[1.0, -1.0]], rtol=1e-15)


def test_cross_entropy_of_a_confident_right_answer_is_near_zero():
    loss, _ = cross_entropy(np.array([[1000.0, 0.0]]), np.array([0]))
    assert 0.0 <= loss < 1e-300


def test_cross_entropy_gradient_rows_sum_to_zero():
    rng = np.random.default_rng(0)
    _, dlogits = cross_entropy(rng.normal(size=(5, 7)), rng.integers(0, 7, size=5))
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-16)


@pytest.mark.parametrize("temperature", [1.0, 0.5, 3.0])
def test_softmax_with_temperature_is_softmax_of_the_divided_scores(temperature):
    logits = np.array([[1.0, -2.0, 0.5], [3.0, 3.0, -1.0]])
    np.testing.assert_allclose(softmax_with_temperature(logits, temperature), softmax(logits / temperature),
                               rtol=1e-14)


def test_a_tiny_temperature_picks_the_best_score_without_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        probs = softmax_with_temperature(np.array([1.0, 3.0, -math.inf, 2.9]), 1e-320)
    np.testing.assert_array_equal(probs, [0.0, 1.0, 0.0, 0.0])


@pytest.mark.parametrize("temperature, error", [(0, ValueError), (-1, ValueError), (math.inf, ValueError),
                                                (math.nan, ValueError), ("hot", TypeError), (None, TypeError)])
def test_softmax_with_temperature_needs_a_positive_temperature(temperature, error):
    with pytest.raises(error, match="temperature must be"):
        softmax_with_temperature(np.zeros(3), temperature)
