"""The LSTM and GRU layers: values worked out by hand, numerical gradient checks, masks, ids and bad input.

Gradient checks run in float64 with centred differences (step 1e-5) through ``rel_error``; a correct
gradient measures about 1e-9 on these small problems, so the tolerance 1e-7 leaves room for rounding
while any real mistake (a dropped path, a wrong gate block) lands far above it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib.gradcheck import numerical_gradient, rel_error
from rnn_lib.gru import gru_gates
from rnn_lib.layers import (
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from rnn_lib.lstm import lstm_gates

GRAD_TOLERANCE = 1e-7


def sig(a):
    return 1.0 / (1.0 + math.exp(-a))


def lstm_problem(seed=0, N=3, D=4, H=5, T=6):
    rng = np.random.default_rng(seed)
    return dict(x=rng.normal(size=(N, T, D)), h0=rng.normal(size=(N, H)), c0=rng.normal(size=(N, H)),
                Wx=rng.normal(scale=0.5, size=(4 * H, D)), Wh=rng.normal(scale=0.5, size=(4 * H, H)),
                b=rng.normal(scale=0.5, size=4 * H), dout=rng.normal(size=(N, T, H)), rng=rng)


def gru_problem(seed=0, N=3, D=4, H=5, T=6):
    rng = np.random.default_rng(seed)
    return dict(x=rng.normal(size=(N, T, D)), h0=rng.normal(size=(N, H)),
                Wx=rng.normal(scale=0.5, size=(3 * H, D)), Wh=rng.normal(scale=0.5, size=(3 * H, H)),
                bx=rng.normal(scale=0.5, size=3 * H), bh=rng.normal(scale=0.5, size=3 * H),
                dout=rng.normal(size=(N, T, H)), rng=rng)


# --- one hidden unit, by hand ---------------------------------------------------------------------

def test_lstm_step_one_unit_by_hand():
    # H = 1, D = 1: rows of Wx, Wh, b are the gates i, f, g, o in that order.
    Wx = np.array([[0.5], [-1.0], [2.0], [0.25]])
    Wh = np.array([[0.1], [0.2], [-0.3], [0.4]])
    b = np.array([0.0, 1.0, 0.1, -0.2])
    x, h_prev, c_prev = np.array([[2.0]]), np.array([[0.5]]), np.array([[-1.5]])
    i = sig(0.5 * 2 + 0.1 * 0.5)
    f = sig(-1.0 * 2 + 0.2 * 0.5 + 1.0)
    g = math.tanh(2.0 * 2 - 0.3 * 0.5 + 0.1)
    o = sig(0.25 * 2 + 0.4 * 0.5 - 0.2)
    c = f * -1.5 + i * g
    h, c_out, _ = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    np.testing.assert_allclose(c_out, [[c]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(h, [[o * math.tanh(c)]], rtol=0, atol=1e-15)


def test_lstm_step_backward_one_unit_by_hand():
    Wx, Wh, b = np.array([[0.5], [-1.0], [2.0], [0.25]]), np.array([[0.1], [0.2], [-0.3], [0.4]]), np.zeros(4)
    x, h_prev, c_prev = np.array([[1.0]]), np.array([[0.0]]), np.array([[2.0]])
    _, _, cache = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    # With dh = 0 and dc = 1 only the cell path carries gradient: dc_prev = f, and the forget row of
    # dWx is c_prev * f (1 - f) * x.
    f = sig(-1.0)
    _, _, dc_prev, dWx, _, db = lstm_step_backward(np.zeros((1, 1)), np.ones((1, 1)), cache)
    np.testing.assert_allclose(dc_prev, [[f]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(dWx[1, 0], 2.0 * f * (1 - f) * 1.0, rtol=0, atol=1e-15)
    assert db[3] == 0.0          # the output gate does not touch c, so dc alone leaves it untouched


def test_gru_step_one_unit_by_hand():
    # Rows: r, z, n. Both biases count, and bh's n entry sits inside the reset product.
    Wx, Wh = np.array([[0.5], [-1.0], [2.0]]), np.array([[0.1], [0.2], [-0.3]])
    bx, bh = np.array([0.1, 0.2, 0.3]), np.array([-0.1, 0.4, 0.5])
    x, h_prev = np.array([[1.0]]), np.array([[0.5]])
    r = sig(0.5 + 0.1 + 0.1 * 0.5 - 0.1)
    z = sig(-1.0 + 0.2 + 0.2 * 0.5 + 0.4)
    n = math.tanh(2.0 + 0.3 + r * (-0.3 * 0.5 + 0.5))
    h, _ = gru_step_forward(x, h_prev, Wx, Wh, bx, bh)
    np.testing.assert_allclose(h, [[(1 - z) * n + z * 0.5]], rtol=0, atol=1e-15)


# --- numerical gradients ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_step_gradients(seed):
    p = lstm_problem(seed)
    x, h, c, Wx, Wh, b = p["x"][:, 0].copy(), p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"]
    dh, dc = p["rng"].normal(size=h.shape), p["rng"].normal(size=h.shape)
    _, _, cache = lstm_step_forward(x, h, c, Wx, Wh, b)
    grads = lstm_step_backward(dh, dc, cache)

    def loss():
        h_new, c_new, _ = lstm_step_forward(x, h, c, Wx, Wh, b)
        return np.sum(h_new * dh) + np.sum(c_new * dc)

    for name, value, grad in zip(("x", "h_prev", "c_prev", "Wx", "Wh", "b"), (x, h, c, Wx, Wh, b), grads, strict=True):
        assert rel_error(grad, numerical_gradient(loss, value)) < GRAD_TOLERANCE, name


@pytest.mark.parametrize("seed", [0, 1])
def test_gru_step_gradients(seed):
    p = gru_problem(seed)
    x, h, Wx, Wh, bx, bh = p["x"][:, 0].copy(), p["h0"], p["Wx"], p["Wh"], p["bx"], p["bh"]
    dh = p["rng"].normal(size=h.shape)
    _, cache = gru_step_forward(x, h, Wx, Wh, bx, bh)
    grads = gru_step_backward(dh, cache)
    for name, value, grad in zip(("x", "h_prev", "Wx", "Wh", "bx", "bh"), (x, h, Wx, Wh, bx, bh), grads, strict=True):
        numeric = numerical_gradient(lambda: gru_step_forward(x, h, Wx, Wh, bx, bh)[0], value, dout=dh)
        assert rel_error(grad, numeric) < GRAD_TOLERANCE, name


@pytest.mark.parametrize("use_mask", [False, True])
def test_lstm_sequence_gradients(use_mask):
    p = lstm_problem(2)
    mask = np.array([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4], dtype=bool) if use_mask else None
    args = [p[k] for k in ("x", "h0", "c0", "Wx", "Wh", "b")]
    _, cache = lstm_forward(*args, mask=mask)
    grads = lstm_backward(p["dout"], cache)
    for name, value, grad in zip(("x", "h0", "c0", "Wx", "Wh", "b"), args, grads, strict=True):
        numeric = numerical_gradient(lambda: lstm_forward(*args, mask=mask)[0], value, dout=p["dout"])
        assert rel_error(grad, numeric) < GRAD_TOLERANCE, name


@pytest.mark.parametrize("use_mask", [False, True])
def test_gru_sequence_gradients(use_mask):
    p = gru_problem(3)
    mask = np.array([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4], dtype=bool) if use_mask else None
    args = [p[k] for k in ("x", "h0", "Wx", "Wh", "bx", "bh")]
    _, cache = gru_forward(*args, mask=mask)
    grads = gru_backward(p["dout"], cache)
    for name, value, grad in zip(("x", "h0", "Wx", "Wh", "bx", "bh"), args, grads, strict=True):
        numeric = numerical_gradient(lambda: gru_forward(*args, mask=mask)[0], value, dout=p["dout"])
        assert rel_error(grad, numeric) < GRAD_TOLERANCE, name


def test_lstm_sequence_is_the_step_looped():
    p = lstm_problem(4)
    hs, cache = lstm_forward(p["x"], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    h, c = p["h0"], p["c0"]
    for t in range(p["x"].shape[1]):
        h, c, _ = lstm_step_forward(p["x"][:, t], h, c, p["Wx"], p["Wh"], p["b"])
        np.testing.assert_allclose(hs[:, t], h, rtol=0, atol=1e-14)
    np.testing.assert_allclose(cache.cs[-1], c, rtol=0, atol=1e-14)


def test_gru_sequence_is_the_step_looped():
    p = gru_problem(4)
    hs, _ = gru_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["bx"], p["bh"])
    h = p["h0"]
    for t in range(p["x"].shape[1]):
        h, _ = gru_step_forward(p["x"][:, t], h, p["Wx"], p["Wh"], p["bx"], p["bh"])
        np.testing.assert_allclose(hs[:, t], h, rtol=0, atol=1e-14)


# --- token ids ----------------------------------------------------------------------------------

def test_ids_equal_one_hot_floats():
    rng = np.random.default_rng(5)
    V, H = 7, 3
    ids = rng.integers(V, size=(2, 4))
    one_hot = np.eye(V)[ids]
    lp = dict(Wx=rng.normal(size=(4 * H, V)), Wh=rng.normal(size=(4 * H, H)), b=rng.normal(size=4 * H))
    h0 = c0 = np.zeros((2, H))
    dout = rng.normal(size=(2, 4, H))
    hs_i, cache_i = lstm_forward(ids, h0, c0, **lp)
    hs_f, cache_f = lstm_forward(one_hot, h0, c0, **lp)
    np.testing.assert_allclose(hs_i, hs_f, rtol=0, atol=1e-14)
    grads_i, grads_f = lstm_backward(dout, cache_i), lstm_backward(dout, cache_f)
    assert grads_i[0] is None
    for a, b in zip(grads_i[1:], grads_f[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    gp = dict(Wx=rng.normal(size=(3 * H, V)), Wh=rng.normal(size=(3 * H, H)),
              bx=rng.normal(size=3 * H), bh=rng.normal(size=3 * H))
    hs_i, cache_i = gru_forward(ids, h0, **gp)
    hs_f, cache_f = gru_forward(one_hot, h0, **gp)
    np.testing.assert_allclose(hs_i, hs_f, rtol=0, atol=1e-14)
    grads_i, grads_f = gru_backward(dout, cache_i), gru_backward(dout, cache_f)
    assert grads_i[0] is None
    for a, b in zip(grads_i[1:], grads_f[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    # One step with ids: the same as the float step.
    h, c, sc_i = lstm_step_forward(ids[:, 0], h0, c0, **lp)
    h2, c2, sc_f = lstm_step_forward(one_hot[:, 0], h0, c0, **lp)
    np.testing.assert_allclose(h, h2, rtol=0, atol=1e-14)
    dh = rng.normal(size=(2, H))
    for a, b in zip(lstm_step_backward(dh, dh, sc_i)[1:], lstm_step_backward(dh, dh, sc_f)[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    _, gc_i = gru_step_forward(ids[:, 0], h0, **gp)
    _, gc_f = gru_step_forward(one_hot[:, 0], h0, **gp)
    for a, b in zip(gru_step_backward(dh, gc_i)[1:], gru_step_backward(dh, gc_f)[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)


# --- masks and gates -----------------------------------------------------------------------------

def test_mask_carries_both_lstm_states_over_padding():
    p = lstm_problem(6)
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=bool)
    hs, cache = lstm_forward(p["x"], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"], mask=mask)
    short, _ = lstm_forward(p["x"][1:2, :3], p["h0"][1:2], p["c0"][1:2], p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(hs[1, -1], short[0, -1], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(cache.cs[-1, 1], cache.cs[2, 1])


def test_gates_lie_in_their_ranges_and_have_their_names():
    p = lstm_problem(7)
    _, cache = lstm_forward(p["x"], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    gates = lstm_gates(cache)
    assert list(gates) == ["input", "forget", "cell", "output"]
    for name, values in gates.items():
        assert values.shape == (3, 6, 5)
        low = -1.0 if name == "cell" else 0.0
        assert values.min() >= low and values.max() <= 1.0
    q = gru_problem(7)
    _, gcache = gru_forward(q["x"], q["h0"], q["Wx"], q["Wh"], q["bx"], q["bh"])
    assert list(gru_gates(gcache)) == ["reset", "update", "new"]


def test_a_saturated_forget_gate_keeps_the_cell():
    # Forget gate pinned open and input gate shut: c must pass through unchanged, whatever x is.
    H, D = 2, 3
    b = np.concatenate([np.full(H, -50.0), np.full(H, 50.0), np.zeros(H), np.zeros(H)])
    c0 = np.array([[0.7, -0.3]])
    _, cache = lstm_forward(np.ones((1, 5, D)), np.zeros((1, H)), c0, np.zeros((4 * H, D)),
                            np.zeros((4 * H, H)), b)
    np.testing.assert_allclose(cache.cs[-1], c0, rtol=0, atol=1e-12)


# --- bad input ------------------------------------------------------------------------------------

def test_bad_shapes_name_the_argument():
    p = lstm_problem()
    x, h0, c0, Wx, Wh, b = (p[k] for k in ("x", "h0", "c0", "Wx", "Wh", "b"))
    with pytest.raises(ValueError, match="Wh"):
        lstm_forward(x, h0, c0, Wx, Wh[:-1], b)
    with pytest.raises(ValueError, match="Wx"):
        lstm_forward(x, h0, c0, Wx[:, :-1].T, Wh, b)
    with pytest.raises(ValueError, match="b "):
        lstm_forward(x, h0, c0, Wx, Wh, b[:-1])
    with pytest.raises(ValueError, match="x"):
        lstm_forward(x[..., :-1], h0, c0, Wx, Wh, b)
    with pytest.raises(ValueError, match="c0"):
        lstm_forward(x, h0, c0[:-1], Wx, Wh, b)
    with pytest.raises(ValueError, match="h_prev"):
        lstm_step_forward(x[:, 0], h0[:, :-1], c0, Wx, Wh, b)
    with pytest.raises(ValueError, match="token ids"):
        lstm_forward(np.full((3, 6), 4), h0, c0, Wx, Wh, b)
    _, cache = lstm_forward(x, h0, c0, Wx, Wh, b)
    with pytest.raises(ValueError, match="dhs"):
        lstm_backward(p["dout"][:, :-1], cache)
    _, _, step_cache = lstm_step_forward(x[:, 0], h0, c0, Wx, Wh, b)
    with pytest.raises(ValueError, match="dc"):
        lstm_step_backward(h0, c0[:, :1], step_cache)
    q = gru_problem()
    with pytest.raises(ValueError, match="GRU"):
        gru_forward(q["x"], q["h0"], q["Wx"], q["Wh"][:, :-1], q["bx"], q["bh"])
    with pytest.raises(ValueError, match="bh"):
        gru_step_forward(q["x"][:, 0], q["h0"], q["Wx"], q["Wh"], q["bx"], q["bh"][:4])
    with pytest.raises(ValueError, match="mask"):
        gru_forward(q["x"], q["h0"], q["Wx"], q["Wh"], q["bx"], q["bh"], mask=np.ones((3, 2), bool))
    gap = np.tile([True, False, True, True, True, True], (3, 1))     # a hole in the middle: not right-padded
    with pytest.raises(ValueError, match="right-padded"):
        gru_forward(q["x"], q["h0"], q["Wx"], q["Wh"], q["bx"], q["bh"], mask=gap)
    with pytest.raises(TypeError, match="booleans"):
        lstm_forward(*(p[k] for k in ("x", "h0", "c0", "Wx", "Wh", "b")), mask=np.ones((3, 6)))
    with pytest.raises(ValueError, match="shape"):
        gru_forward(q["x"][0, 0], q["h0"], q["Wx"], q["Wh"], q["bx"], q["bh"])
    with pytest.raises(ValueError, match="T=0"):
        gru_forward(q["x"][:, :0], q["h0"], q["Wx"], q["Wh"], q["bx"], q["bh"])


@pytest.mark.parametrize("name", ["x", "h0", "c0", "Wx", "Wh", "b"])
def test_nan_or_inf_is_refused_with_the_array_name(name):
    p = lstm_problem()
    args = {k: p[k].copy() for k in ("x", "h0", "c0", "Wx", "Wh", "b")}
    args[name].flat[3] = np.nan if name != "Wh" else np.inf
    with pytest.raises(ValueError, match=f"^{name} holds NaN or inf"):
        lstm_forward(*args.values())
    q = gru_problem()
    with pytest.raises(ValueError, match="^bh holds NaN or inf"):
        gru_step_forward(q["x"][:, 0], q["h0"], q["Wx"], q["Wh"], q["bx"], np.full(15, np.nan))


def test_non_numbers_are_refused_with_a_type_error():
    p = lstm_problem()
    with pytest.raises(TypeError, match="x must hold float inputs or integer token ids"):
        lstm_forward(p["x"] > 0, p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(TypeError, match="x must hold"):
        lstm_step_forward(np.full((3, 4), "a"), p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(TypeError, match="c_prev must be an array of numbers"):
        lstm_step_forward(p["x"][:, 0], p["h0"], [["a"] * 5] * 3, p["Wx"], p["Wh"], p["b"])
    q = gru_problem()
    with pytest.raises(TypeError, match="h0 must be an array of numbers"):
        gru_forward(q["x"], q["h0"].astype(object), q["Wx"], q["Wh"], q["bx"], q["bh"])
