"""Tests for rnn_lib.optim: each update rule against its textbook formula, and gradient clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib.optim import (
    SGD,
    Adagrad,
    Adam,
    clip_by_global_norm,
    clip_by_value,
    global_norm,
    make_optimizer,
)


def test_sgd_golden():
    params = {"w": np.array([1.0, 2.0])}
    SGD(0.1).step(params, {"w": np.array([0.5, -1.0])})
    np.testing.assert_allclose(params["w"], [0.95, 2.1], rtol=1e-15)


def test_sgd_updates_in_place_and_keeps_no_state():
    weights = np.array([1.0])
    params = {"w": weights}
    opt = SGD(1.0)
    opt.step(params, {"w": np.array([0.25])})
    assert params["w"] is weights and weights[0] == 0.75
    assert opt.state == {}


def test_adagrad_golden_two_steps():
    params = {"w": np.array([1.0])}
    opt = Adagrad(0.1)
    opt.step(params, {"w": np.array([2.0])})      # sum of squares 4: step 0.1 * 2 / 2
    assert params["w"][0] == pytest.approx(0.9, abs=1e-9)
    opt.step(params, {"w": np.array([1.0])})      # sum of squares 5: step 0.1 * 1 / sqrt(5)
    assert params["w"][0] == pytest.approx(0.9 - 0.1 / math.sqrt(5), abs=1e-9)
    np.testing.assert_allclose(opt.state["w"]["sum_sq"], [5.0])


def test_adam_golden_two_steps():
    lr, beta1, beta2 = 0.01, 0.9, 0.999
    g1, g2 = np.array([2.0, -0.5]), np.array([1.0, 1.0])
    params = {"w": np.array([0.0, 0.0])}
    opt = Adam(lr)
    opt.step(params, {"w": g1})
    # After one step the bias-corrected ratio m_hat / sqrt(v_hat) is g / |g|: every weight moves by lr.
    np.testing.assert_allclose(params["w"], [-lr, lr], rtol=1e-7)
    opt.step(params, {"w": g2})
    m = beta1 * (1 - beta1) * g1 + (1 - beta1) * g2
    v = beta2 * (1 - beta2) * g1**2 + (1 - beta2) * g2**2
    second = lr * (m / (1 - beta1**2)) / np.sqrt(v / (1 - beta2**2))
    np.testing.assert_allclose(params["w"], np.array([-lr, lr]) - second, rtol=1e-7)
    assert set(opt.state["w"]) == {"m", "v"}


def test_optimizers_keep_state_per_parameter():
    params = {"a": np.zeros(2), "b": np.zeros(3)}
    grads = {"a": np.ones(2), "b": np.ones(3)}
    for opt in (Adagrad(), Adam()):
        opt.step(params, grads)
        assert set(opt.state) == {"a", "b"}


def test_default_learning_rates():
    assert Adagrad().learning_rate == 0.1
    assert Adam().learning_rate == 0.01


def test_make_optimizer_by_name():
    assert type(make_optimizer("sgd", 0.5)) is SGD
    assert type(make_optimizer("Adagrad", 0.5)) is Adagrad
    assert type(make_optimizer("ADAM", 0.5)) is Adam
    assert make_optimizer("sgd", 0.5).learning_rate == 0.5


def test_make_optimizer_returns_an_instance_unchanged():
    opt = Adam(0.3)
    assert make_optimizer(opt, 0.1) is opt


def test_repr_shows_learning_rate():
    assert repr(SGD(0.25)) == "SGD(learning_rate=0.25)"


def test_global_norm_golden():
    assert global_norm({"a": np.array([3.0]), "b": np.array([[4.0, 0.0]])}) == pytest.approx(5.0, rel=1e-15)


def test_clip_by_value_golden_and_does_not_modify_input():
    grads = {"a": np.array([-7.0, 0.5, 9.0])}
    clipped = clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(clipped["a"], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(grads["a"], [-7.0, 0.5, 9.0])


def test_clip_by_global_norm_rescales_keeping_direction():
    grads = {"a": np.array([3.0]), "b": np.array([4.0])}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5.0, rel=1e-15)
    np.testing.assert_allclose(clipped["a"], [0.6], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [0.8], rtol=1e-15)
    assert global_norm(clipped) == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_array_equal(grads["a"], [3.0])


def test_clip_by_global_norm_leaves_small_gradients_alone():
    grads = {"a": np.array([0.3]), "b": np.array([-0.4])}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(0.5, rel=1e-15)
    np.testing.assert_array_equal(clipped["a"], [0.3])
    np.testing.assert_array_equal(clipped["b"], [-0.4])
