"""Checks for notebook 08: one LSTM step forward and backward, and one GRU step, in rnn_lib's (PyTorch's) layout.

The four gates are stacked in the rows of ``Wx (4H, D)``, ``Wh (4H, H)`` and ``b (4H,)`` in the order
input i, forget f, cell candidate g, output o. A wrong answer is compared with what each common mistake
would give (a wrong gate order, a missing forget-gate path, tanh for sigmoid, ...) to name it.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..gru import gru_step_forward
from ..lstm import lstm_step_backward, lstm_step_forward
from ._core import Mistake, checker, close, compare, compare_outputs, run

GATES = ("i", "f", "g", "o")
_LAYOUT = ("input i = a[:, :H], forget f = a[:, H:2*H], cell candidate g = a[:, 2*H:3*H], "
           "output o = a[:, 3*H:]")
FORWARD_SHAPE_HINT = [(needle, "Wx is (4H, D) and Wh is (4H, H): a = x @ Wx.T + h_prev @ Wh.T + b has shape (N, 4H); "
                               "cut it into four (N, H) blocks.") for needle in ("matmul", "broadcast", "shapes")]
BACKWARD_SHAPE_HINT = [(needle, "Stack the four gate gradients into da (N, 4H) in the order i, f, g, o; then "
                                "dx = da @ Wx, dh_prev = da @ Wh, dWx = da.T @ x (4H, D), dWh = da.T @ h_prev (4H, H), "
                                "db = da.sum(axis=0).") for needle in ("matmul", "broadcast", "shapes")]


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


_ACT = {"sigmoid": _sigmoid, "tanh": np.tanh, "neg_sigmoid": lambda a: 1.0 / (1.0 + np.exp(a))}
_RIGHT_ACT = {"i": "sigmoid", "f": "sigmoid", "g": "tanh", "o": "sigmoid"}


def _gates(x, h_prev, Wx, Wh, b, order=(0, 1, 2, 3), acts=None, bias=True, h_term=True):
    """The four gates (i, f, g, o), each (N, H); ``order[k]`` is the block that gate k is read from."""
    H = h_prev.shape[1]
    a = x @ Wx.T + (h_prev @ Wh.T if h_term else 0) + (b if bias else 0)
    acts = {**_RIGHT_ACT, **(acts or {})}
    return tuple(_ACT[acts[name]](a[:, k * H:(k + 1) * H]) for name, k in zip(GATES, order, strict=True))


def _forward(x, h_prev, c_prev, Wx, Wh, b, cell="full", out="tanh_c", **gate_flags):
    """The step forward, (h, c), with switches that reproduce common mistakes."""
    i, f, g, o = _gates(x, h_prev, Wx, Wh, b, **gate_flags)
    c = {"full": f * c_prev + i * g, "no_i": f * c_prev + g, "no_f": c_prev + i * g}[cell]
    h = o * {"tanh_c": np.tanh(c), "c": c, "tanh_c_prev": np.tanh(c_prev)}[out]
    return h, c


def _order_name(order) -> str:
    names = {k: name for name, k in zip(GATES, order, strict=True)}
    return ", ".join(names[k] for k in range(4))


def _forward_mistakes():
    orders = [(f"the gates are read in the order {_order_name(order)}; rnn_lib and PyTorch stack them input, "
               f"forget, cell g, output: {_LAYOUT}.", dict(order=order))
              for order in itertools.permutations(range(4)) if order != (0, 1, 2, 3)]
    acts = [(f"the {long} gate {name} uses tanh; it is a sigmoid (a gate is a fraction between 0 and 1).",
             dict(acts={name: "tanh"})) for name, long in (("i", "input"), ("f", "forget"), ("o", "output"))]
    return orders + acts + [
        ("the cell candidate g uses a sigmoid; it is g = tanh(a_g), a proposed value between -1 and 1.",
         dict(acts={"g": "sigmoid"})),
        ("the input, forget and output gates all use tanh; a gate is a sigmoid, between 0 and 1.",
         dict(acts={"i": "tanh", "f": "tanh", "o": "tanh"})),
        ("the sigmoid has the wrong sign: sigmoid(a) = 1 / (1 + exp(-a)).",
         dict(acts={"i": "neg_sigmoid", "f": "neg_sigmoid", "o": "neg_sigmoid"})),
        ("h = o * c uses the raw cell state; squash it first: h = o * tanh(c).", dict(out="c")),
        ("h uses the previous cell state; it is h = o * tanh(c) with the new c.", dict(out="tanh_c_prev")),
        ("the input gate is missing from the new cell state: c = f * c_prev + i * g.", dict(cell="no_i")),
        ("the forget gate is missing from the new cell state: c = f * c_prev + i * g.", dict(cell="no_f")),
        ("the bias b is missing from the pre-activations a = x @ Wx.T + h_prev @ Wh.T + b.", dict(bias=False)),
        ("the previous hidden state's term h_prev @ Wh.T is missing.", dict(h_term=False)),
    ]


def _backward(dh, dc, x, h_prev, c_prev, Wx, Wh, b, read=(0, 1, 2, 3), write=(0, 1, 2, 3), dh_to_c="full",
              do_uses="tanh_c", dc_prev="full", sig_grad="s(1-s)", g_grad="1-g^2", dwh_uses_h=False, bias="sum",
              weights="sum"):
    """The step backward, with switches that reproduce common mistakes.

    ``read[k]`` is the block of the cached gates (N, 4H) taken as gate k of (i, f, g, o); ``write`` is the
    layout their gradients are stacked in. c and tanh(c) are always the cached, right ones.
    """
    blocks = _gates(x, h_prev, Wx, Wh, b)
    c = blocks[1] * c_prev + blocks[0] * blocks[2]
    tc = np.tanh(c)
    i, f, g, o = (blocks[k] for k in read)
    do = dh * {"tanh_c": tc, "c": c}[do_uses]
    through_tanh = {"full": o * (1 - tc**2), "none": 0.0, "no_tanh_grad": o, "c_sq": o * (1 - c**2)}[dh_to_c]
    dct = dc + dh * through_tanh
    sig = {"s(1-s)": lambda s: s * (1 - s), "none": lambda s: 1.0, "1-s^2": lambda s: 1 - s**2}[sig_grad]
    dg_local = {"1-g^2": 1 - g**2, "none": 1.0, "g(1-g)": g * (1 - g)}[g_grad]
    grads = {"i": dct * g * sig(i), "f": dct * c_prev * sig(f), "g": dct * i * dg_local, "o": do * sig(o)}
    blocks = {k: grads[name] for name, k in zip(GATES, write, strict=True)}
    da = np.concatenate([blocks[k] for k in range(4)], axis=1)
    dc_prev = {"full": dct * f, "no_f": dct, "zero": np.zeros_like(c_prev), "dc_only": dc * f}[dc_prev]
    dWx, dWh = da.T @ x, da.T @ (o * tc if dwh_uses_h else h_prev)
    if weights == "mean":
        dWx, dWh = dWx / len(x), dWh / len(x)
    db = {"sum": da.sum(axis=0), "none": da, "mean": da.mean(axis=0), "first": da[0]}[bias]
    return da @ Wx, da @ Wh, dc_prev, dWx, dWh, db


def _backward_mistakes():
    orders = []
    for order in itertools.permutations(range(4)):
        if order != (0, 1, 2, 3):
            orders.append((f"The gate gradients are stacked in the order {_order_name(order)}; da must follow the "
                           f"forward layout i, f, g, o ({_LAYOUT}).", dict(write=order)))
            orders.append((f"The gates are read in the order {_order_name(order)}; rnn_lib and PyTorch stack them "
                           f"input, forget, cell g, output ({_LAYOUT}).", dict(read=order, write=order)))
    total = "dc + dh * o * (1 - tanh(c)**2)"
    path = f"the gradient reaching c is dc_total = {total}"
    return orders + [
        (f"dc_prev misses the forget gate: c = f * c_prev + i * g, so dc_prev = ({total}) * f.",
         dict(dc_prev="no_f")),
        (f"dc_prev is missing: the forget-gate path carries the gradient back, dc_prev = dc_total * f; {path}.",
         dict(dc_prev="zero")),
        (f"dc_prev uses only the dc you were given; {path}, and all of it flows back: dc_prev = dc_total * f.",
         dict(dc_prev="dc_only")),
        (f"The gradient from dh into the cell state is missing: {path}.", dict(dh_to_c="none")),
        (f"The tanh factor between h and c is missing: {path}.", dict(dh_to_c="no_tanh_grad")),
        ("The derivative of tanh(c) is 1 - tanh(c)**2, not 1 - c**2.", dict(dh_to_c="c_sq")),
        ("The output gate's gradient uses c; h = o * tanh(c), so do = dh * tanh(c).", dict(do_uses="c")),
        ("The sigmoid derivative is missing on the i, f and o gates: d sigmoid(a)/da = s * (1 - s).",
         dict(sig_grad="none")),
        ("The gates i, f and o use the tanh derivative 1 - s**2; for a sigmoid it is s * (1 - s).",
         dict(sig_grad="1-s^2")),
        ("The tanh derivative of the cell candidate g is missing: multiply its gradient by 1 - g**2.",
         dict(g_grad="none")),
        ("The cell candidate g uses the sigmoid derivative; g = tanh(a_g), so use 1 - g**2.", dict(g_grad="g(1-g)")),
        ("dWh uses h where it needs the previous state: dWh = da.T @ h_prev.", dict(dwh_uses_h=True)),
        ("db must be summed over the batch: db = da.sum(axis=0), shape (4H,).", dict(bias="none")),
        ("db is averaged over the batch; the gradients add up: db = da.sum(axis=0).", dict(bias="mean")),
        ("db uses only the first example; sum over the batch: db = da.sum(axis=0).", dict(bias="first")),
        ("dWx and dWh are divided by the batch size; the step's gradients add up over the batch (da.T @ x).",
         dict(weights="mean")),
    ]


def _inputs(rng, N, D, H):
    """Random (x, h_prev, c_prev, Wx, Wh, b): every entry of a size where each gate stays far from 0 and 1."""
    return (rng.normal(size=(N, D)), 0.8 * rng.normal(size=(N, H)), rng.normal(size=(N, H)),
            0.6 * rng.normal(size=(4 * H, D)), 0.6 * rng.normal(size=(4 * H, H)), 0.3 * rng.normal(size=4 * H))


_CASES = ((3, 5, 4), (1, 2, 3))        # batch of three, D != H; then a batch of one


def _require_order(got, expected, names) -> None:
    """Name a right set of values returned in the wrong order (such as dh_prev and dc_prev swapped)."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        return
    try:
        arrays = [np.asarray(value, dtype=float) for value in got]
    except (TypeError, ValueError):
        return
    found = [k if close(a, expected[k]) else next((j for j, e in enumerate(expected) if close(a, e)), None)
             for k, a in enumerate(arrays)]
    if None not in found and sorted(found) == list(range(len(expected))) and found != list(range(len(expected))):
        yours, wanted = ", ".join(names[j] for j in found), ", ".join(names)
        raise Mistake(f"The values are right but in the wrong order: you return ({yours}); return ({wanted}).")


