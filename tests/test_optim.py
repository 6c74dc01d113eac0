"""Tests for rnn_lib.optim: each update rule against its textbook formula, and gradient clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert make_optimizer(opt) is opt
    assert make_optimizer(opt, 0.3) is opt                  # the same rate twice is no conflict


def test_an_instance_and_a_different_learning_rate_are_refused():
    # Either one would be silently ignored, so neither is.
    with pytest.raises(ValueError, match=r"optimizer=SGD\(learning_rate=0.1\) already has its learning rate, so "
                                         r"learning_rate=0.5 would be ignored"):
        make_optimizer(SGD(0.1), 0.5)


def test_make_optimizer_names_a_class_and_a_wrong_type():
    with pytest.raises(TypeError, match=r"got the class Adam; write Adam\(learning_rate=...\) or 'adam'"):
        make_optimizer(Adam, 0.1)
    with pytest.raises(TypeError, match=r"optimizer must be one of .* or an Optimizer instance, got int: 3"):
        make_optimizer(3, 0.1)
    assert make_optimizer("adam").learning_rate == Adam().learning_rate


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


def test_adam_matches_the_paper_with_a_large_eps():
    # eps = 0.1 is big enough that where it is added matters: the paper adds it to sqrt(v_hat).
    lr, b1, b2, eps = 0.05, 0.8, 0.9, 0.1
    grads = [np.array([0.3, -2.0]), np.array([0.1, 0.5]), np.array([-1.0, 0.0])]
    params = {"w": np.array([1.0, -1.0])}
    opt = Adam(lr, beta1=b1, beta2=b2, eps=eps)
    w, m, v = np.array([1.0, -1.0]), np.zeros(2), np.zeros(2)
    for t, g in enumerate(grads, start=1):
        opt.step(params, {"w": g})
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(params["w"], w, rtol=1e-14)
    np.testing.assert_allclose(opt.state["w"]["m"], m, rtol=1e-14)
    np.testing.assert_allclose(opt.state["w"]["v"], v, rtol=1e-14)
    assert opt.steps == 3


@pytest.mark.parametrize("make", [lambda: Adam(beta1=1.0), lambda: Adam(beta2=1.0), lambda: Adam(beta1=math.nan),
                                  lambda: Adam(beta2=-0.1), lambda: Adam(eps=0.0), lambda: Adam(eps=math.nan),
                                  lambda: Adam(eps=-1e-8), lambda: Adagrad(eps=0.0), lambda: Adagrad(eps=math.inf)],
                         ids=["beta1=1", "beta2=1", "beta1=nan", "beta2<0", "adam-eps=0", "eps=nan", "eps<0",
                              "adagrad-eps=0", "eps=inf"])
def test_every_hyper_parameter_is_checked(make):
    with pytest.raises(ValueError, match=r"(beta1|beta2) must be at least 0 and below 1|eps must be a finite number"):
        make()


@pytest.mark.parametrize("name, value", [("beta1", "0.9"), ("beta2", True), ("eps", None), ("learning_rate", [0.1])])
def test_hyper_parameters_of_the_wrong_type(name, value):
    with pytest.raises(TypeError, match=f"{name} must be a number"):
        Adam(**{name: value})


def test_settings_changed_later_are_checked_too():
    opt = Adam()
    for name, value in [("eps", 0.0), ("beta1", 1.0), ("learning_rate", -1.0)]:
        with pytest.raises(ValueError, match=name):
            setattr(opt, name, value)
    opt.learning_rate = 0.5                                  # a schedule may still change it
    assert opt.learning_rate == 0.5 and opt.eps == 1e-8 and opt.beta1 == 0.9


def test_zero_gradients_leave_adam_and_adagrad_finite():
    for opt in (Adam(), Adagrad()):
        params = {"w": np.array([1.0, 2.0])}
        opt.step(params, {"w": np.zeros(2)})
        np.testing.assert_array_equal(params["w"], [1.0, 2.0])


@pytest.mark.parametrize("make", [lambda: SGD(0.1), Adagrad, Adam])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_gradient_is_refused_and_nothing_changes(make, bad):
    opt = make()
    params = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}
    opt.step(params, {"a": np.array([0.5, -0.5]), "b": np.array([1.0])})
    before = {name: value.copy() for name, value in params.items()}
    state = {name: {k: v.copy() for k, v in entry.items()} for name, entry in opt.state.items()}
    # "a" comes first and is fine; the bad "b" must stop the whole step.
    with pytest.raises(ValueError, match=rf"grads\['b'\] holds {bad} at index \(0,\); gradients must be finite"):
        opt.step(params, {"a": np.array([1.0, 1.0]), "b": np.array([bad])})
    for name in params:
        np.testing.assert_array_equal(params[name], before[name])
    assert opt.steps == 1
    assert set(opt.state) == set(state)
    for name, entry in state.items():
        for key, value in entry.items():
            np.testing.assert_array_equal(opt.state[name][key], value)


def test_an_overflowing_update_is_refused_and_nothing_changes():
    params = {"a": np.array([1.0]), "b": np.array([1e308])}
    opt = SGD(1e300)
    with pytest.raises(FloatingPointError, match=r"the update of 'b' overflowed .* nothing changed"):
        opt.step(params, {"a": np.array([1.0]), "b": np.array([-1e10])})
    assert params["a"][0] == 1.0 and params["b"][0] == 1e308 and opt.steps == 0
    adam = Adam()
    with pytest.raises(FloatingPointError, match="the update of 'a' overflowed"):   # g^2 overflows v
        adam.step({"a": np.array([0.0])}, {"a": np.array([1e200])})
    assert adam.state == {} and adam.steps == 0


def test_step_checks_its_arguments():
    params = {"w": np.zeros(2)}
    with pytest.raises(KeyError, match=r"grads has entries \['v'\] that are not in params"):
        SGD(0.1).step(params, {"w": np.zeros(2), "v": np.zeros(1)})
    with pytest.raises(TypeError, match=r"params\['w'\] must be a float numpy array"):
        SGD(0.1).step({"w": np.zeros(2, dtype=int)}, {"w": np.zeros(2)})
    with pytest.raises(TypeError, match=r"grads\['w'\] must be an array of numbers, got dtype bool"):
        SGD(0.1).step(params, {"w": np.array([True, False])})
    with pytest.raises(TypeError, match="grads must be a dict"):
        SGD(0.1).step(params, [np.zeros(2)])
    with pytest.raises(ValueError, match="grads is empty"):
        SGD(0.1).step(params, {})


def test_a_float32_model_stays_float32():
    params = {"w": np.ones(3, dtype=np.float32)}
    Adam().step(params, {"w": np.ones(3, dtype=np.float32)})
    assert params["w"].dtype == np.float32
    np.testing.assert_allclose(params["w"], 1 - 0.01, rtol=1e-6)


class InterruptedOnWrite(np.ndarray):
    """A weight array whose in-place write is interrupted, as Ctrl-C could do between two weights."""

    def __setitem__(self, key, value):
        raise KeyboardInterrupt


def test_an_interrupted_write_is_rolled_back():
    opt = Adam(0.1)
    params = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}
    opt.step(params, {"a": np.array([1.0, 1.0]), "b": np.array([1.0])})
    a_before = params["a"].copy()
    state_before = {name: dict(entry) for name, entry in opt.state.items()}
    params["b"] = params["b"].view(InterruptedOnWrite)           # "a" is written first, then "b" is interrupted
    with pytest.raises(KeyboardInterrupt):
        opt.step(params, {"a": np.array([5.0, 5.0]), "b": np.array([5.0])})
    np.testing.assert_array_equal(params["a"], a_before)
    assert opt.steps == 1
    assert {name: dict(entry) for name, entry in opt.state.items()} == state_before


# --- clipping at the threshold and at extreme scales -----------------------------------------------

@pytest.mark.parametrize("factor", [1.000001, 1.5, 1.99, 2.5])
def test_clip_by_global_norm_clips_everything_above_the_threshold(factor):
    # A clipper that only acts above twice the threshold passes the other clipping tests; not this one.
    grads = {"a": np.array([3.0 * factor]), "b": np.array([4.0 * factor])}   # norm 5 * factor
    clipped, norm = clip_by_global_norm(grads, 5.0)
    assert norm == pytest.approx(5.0 * factor, rel=1e-15)
    np.testing.assert_allclose(clipped["a"], [3.0], rtol=1e-14)
    np.testing.assert_allclose(clipped["b"], [4.0], rtol=1e-14)


def test_clip_by_global_norm_at_exactly_the_threshold_changes_nothing():
    clipped, norm = clip_by_global_norm({"a": np.array([3.0]), "b": np.array([4.0])}, 5.0)
    assert norm == 5.0
    np.testing.assert_array_equal(clipped["a"], [3.0])
    np.testing.assert_array_equal(clipped["b"], [4.0])


@settings(max_examples=200, deadline=None)
@given(exponent=st.integers(-300, 300), mantissa=st.floats(1.0, 9.99), max_norm=st.floats(0.01, 100.0))
def test_clipping_and_the_norm_work_at_any_scale(exponent, mantissa, max_norm):
    x = mantissa * 10.0**exponent
    grads = {"a": np.array([x, -x]), "b": np.array([[x], [x]])}     # global norm 2x exactly
    assert global_norm(grads) == pytest.approx(2 * x, rel=1e-14)
    clipped, norm = clip_by_global_norm(grads, max_norm)
    assert norm == pytest.approx(2 * x, rel=1e-14)
    expected = x * min(1.0, max_norm / (2 * x))                          # every entry has the same size
    np.testing.assert_allclose(np.abs(clipped["a"]), expected, rtol=1e-13)
    np.testing.assert_allclose(np.abs(clipped["b"]), expected, rtol=1e-13)
    assert np.all(np.sign(clipped["a"]) == [1, -1])


def test_huge_gradients_are_scaled_not_zeroed():
    clipped, norm = clip_by_global_norm({"w": np.array([1e200, -1e200])}, 1.0)
    assert norm == pytest.approx(math.sqrt(2) * 1e200, rel=1e-14)
    np.testing.assert_allclose(clipped["w"], [2**-0.5, -(2**-0.5)], rtol=1e-14)


def test_clipping_refuses_nan_and_names_the_entry():
    with pytest.raises(ValueError, match=r"grads\['b'\] holds nan at index \(1,\)"):
        clip_by_global_norm({"a": np.ones(2), "b": np.array([0.0, np.nan])}, 1.0)
    with pytest.raises(ValueError, match=r"grads\['a'\] holds inf"):
        global_norm({"a": np.array([np.inf])})
    with pytest.raises(ValueError, match=r"grads\['a'\] holds -inf"):
        clip_by_value({"a": np.array([-np.inf])}, 1.0)
