"""The LSTM exercise checks of notebook 08 accept right answers, reject wrong ones and name the mistake.

The answers below are written here as a student would write them, independently of rnn_lib. Each wrong
one is a mistake made in real numpy LSTM code (a gate order copied from another library, the forward
cell-state path forgotten in the backward pass, ...); the check must return False and say what it is.
"""

import pickle

import numpy as np
import pytest

from rnn_lib import checks
from rnn_lib.checks import gated as gated_checks
from rnn_lib.lstm import lstm_step_forward

CHECKS = ("check_lstm_step_forward", "check_lstm_step_backward", "check_gru_step_forward")


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def unpack(cache):
    """What a student's backward pass reads from rnn_lib's cache: inputs, weights, the gates (N, 4H) and c."""
    x, h_prev, c_prev, Wx, Wh, gates, c, tanh_c = cache
    return x, h_prev, c_prev, Wx, Wh, gates


def gates_of(a, order="ifgo"):
    """The gates from pre-activations a (N, 4H), reading the blocks in ``order``."""
    H = a.shape[1] // 4
    blocks = dict(zip(order, (a[:, k * H:(k + 1) * H] for k in range(4)), strict=True))
    return sigmoid(blocks["i"]), sigmoid(blocks["f"]), np.tanh(blocks["g"]), sigmoid(blocks["o"])


def split_gates(gates, order="ifgo"):
    """The four squashed gates (i, f, g, o) from the cache's (N, 4H) array, reading the blocks in ``order``."""
    H = gates.shape[1] // 4
    blocks = dict(zip(order, (gates[:, k * H:(k + 1) * H] for k in range(4)), strict=True))
    return blocks["i"], blocks["f"], blocks["g"], blocks["o"]


# --- right answers --------------------------------------------------------------------------------

def forward_by_slices(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = gates_of(x @ Wx.T + h_prev @ Wh.T + b)
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def forward_with_split_and_cache(x, h_prev, c_prev, Wx, Wh, b):
    ai, af, ag, ao = np.split(x @ Wx.T + h_prev @ Wh.T + b, 4, axis=1)
    i, f, o = (0.5 * (1 + np.tanh(a / 2)) for a in (ai, af, ao))    # the same sigmoid, written with tanh
    c = f * c_prev + i * np.tanh(ag)
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev)


def forward_as_list(x, h_prev, c_prev, Wx, Wh, b):
    return list(forward_by_slices(x, h_prev, c_prev, Wx, Wh, b))


def backward_by_hand(dh, dc, cache, order="ifgo", **mistakes):
    x, h_prev, c_prev, Wx, Wh, gates = unpack(cache)
    i, f, g, o = split_gates(gates, mistakes.get("read", "ifgo"))
    tc = cache.tanh_c                     # the cache holds c and tanh(c) as well
    do = dh * tc
    dc_total = dc + (0 if mistakes.get("no_dh_to_c") else dh * o * (1 - tc**2))
    parts = {"i": dc_total * g * i * (1 - i), "f": dc_total * c_prev * f * (1 - f),
             "g": dc_total * i * (1 - g**2), "o": do * o * (1 - o)}
    da = np.concatenate([parts[name] for name in order], axis=1)
    dc_prev = dc_total if mistakes.get("no_f") else dc * f if mistakes.get("dc_only") else dc_total * f
    return da @ Wx, da @ Wh, dc_prev, da.T @ x, da.T @ h_prev, da.sum(axis=0)