def _require_batch(got, N: int) -> None:
    """Name an answer computed for one example when x holds a batch of N rows."""
    if N > 1 and isinstance(got, (tuple, list)) and all(np.ndim(value) == 2 and len(value) == 1 for value in got):
        raise Mistake(f"Your function returns one row, but x holds a batch of N = {N} examples, one per row: "
                      "work on whole (N, ...) arrays (x @ Wx.T, not Wx @ x[0]).")


@checker("h and c match rnn_lib.lstm.lstm_step_forward: i, f, g, o = sigmoid, sigmoid, tanh, sigmoid; "
         "c = f * c_prev + i * g; h = o * tanh(c).")
def check_lstm_step_forward(lstm_step_forward_by_hand) -> None:
    """Check ``lstm_step_forward_by_hand(x, h_prev, c_prev, Wx, Wh, b) -> (h, c)`` (a third value, a cache, is fine)."""
    rng = np.random.default_rng(11)
    for N, D, H in _CASES:
        args = _inputs(rng, N, D, H)
        names = ("x", "h_prev", "c_prev", "Wx", "Wh", "b")
        got = run(lstm_step_forward_by_hand, dict(zip(names, args, strict=True)), FORWARD_SHAPE_HINT)
        if isinstance(got, (tuple, list)) and len(got) == 3:
            got = tuple(got[:2])            # (h, c, cache), like rnn_lib's own function
        if not isinstance(got, (tuple, list)):
            raise Mistake(f"Your function should return the tuple (h, c), got {type(got).__name__}.")
        h, c, _ = lstm_step_forward(*args)
        _require_order(got, (h, c), ("h", "c"))
        _require_batch(got, N)
        variants = [(m[0].upper() + m[1:], _forward(*args, **flags)) for m, flags in _forward_mistakes()]
        compare_outputs(got, (h, c), ("h", "c"), variants)


