"""Tests for rnn_lib.layers: golden values on inputs small enough to work out by hand.

Gradients are checked numerically in test_gradcheck.py; here the backward passes get golden values
derived on paper for one hidden unit, and for a 2x2 case written with explicit index loops.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib import layers
from rnn_lib.layers import (
    affine_backward,
    affine_forward,
    embedding_lookup,
    gather_columns,
    one_hot_matmul,
    one_hot_rows,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

# Two hidden units, two inputs. Whh is deliberately not symmetric, so a transpose mistake shows.
WXH = np.array([[0.1, 0.2], [0.3, -0.4]])
WHH = np.array([[0.5, -0.1], [0.2, 0.3]])
BH = np.array([0.05, -0.05])


# --- one step, forward ----------------------------------------------------------------------------

def test_step_forward_golden_float_input():
    x = np.array([[1.0, -1.0]])
    h_prev = np.array([[0.5, -0.5]])
    h, _ = rnn_step_forward(x, h_prev, WXH, WHH, BH)
    # Pre-activations worked out by hand:
    #   unit 0: 0.1*1 + 0.2*(-1) + 0.5*0.5 + (-0.1)*(-0.5) + 0.05 = 0.25
    #   unit 1: 0.3*1 + (-0.4)*(-1) + 0.2*0.5 + 0.3*(-0.5) - 0.05 = 0.6
    np.testing.assert_allclose(h, [[math.tanh(0.25), math.tanh(0.6)]], rtol=0, atol=1e-15)


def test_step_forward_ids_pick_a_column_of_wxh():
    Wxh = np.array([[0.5, -0.5, 1.0], [0.0, 0.25, -1.0]])       # H=2, V=3
    h_prev = np.zeros((2, 2))
    h, _ = rnn_step_forward(np.array([2, 0]), h_prev, Wxh, WHH, BH)
    expected = [[math.tanh(1.0 + 0.05), math.tanh(-1.0 - 0.05)],
                [math.tanh(0.5 + 0.05), math.tanh(0.0 - 0.05)]]
    np.testing.assert_allclose(h, expected, rtol=0, atol=1e-15)


def test_step_forward_ids_equal_one_hot_floats():
    rng = np.random.default_rng(0)
    Wxh, Whh, bh = rng.normal(size=(4, 6)), rng.normal(size=(4, 4)), rng.normal(size=4)
    ids = np.array([5, 0, 3])
    h_prev = rng.normal(size=(3, 4))
    h_ids, cache_ids = rnn_step_forward(ids, h_prev, Wxh, Whh, bh)
    h_float, cache_float = rnn_step_forward(np.eye(6)[ids], h_prev, Wxh, Whh, bh)
    np.testing.assert_allclose(h_ids, h_float, rtol=0, atol=1e-14)
    dh = rng.normal(size=(3, 4))
    dx_ids, *grads_ids = rnn_step_backward(dh, cache_ids)
    dx_float, *grads_float = rnn_step_backward(dh, cache_float)
    assert dx_ids is None and dx_float.shape == (3, 6)
    for name, a, b in zip(["dh_prev", "dWxh", "dWhh", "dbh"], grads_ids, grads_float, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13, err_msg=name)


# --- one step, backward ---------------------------------------------------------------------------

def test_step_backward_golden_one_unit():
    # h = tanh(w x + u h_prev + b); with dL/dh = g every gradient is g (1 - h^2) times the other factor.
    w, u, b, x, h_prev, g = 0.7, -0.4, 0.1, 2.0, 0.5, 1.5
    h_expected = math.tanh(w * x + u * h_prev + b)
    local = g * (1 - h_expected**2)
    h, cache = rnn_step_forward(np.array([[x]]), np.array([[h_prev]]), np.array([[w]]), np.array([[u]]), np.array([b]))
    assert h[0, 0] == pytest.approx(h_expected, abs=1e-15)
    dx, dh_prev, dWxh, dWhh, dbh = rnn_step_backward(np.array([[g]]), cache)
    assert dx[0, 0] == pytest.approx(w * local, abs=1e-15)
    assert dh_prev[0, 0] == pytest.approx(u * local, abs=1e-15)
    assert dWxh[0, 0] == pytest.approx(x * local, abs=1e-15)
    assert dWhh[0, 0] == pytest.approx(h_prev * local, abs=1e-15)
    assert dbh[0] == pytest.approx(local, abs=1e-15)


def test_step_backward_dh_prev_uses_whh_columns():
    # h_i = tanh(... + sum_j Whh[i, j] h_prev[j]), so dL/dh_prev[j] = sum_i dpre[i] * Whh[i, j].
    x = np.array([[1.0, -1.0]])
    h_prev = np.array([[0.5, -0.5]])
    dh = np.array([[1.0, -2.0]])
    h, cache = rnn_step_forward(x, h_prev, WXH, WHH, BH)
    _, dh_prev, dWxh, dWhh, _ = rnn_step_backward(dh, cache)
    dpre = [dh[0, i] * (1 - h[0, i] ** 2) for i in range(2)]
    for j in range(2):
        assert dh_prev[0, j] == pytest.approx(sum(dpre[i] * WHH[i, j] for i in range(2)), abs=1e-15)
        for i in range(2):
            assert dWhh[i, j] == pytest.approx(dpre[i] * h_prev[0, j], abs=1e-15)
            assert dWxh[i, j] == pytest.approx(dpre[i] * x[0, j], abs=1e-15)


# --- a whole sequence -----------------------------------------------------------------------------

def test_rnn_forward_golden_two_word_sentence():
    Wxh = np.array([[0.5, -0.5, 1.0], [0.0, 0.25, -1.0]])       # H=2, V=3
    Whh = np.array([[1.0, 0.5], [-0.5, 0.0]])
    bh = np.array([0.0, 0.1])
    hs, _ = rnn_forward(np.array([[2, 1]]), np.zeros((1, 2)), Wxh, Whh, bh)
    a, b = math.tanh(1.0), math.tanh(-1.0 + 0.1)                 # word 2 reads column 2 of Wxh
    c, d = math.tanh(-0.5 + 1.0 * a + 0.5 * b), math.tanh(0.25 - 0.5 * a + 0.0 * b + 0.1)
    np.testing.assert_allclose(hs, [[[a, b], [c, d]]], rtol=0, atol=1e-15)


def test_rnn_forward_equals_repeated_steps():
    rng = np.random.default_rng(1)
    N, T, D, H = 3, 4, 5, 2
    Wxh, Whh, bh = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
    h0 = rng.normal(size=(N, H))
    for x in (rng.normal(size=(N, T, D)), rng.integers(0, D, size=(N, T))):
        hs, _ = rnn_forward(x, h0, Wxh, Whh, bh)
        assert hs.shape == (N, T, H)
        h = h0
        for t in range(T):
            h, _ = rnn_step_forward(x[:, t], h, Wxh, Whh, bh)
            np.testing.assert_allclose(hs[:, t], h, rtol=0, atol=1e-14)


def test_rnn_forward_mask_shows_the_last_real_state_on_padding():
    rng = np.random.default_rng(2)
    Wxh, Whh, bh = rng.normal(size=(3, 5)), rng.normal(size=(3, 3)), rng.normal(size=3)
    h0 = rng.normal(size=(2, 3))
    ids = np.array([[4, 2, 3, 1], [3, 3, 0, 0]])
    mask = np.array([[True, True, True, True], [True, True, False, False]])
    hs, _ = rnn_forward(ids, h0, Wxh, Whh, bh, mask=mask)
    plain, _ = rnn_forward(ids, h0, Wxh, Whh, bh)
    np.testing.assert_array_equal(hs[0], plain[0])
    np.testing.assert_array_equal(hs[1, :2], plain[1, :2])
    np.testing.assert_array_equal(hs[1, 2], plain[1, 1])          # index length - 1 = 1, not 2 or 0
    np.testing.assert_array_equal(hs[1, 3], plain[1, 1])


def test_rnn_forward_refuses_masks_that_are_not_right_padding():
    rng = np.random.default_rng(2)
    Wxh, Whh, bh = rng.normal(size=(3, 5)), rng.normal(size=(3, 3)), rng.normal(size=3)
    ids, h0 = np.array([[4, 2, 3]]), np.zeros((1, 3))
    with pytest.raises(ValueError, match="right-padded"):
        rnn_forward(ids, h0, Wxh, Whh, bh, mask=np.array([[True, False, True]]))
    with pytest.raises(ValueError, match="all False"):
        rnn_forward(ids, h0, Wxh, Whh, bh, mask=np.array([[False, False, False]]))
    with pytest.raises(TypeError, match="mask must hold booleans"):
        rnn_forward(ids, h0, Wxh, Whh, bh, mask=np.array([[1, 1, 0]]))


def test_sequence_functions_loop_over_the_public_step_functions(monkeypatch):
    calls = {"forward": 0, "backward": 0}

    def counted(name, function):
        def wrapper(*args):
            calls[name] += 1
            return function(*args)
        return wrapper

    monkeypatch.setattr(layers, "rnn_step_forward", counted("forward", layers.rnn_step_forward))
    monkeypatch.setattr(layers, "rnn_step_backward", counted("backward", layers.rnn_step_backward))
    rng = np.random.default_rng(6)
    hs, cache = rnn_forward(rng.integers(0, 4, size=(2, 7)), np.zeros((2, 3)), rng.normal(size=(3, 4)),
                            rng.normal(size=(3, 3)), np.zeros(3))
    rnn_backward(np.ones_like(hs), cache)
    assert calls == {"forward": 7, "backward": 7}


def test_a_sequence_without_steps_is_refused():
    with pytest.raises(ValueError, match=r"no time steps \(T=0\)"):
        rnn_forward(np.zeros((2, 0), dtype=int), np.zeros((2, 2)), WXH, WHH, BH)


def test_rnn_forward_all_true_mask_changes_nothing():
    rng = np.random.default_rng(3)
    Wxh, Whh, bh = rng.normal(size=(3, 4)), rng.normal(size=(3, 3)), rng.normal(size=3)
    ids, h0 = rng.integers(0, 4, size=(2, 5)), rng.normal(size=(2, 3))
    plain, _ = rnn_forward(ids, h0, Wxh, Whh, bh)
    masked, _ = rnn_forward(ids, h0, Wxh, Whh, bh, mask=np.ones((2, 5), dtype=bool))
    np.testing.assert_array_equal(plain, masked)


def test_rnn_backward_returns_shapes_of_its_inputs():
    rng = np.random.default_rng(4)
    N, T, D, H = 2, 3, 4, 5
    Wxh, Whh, bh = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
    h0 = rng.normal(size=(N, H))
    x = rng.normal(size=(N, T, D))
    hs, cache = rnn_forward(x, h0, Wxh, Whh, bh)
    dx, dh0, dWxh, dWhh, dbh = rnn_backward(np.ones_like(hs), cache)
    assert [a.shape for a in (dx, dh0, dWxh, dWhh, dbh)] == [x.shape, h0.shape, Wxh.shape, Whh.shape, bh.shape]
    ids_hs, ids_cache = rnn_forward(rng.integers(0, D, size=(N, T)), h0, Wxh, Whh, bh)
    assert rnn_backward(np.ones_like(ids_hs), ids_cache)[0] is None


def test_rnn_backward_one_unit_two_steps_golden():
    # h1 = tanh(w x1 + u h0), h2 = tanh(w x2 + u h1), loss = h2: chain rule by hand.
    w, u, x1, x2, h0 = 0.8, -0.6, 1.0, -0.5, 0.3
    h1 = math.tanh(w * x1 + u * h0)
    h2 = math.tanh(w * x2 + u * h1)
    d2 = 1 - h2**2                     # d h2 / d pre2
    d1 = d2 * u * (1 - h1**2)          # d h2 / d pre1
    x = np.array([[[x1], [x2]]])
    hs, cache = rnn_forward(x, np.array([[h0]]), np.array([[w]]), np.array([[u]]), np.zeros(1))
    dh = np.zeros_like(hs)
    dh[0, 1, 0] = 1.0
    dx, dh0, dWxh, dWhh, dbh = rnn_backward(dh, cache)
    np.testing.assert_allclose(dx[0, :, 0], [d1 * w, d2 * w], rtol=1e-14)
    assert dh0[0, 0] == pytest.approx(d1 * u, rel=1e-14)
    assert dWxh[0, 0] == pytest.approx(d2 * x2 + d1 * x1, rel=1e-14)
    assert dWhh[0, 0] == pytest.approx(d2 * h1 + d1 * h0, rel=1e-14)
    assert dbh[0] == pytest.approx(d2 + d1, rel=1e-14)


# --- the input projection -------------------------------------------------------------------------

def test_gather_columns_equals_one_hot_matmul():
    rng = np.random.default_rng(5)
    Wxh = rng.normal(size=(4, 7))
    ids = rng.integers(0, 7, size=(3, 5))
    fast, slow = gather_columns(ids, Wxh), one_hot_matmul(ids, Wxh)
    assert fast.shape == slow.shape == (3, 5, 4)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-15)


def test_embedding_lookup_is_the_one_hot_product_and_keeps_its_old_name():
    rng = np.random.default_rng(8)
    Wxh = rng.normal(size=(5, 9))
    ids = rng.integers(0, 9, size=(4, 6))
    np.testing.assert_allclose(embedding_lookup(ids, Wxh), np.eye(9)[ids] @ Wxh.T, rtol=0, atol=1e-15)
    np.testing.assert_allclose(embedding_lookup(ids, Wxh), one_hot_matmul(ids, Wxh), rtol=0, atol=1e-15)
    assert gather_columns is embedding_lookup


def test_one_hot_rows_refuse_a_huge_vocabulary_before_allocating():
    with pytest.raises(ValueError, match="use embedding_lookup"):
        one_hot_rows(np.zeros(1000, dtype=int), 10**9)
    with pytest.raises(ValueError, match="use embedding_lookup"):
        one_hot_matmul(np.zeros((10, 100), dtype=int), np.zeros((1, 200_000)))


def test_gather_columns_golden():
    Wxh = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(gather_columns(np.array([2, 0]), Wxh), [[3.0, 6.0], [1.0, 4.0]])
    np.testing.assert_array_equal(one_hot_matmul(np.array([2, 0]), Wxh), [[3.0, 6.0], [1.0, 4.0]])


# --- the output layer -----------------------------------------------------------------------------

def test_affine_forward_backward_golden():
    h = np.array([[1.0, 2.0]])
    Why = np.array([[1.0, 0.0], [0.5, -1.0]])
    by = np.array([0.1, 0.2])
    y, cache = affine_forward(h, Why, by)
    np.testing.assert_allclose(y, [[1.1, -1.3]], rtol=0, atol=1e-15)
    dh, dWhy, dby = affine_backward(np.array([[1.0, 2.0]]), cache)
    np.testing.assert_allclose(dh, [[1.0 * 1.0 + 2.0 * 0.5, 1.0 * 0.0 + 2.0 * -1.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(dWhy, [[1.0, 2.0], [2.0, 4.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(dby, [1.0, 2.0], rtol=0, atol=1e-15)


def test_affine_on_a_sequence_acts_on_each_step():
    rng = np.random.default_rng(6)
    h = rng.normal(size=(2, 3, 4))
    Why, by = rng.normal(size=(5, 4)), rng.normal(size=5)
    y, cache = affine_forward(h, Why, by)
    assert y.shape == (2, 3, 5)
    for n in range(2):
        for t in range(3):
            np.testing.assert_allclose(y[n, t], Why @ h[n, t] + by, rtol=0, atol=1e-14)
    dy = rng.normal(size=y.shape)
    dh, dWhy, dby = affine_backward(dy, cache)
    assert dh.shape == h.shape
    expected_dWhy = sum(np.outer(dy[n, t], h[n, t]) for n in range(2) for t in range(3))
    np.testing.assert_allclose(dWhy, expected_dWhy, rtol=0, atol=1e-13)
    np.testing.assert_allclose(dby, dy.sum(axis=(0, 1)), rtol=0, atol=1e-14)


# --- plain Python lists -----------------------------------------------------------------------------

def test_layers_accept_nested_lists_like_arrays():
    # A student may type small inputs and upstream gradients as lists; they must mean the same numbers.
    x, h0 = [[[1.0, -1.0], [0.5, 0.0]]], [[0.5, -0.5]]
    dh, dy = [[[1.0, -2.0], [0.5, 0.25]]], [[1.0, 2.0]]
    hs, cache = rnn_forward(x, h0, WXH, WHH, BH)
    hs_arr, cache_arr = rnn_forward(np.array(x), np.array(h0), WXH, WHH, BH)
    np.testing.assert_array_equal(hs, hs_arr)
    for got, want in zip(rnn_backward(dh, cache), rnn_backward(np.array(dh), cache_arr), strict=True):
        np.testing.assert_array_equal(got, want)
    _, step_cache = rnn_step_forward(np.array(x)[:, 0], np.array(h0), WXH, WHH, BH)
    for got, want in zip(rnn_step_backward(dh[0][:1], step_cache),
                         rnn_step_backward(np.array(dh)[0, :1], step_cache), strict=True):
        np.testing.assert_array_equal(got, want)
    _, out_cache = affine_forward(np.array(h0), WHH, BH)
    for got, want in zip(affine_backward(dy, out_cache), affine_backward(np.array(dy), out_cache), strict=True):
        np.testing.assert_array_equal(got, want)


def test_float_ids_are_refused_not_truncated():
    with pytest.raises(TypeError, match="token ids must be integers, got dtype float64"):
        embedding_lookup(np.array([2.7]), WXH)
    with pytest.raises(TypeError, match="token ids must be integers"):
        one_hot_matmul(np.array([[1.0]]), WXH)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_inputs_and_weights_are_named(bad):
    x, h0 = np.ones((1, 2, 2)), np.zeros((1, 2))
    for name, args in {"x": (np.full((1, 2, 2), bad), h0, WXH, WHH, BH), "h0": (x, np.full((1, 2), bad), WXH, WHH, BH),
                       "Whh": (x, h0, WXH, np.full((2, 2), bad), BH)}.items():
        with pytest.raises(ValueError, match=f"{name} holds NaN or inf"):
            rnn_forward(*args)
    with pytest.raises(ValueError, match="h_prev holds NaN or inf"):
        rnn_step_forward(np.ones((1, 2)), np.full((1, 2), bad), WXH, WHH, BH)