def backward_with_einsum(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates = unpack(cache)
    i, f, g, o = split_gates(gates)
    tc = np.tanh(f * c_prev + i * g)
    dc_total = dc + dh * o * (1 - tc**2)
    da = np.hstack([dc_total * g * i * (1 - i), dc_total * c_prev * f * (1 - f), dc_total * i * (1 - g**2),
                    dh * tc * o * (1 - o)])
    return (np.einsum("nk,kd->nd", da, Wx), np.einsum("nk,kh->nh", da, Wh), dc_total * f,
            np.einsum("nk,nd->kd", da, x), np.einsum("nk,nh->kh", da, h_prev), np.einsum("nk->k", da))


def gru_by_hand(x, h_prev, Wx, Wh, bx, bh, order="rzn", mix="pytorch", reset="inside", bh_n="inside", z_act=sigmoid):
    H = h_prev.shape[1]
    gx, gh = x @ Wx.T + bx, h_prev @ Wh.T + bh
    cut = dict(zip(order, range(3), strict=True))

    def block(g, name):
        return g[:, cut[name] * H:(cut[name] + 1) * H]

    r = sigmoid(block(gx, "r") + block(gh, "r"))
    z = z_act(block(gx, "z") + block(gh, "z"))
    bn = bh[cut["n"] * H:(cut["n"] + 1) * H]
    if reset == "before":
        inner = (r * h_prev) @ Wh[cut["n"] * H:(cut["n"] + 1) * H].T + bn
    elif bh_n == "outside":
        inner = r * (block(gh, "n") - bn) + bn
    else:
        inner = r * block(gh, "n")
    n = np.tanh(block(gx, "n") + inner)
    return (1 - z) * n + z * h_prev if mix == "pytorch" else z * n + (1 - z) * h_prev


def gru_with_cache(x, h_prev, Wx, Wh, bx, bh):
    return gru_by_hand(x, h_prev, Wx, Wh, bx, bh), None


REFERENCE = {"check_lstm_step_forward": forward_by_slices, "check_lstm_step_backward": backward_by_hand,
             "check_gru_step_forward": gru_by_hand}
ALTERNATIVES = [("check_lstm_step_forward", forward_with_split_and_cache), ("check_lstm_step_forward", forward_as_list),
                ("check_lstm_step_forward", lambda *args: lstm_step_forward(*args)),
                ("check_lstm_step_backward", backward_with_einsum), ("check_gru_step_forward", gru_with_cache)]


@pytest.mark.parametrize("check_name, solution", list(REFERENCE.items()) + ALTERNATIVES,
                         ids=list(REFERENCE) + [f"alt{i}" for i in range(len(ALTERNATIVES))])
def test_a_right_answer_passes(check_name, solution, capsys):
    assert getattr(checks, check_name)(solution) is True
    assert capsys.readouterr().out.startswith("Correct!")


def test_the_checks_are_exported():
    assert set(CHECKS) <= set(checks.__all__)


# --- wrong answers --------------------------------------------------------------------------------
WRONG = []


def wrong(check_name, keyword):
    def register(function):
        WRONG.append(pytest.param(check_name, function, keyword, id=f"{check_name[6:]}-{function.__name__}"))
        return function
    return register


def forward_with(order="ifgo", acts=("s", "s", "t", "s"), cell="f*c+i*g", out="tanh", bias=True):
    def answer(x, h_prev, c_prev, Wx, Wh, b):
        a = x @ Wx.T + h_prev @ Wh.T + (b if bias else 0)
        H = h_prev.shape[1]
        blocks = dict(zip(order, (a[:, k * H:(k + 1) * H] for k in range(4)), strict=True))
        i, f, g, o = ((sigmoid if act == "s" else np.tanh)(blocks[n]) for n, act in zip("ifgo", acts, strict=True))
        c = {"f*c+i*g": f * c_prev + i * g, "c+i*g": c_prev + i * g, "f*c+g": f * c_prev + g}[cell]
        return o * (np.tanh(c) if out == "tanh" else c), c
    return answer


for _name, _answer, _keyword in [
    ("order_ifog", forward_with(order="ifog"), "order i, f, o, g"),
    ("order_fiog_keras_like", forward_with(order="figo"), "order f, i, g, o"),
    ("order_gifo", forward_with(order="gifo"), "order g, i, f, o"),
    ("tanh_on_forget_gate", forward_with(acts=("s", "t", "t", "s")), "forget gate f uses tanh"),
    ("tanh_on_output_gate", forward_with(acts=("s", "s", "t", "t")), "output gate o uses tanh"),
    ("sigmoid_on_candidate", forward_with(acts=("s", "s", "s", "s")), "candidate g uses a sigmoid"),
    ("tanh_everywhere", forward_with(acts=("t", "t", "t", "t")), "all use tanh"),
    ("h_from_raw_cell", forward_with(out="raw"), "tanh(c)"),
    ("no_forget_gate", forward_with(cell="c+i*g"), "forget gate is missing"),
    ("no_input_gate", forward_with(cell="f*c+g"), "input gate is missing"),
    ("no_bias", forward_with(bias=False), "bias"),
]:
    _answer.__name__ = _name
    wrong("check_lstm_step_forward", _keyword)(_answer)


@wrong("check_lstm_step_forward", "wrong order")
def forward_returns_c_then_h(x, h_prev, c_prev, Wx, Wh, b):
    h, c = forward_by_slices(x, h_prev, c_prev, Wx, Wh, b)
    return c, h


@wrong("check_lstm_step_forward", "in place")
def forward_updates_c_prev_in_place(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = gates_of(x @ Wx.T + h_prev @ Wh.T + b)
    c_prev *= f
    c_prev += i * g
    return o * np.tanh(c_prev), c_prev.copy()


@wrong("check_lstm_step_forward", "x @ Wx.T")
def forward_without_transpose(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = gates_of(x @ Wx + h_prev @ Wh + b)
    return o * np.tanh(f * c_prev + i * g), f * c_prev + i * g


@wrong("check_lstm_step_forward", "tuple (h, c)")
def forward_returns_only_h(x, h_prev, c_prev, Wx, Wh, b):
    return forward_by_slices(x, h_prev, c_prev, Wx, Wh, b)[0]


@wrong("check_lstm_step_forward", "batch of N = 3")
def forward_for_one_example_only(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = gates_of((Wx @ x[0] + Wh @ h_prev[0] + b)[None])
    c = f * c_prev[0] + i * g
    return o * np.tanh(c), c


for _name, _flags, _keyword in [
    ("stacked_ifog", dict(order="ifog"), "stacked in the order i, f, o, g"),
    ("stacked_fiog", dict(order="figo"), "stacked in the order f, i, g, o"),
    ("no_forget_factor_in_dc_prev", dict(no_f=True), "misses the forget gate"),
    ("dc_prev_without_dh_part", dict(dc_only=True), "only the dc you were given"),
    ("dh_never_reaches_c", dict(no_dh_to_c=True), "from dh into the cell state is missing"),
    ("read_and_stacked_ifog", dict(order="ifog", read="ifog"), "read in the order i, f, o, g"),
]:
    def _answer(dh, dc, cache, _flags=_flags):
        return backward_by_hand(dh, dc, cache, **_flags)
    _answer.__name__ = _name
    wrong("check_lstm_step_backward", _keyword)(_answer)


def _backward_parts(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates = unpack(cache)
    i, f, g, o = split_gates(gates)
    c = f * c_prev + i * g
    return x, h_prev, c_prev, Wx, Wh, i, f, g, o, c


def _finish(da, dc_prev, x, h_prev, Wx, Wh):
    return da @ Wx, da @ Wh, dc_prev, da.T @ x, da.T @ h_prev, da.sum(axis=0)


@wrong("check_lstm_step_backward", "dc_prev is missing")
def backward_without_cell_path(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c = _backward_parts(dh, dc, cache)
    dct = dc + dh * o * (1 - np.tanh(c) ** 2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dct * i * (1 - g**2),
                    dh * np.tanh(c) * o * (1 - o)])
    return _finish(da, np.zeros_like(c), x, h_prev, Wx, Wh)


@wrong("check_lstm_step_backward", "1 - tanh(c)**2, not 1 - c**2")
def backward_tanh_grad_of_c(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c = _backward_parts(dh, dc, cache)
    dct = dc + dh * o * (1 - c**2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dct * i * (1 - g**2),
                    dh * np.tanh(c) * o * (1 - o)])
    return _finish(da, dct * f, x, h_prev, Wx, Wh)


@wrong("check_lstm_step_backward", "tanh factor between h and c")
def backward_forgets_tanh_of_c(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c = _backward_parts(dh, dc, cache)
    dct = dc + dh * o
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dct * i * (1 - g**2),
                    dh * np.tanh(c) * o * (1 - o)])
    return _finish(da, dct * f, x, h_prev, Wx, Wh)


@wrong("check_lstm_step_backward", "do = dh * tanh(c)")
def backward_output_gate_uses_c(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c = _backward_parts(dh, dc, cache)
    dct = dc + dh * o * (1 - np.tanh(c) ** 2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dct * i * (1 - g**2), dh * c * o * (1 - o)])
    return _finish(da, dct * f, x, h_prev, Wx, Wh)


@wrong("check_lstm_step_backward", "s * (1 - s)")
def backward_tanh_derivative_on_gates(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c = _backward_parts(dh, dc, cache)
    dct = dc + dh * o * (1 - np.tanh(c) ** 2)
    da = np.hstack([dct * g * (1 - i**2), dct * c_prev * (1 - f**2), dct * i * (1 - g**2),
                    dh * np.tanh(c) * (1 - o**2)])
    return _finish(da, dct * f, x, h_prev, Wx, Wh)


@wrong("check_lstm_step_backward", "summed over the batch")
def backward_bias_not_summed(dh, dc, cache):
    dx, dh_prev, dc_prev, dWx, dWh, _ = backward_by_hand(dh, dc, cache)
    x, h_prev, c_prev, Wx, Wh, gates = unpack(cache)
    i, f, g, o = split_gates(gates)
    tc = np.tanh(f * c_prev + i * g)
    dct = dc + dh * o * (1 - tc**2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dct * i * (1 - g**2), dh * tc * o * (1 - o)])
    return dx, dh_prev, dc_prev, dWx, dWh, da


@wrong("check_lstm_step_backward", "dWh = da.T @ h_prev")
def backward_dwh_uses_h(dh, dc, cache):
    dx, dh_prev, dc_prev, dWx, dWh, db = backward_by_hand(dh, dc, cache)
    x, h_prev, c_prev, Wx, Wh, gates = unpack(cache)
    i, f, g, o = split_gates(gates)
    h = o * np.tanh(f * c_prev + i * g)
    tc = np.tanh(f * c_prev + i * g)
    dct = dc + dh * o * (1 - tc**2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dct * i * (1 - g**2), dh * tc * o * (1 - o)])
    return dx, dh_prev, dc_prev, dWx, da.T @ h, db


@wrong("check_lstm_step_backward", "wrong order")
def backward_swaps_dh_prev_and_dc_prev(dh, dc, cache):
    dx, dh_prev, dc_prev, dWx, dWh, db = backward_by_hand(dh, dc, cache)
    return dx, dc_prev, dh_prev, dWx, dWh, db


@wrong("check_lstm_step_backward", "in place")
def backward_adds_into_dc(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c = _backward_parts(dh, dc, cache)
    dc += dh * o * (1 - np.tanh(c) ** 2)
    da = np.hstack([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                    dh * np.tanh(c) * o * (1 - o)])
    return _finish(da, dc * f, x, h_prev, Wx, Wh)


@wrong("check_lstm_step_backward", "looks transposed")
def backward_weight_gradients_transposed(dh, dc, cache):
    dx, dh_prev, dc_prev, dWx, dWh, db = backward_by_hand(dh, dc, cache)
    return dx, dh_prev, dc_prev, dWx.T, dWh.T, db


@wrong("check_lstm_step_backward", "tuple of 6")
def backward_forgets_dc_prev(dh, dc, cache):
    dx, dh_prev, dc_prev, dWx, dWh, db = backward_by_hand(dh, dc, cache)
    return dx, dh_prev, dWx, dWh, db


for _name, _flags, _keyword in [
    ("gru_order_zrn", dict(order="zrn"), "order z, r, n"),
    ("gru_order_nrz", dict(order="nrz"), "order n, r, z"),
    ("gru_z_swapped", dict(mix="swapped"), "z and 1 - z are swapped"),
    ("gru_reset_before_product", dict(reset="before"), "original paper"),
    ("gru_bias_outside_reset", dict(bh_n="outside"), "bh_n sits outside"),
    ("gru_tanh_update_gate", dict(z_act=np.tanh), "update gate z uses tanh"),
]:
    def _answer(x, h_prev, Wx, Wh, bx, bh, _flags=_flags):
        return gru_by_hand(x, h_prev, Wx, Wh, bx, bh, **_flags)
    _answer.__name__ = _name
    wrong("check_gru_step_forward", _keyword)(_answer)


@wrong("check_gru_step_forward", "batch of N = 3")
def gru_for_one_example(x, h_prev, Wx, Wh, bx, bh):
    return gru_by_hand(x[:1], h_prev[:1], Wx, Wh, bx, bh)


@wrong("check_gru_step_forward", "in place")
def gru_updates_h_prev_in_place(x, h_prev, Wx, Wh, bx, bh):
    h = gru_by_hand(x, h_prev, Wx, Wh, bx, bh)
    h_prev[...] = h
    return h


@pytest.mark.parametrize("check_name, function, keyword", WRONG)
def test_a_wrong_answer_fails_and_names_the_mistake(check_name, function, keyword, capsys):
    assert getattr(checks, check_name)(function) is False
    out = capsys.readouterr().out
    assert keyword.lower() in out.lower(), out
    assert "Traceback" not in out and len(out.strip().splitlines()) <= 2, out


def test_every_wrong_gate_order_is_named():
    # All 23 wrong layouts of the forward pass give a message naming the order the student used.
    for order in ("ifog", "fiog", "ogif", "goif", "oifg"):
        assert checks.check_lstm_step_forward(forward_with(order=order)) is False


def test_the_wrong_order_catalogue_is_complete():
    assert len([m for m, _ in gated_checks._forward_mistakes() if "order" in m]) == 23
    assert len([m for m, _ in gated_checks._backward_mistakes() if "order" in m]) == 46


def _raw_inputs(cache):
    """(x, h_prev, c_prev, Wx, Wh, b) behind a cache: b is recovered from the cached gates of the first row."""
    x, h_prev, c_prev, Wx, Wh, gates, c, tanh_c = cache
    H = h_prev.shape[1]
    a = np.concatenate([np.log(gates[:, :2 * H] / (1 - gates[:, :2 * H])), np.arctanh(gates[:, 2 * H:3 * H]),
                        np.log(gates[:, 3 * H:] / (1 - gates[:, 3 * H:]))], axis=1)
    return x, h_prev, c_prev, Wx, Wh, (a - x @ Wx.T - h_prev @ Wh.T)[0]


def test_every_catalogued_backward_mistake_is_named_by_its_own_message(capsys):
    # A student function reproducing each mistake (via rnn_lib's cache) gets that mistake's message back.
    for message, flags in gated_checks._backward_mistakes():
        def answer(dh, dc, cache, flags=flags):
            return gated_checks._backward(dh, dc, *_raw_inputs(cache), **flags)

        assert checks.check_lstm_step_backward(answer) is False
        out = capsys.readouterr().out
        assert message[:40].lower() in out.lower(), (flags, out)


# --- functions that raise, stubs and nonsense ---------------------------------------------------

def raises_in_helper(*args):
    return args[0] @ np.ones((7, 7))


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check_name", CHECKS)
def test_an_exception_becomes_a_short_message(check_name, capsys):
    assert getattr(checks, check_name)(raises_in_helper) is False
    out = capsys.readouterr().out
    assert "raised ValueError" in out and "args[0] @ np.ones((7, 7))" in out, out
    assert "Traceback" not in out


@pytest.mark.parametrize("check_name", CHECKS)
def test_a_stub_is_reported_as_not_implemented(check_name, capsys):
    assert getattr(checks, check_name)(not_implemented) is False
    assert capsys.readouterr().out.strip() == checks.NOT_IMPLEMENTED


@pytest.mark.parametrize("answer", ["nonsense", object(), (None, None), {"a": 1}, np.array(["x"]), 3.5, None,
                                    (1, 2, 3, 4, 5, 6), [np.zeros(3)] * 6],
                         ids=["str", "object", "tuple", "dict", "str-array", "float", "none", "ints", "zeros"])
@pytest.mark.parametrize("check_name", CHECKS)
def test_nonsense_answers_fail_without_raising(check_name, answer, capsys):
    assert getattr(checks, check_name)(lambda *args, **kwargs: answer) is False
    out = capsys.readouterr().out
    assert out.strip() and "Traceback" not in out and "Correct" not in out


@pytest.mark.parametrize("check_name", CHECKS)
def test_checks_are_deterministic(check_name, capsys):
    def recorded_runs():
        calls = []

        def recording(*args, **kwargs):
            calls.append(pickle.dumps((args, kwargs)))
            return REFERENCE[check_name](*args, **kwargs)

        assert getattr(checks, check_name)(recording) is True
        return calls

    first = recorded_runs()
    assert first and recorded_runs() == first
    assert capsys.readouterr().out.count("Correct!") == 2


def test_the_checks_try_a_batch_of_one_and_an_input_size_unlike_the_hidden_size():
    seen = []

    def recording(x, h_prev, c_prev, Wx, Wh, b):
        seen.append((len(x), x.shape[1], h_prev.shape[1]))
        return forward_by_slices(x, h_prev, c_prev, Wx, Wh, b)

    assert checks.check_lstm_step_forward(recording) is True
    assert any(n == 1 for n, _, _ in seen) and all(d != h for _, d, h in seen)