@checker("dx, dh_prev, dc_prev, dWx, dWh and db match rnn_lib.lstm.lstm_step_backward.")
def check_lstm_step_backward(lstm_step_backward_by_hand) -> None:
    """Check ``lstm_step_backward_by_hand(dh, dc, cache) -> (dx, dh_prev, dc_prev, dWx, dWh, db)``."""
    rng = np.random.default_rng(12)
    names = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
    for N, D, H in _CASES:
        args = _inputs(rng, N, D, H)
        _, _, cache = lstm_step_forward(*args)
        dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
        got = run(lstm_step_backward_by_hand, {"dh": dh, "dc": dc, "cache": cache}, BACKWARD_SHAPE_HINT)
        expected = lstm_step_backward(dh, dc, cache)
        _require_order(got, expected, names)
        _require_batch(got[:3] if isinstance(got, (tuple, list)) else got, N)
        variants = [(m, _backward(dh, dc, *args, **flags)) for m, flags in _backward_mistakes()]
        compare_outputs(got, expected, names, variants)
        again = run(lstm_step_backward_by_hand, {"dh": dh, "dc": dc, "cache": cache})
        if not all(map(close, got, again)):
            raise Mistake("A second call with the same inputs gives different gradients: something lives outside "
                          "the function. Compute every gradient afresh inside it.")


# --- the GRU ------------------------------------------------------------------------------------

_GRU_GATES = ("r", "z", "n")


def _gru_forward(x, h_prev, Wx, Wh, bx, bh, order=(0, 1, 2), mix="pytorch", reset="inside", bh_n="inside",
                 acts=None):
    """The GRU step forward, h (N, H), with switches that reproduce common mistakes."""
    H = h_prev.shape[1]
    gx, gh = x @ Wx.T + bx, h_prev @ Wh.T + bh
    block = {name: k for name, k in zip(_GRU_GATES, order, strict=True)}

    def part(g, name):
        return g[:, block[name] * H:(block[name] + 1) * H]

    acts = {"r": _sigmoid, "z": _sigmoid, **(acts or {})}
    r = acts["r"](part(gx, "r") + part(gh, "r"))
    z = acts["z"](part(gx, "z") + part(gh, "z"))
    Wh_n, bh_n_value = Wh[block["n"] * H:(block["n"] + 1) * H], bh[block["n"] * H:(block["n"] + 1) * H]
    if reset == "before":                  # the original paper's variant: reset h_prev before the product
        inner = (r * h_prev) @ Wh_n.T + bh_n_value
    elif reset == "none":
        inner = part(gh, "n")
    else:
        inner = r * (part(gh, "n") - (0 if bh_n == "inside" else bh_n_value))
        inner = inner + (0 if bh_n == "inside" else bh_n_value)
    n = np.tanh(part(gx, "n") + inner)
    return (1 - z) * n + z * h_prev if mix == "pytorch" else z * n + (1 - z) * h_prev


def _gru_mistakes():
    orders = [(f"the blocks are read in the order {', '.join(_GRU_GATES[k] for k in np.argsort(order))}; rnn_lib and "
               "PyTorch stack them reset r, update z, new n: r from [:, :H], z from [:, H:2*H], n from [:, 2*H:].",
               dict(order=order)) for order in itertools.permutations(range(3)) if order != (0, 1, 2)]
    return orders + [
        ("z and 1 - z are swapped: PyTorch's GRU keeps the old state where z is 1, h = (1 - z) * n + z * h_prev.",
         dict(mix="swapped")),
        ("the reset gate multiplies h_prev before the product (the original paper's GRU); PyTorch's multiplies the "
         "product: n = tanh(gx_n + r * (h_prev @ Wh_n.T + bh_n)).", dict(reset="before")),
        ("the reset gate is missing: n = tanh(gx_n + r * gh_n).", dict(reset="none")),
        ("bh_n sits outside the reset product; it belongs inside: n = tanh(gx_n + r * (h_prev @ Wh_n.T + bh_n)).",
         dict(bh_n="outside")),
        ("the update gate z uses tanh; it is a sigmoid.", dict(acts={"z": np.tanh})),
        ("the reset gate r uses tanh; it is a sigmoid.", dict(acts={"r": np.tanh})),
    ]


GRU_SHAPE_HINT = [(needle, "Wx is (3H, D) and Wh is (3H, H): gx = x @ Wx.T + bx and gh = h_prev @ Wh.T + bh "
                           "are (N, 3H).") for needle in ("matmul", "broadcast", "shapes")]


def _gru_inputs(rng, N, D, H):
    """Random (x, h_prev, Wx (3H, D), Wh (3H, H), bx (3H,), bh (3H,)), biases large enough to matter."""
    return (rng.normal(size=(N, D)), 0.8 * rng.normal(size=(N, H)), 0.6 * rng.normal(size=(3 * H, D)),
            0.6 * rng.normal(size=(3 * H, H)), 0.5 * rng.normal(size=3 * H), 0.5 * rng.normal(size=3 * H))


@checker("h matches rnn_lib.gru.gru_step_forward: r, z = sigmoid(...), n = tanh(gx_n + r * gh_n), "
         "h = (1 - z) * n + z * h_prev.")
def check_gru_step_forward(gru_step_forward_by_hand) -> None:
    """Check ``gru_step_forward_by_hand(x, h_prev, Wx, Wh, bx, bh) -> h`` (a cache after h is fine)."""
    rng = np.random.default_rng(13)
    for N, D, H in _CASES:
        args = _gru_inputs(rng, N, D, H)
        names = ("x", "h_prev", "Wx", "Wh", "bx", "bh")
        got = run(gru_step_forward_by_hand, dict(zip(names, args, strict=True)), GRU_SHAPE_HINT)
        if isinstance(got, (tuple, list)) and len(got) == 2:
            got = got[0]                    # (h, cache), like rnn_lib's own function
        expected = gru_step_forward(*args)[0]
        _require_batch((got,) if isinstance(got, np.ndarray) else got, N)
        variants = [(m, _gru_forward(*args, **flags)) for m, flags in _gru_mistakes()]
        compare(got, expected, "h", variants)
