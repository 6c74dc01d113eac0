"""Checks for notebook 02: one RNN step and the loop over time."""

from __future__ import annotations

import numpy as np

from ..layers import rnn_forward, rnn_step_forward
from ._core import Mistake, as_array, checker, compare, require_no_tuple, run


def _step(x, h_prev, Wxh, Whh, bh, wxh_t=True, whh_t=True, bias=True, tanh=True, h_term=True, squash="tanh",
          bias_outside=False):
    """The forward step, with switches that reproduce common mistakes."""
    pre = x @ (Wxh.T if wxh_t else Wxh) + (h_prev @ (Whh.T if whh_t else Whh) if h_term else 0)
    pre = pre + (bh if bias and not bias_outside else 0)
    out = {"tanh": np.tanh, "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "relu": lambda a: np.maximum(a, 0)}[squash](pre)
    out = out if tanh else pre
    return out + bh if bias_outside else out


def _step_variants(*args):
    square = args[2].shape[0] == args[2].shape[1]
    variants = [("x @ Wxh multiplies by the transpose: Wxh has shape (H, D), so use x @ Wxh.T.", dict(wxh_t=False)),
                ("h_prev @ Whh multiplies by the transpose: use h_prev @ Whh.T.", dict(whh_t=False)),
                ("both products are off by a transpose: use x @ Wxh.T and h_prev @ Whh.T.",
                 dict(wxh_t=False, whh_t=False)),
                ("the bias bh is missing inside the tanh.", dict(bias=False)),
                ("the tanh is missing: h = np.tanh(x @ Wxh.T + h_prev @ Whh.T + bh).", dict(tanh=False)),
                ("the previous state's term h_prev @ Whh.T is missing.", dict(h_term=False)),
                ("it uses a sigmoid; the RNN in this series uses np.tanh.", dict(squash="sigmoid")),
                ("it uses a ReLU; the RNN in this series uses np.tanh.", dict(squash="relu")),
                ("the bias is added after the tanh; it belongs inside: np.tanh(... + bh).", dict(bias_outside=True))]
    return [(m, flags) for m, flags in variants if square or "wxh_t" not in flags]


def rnn_inputs(rng, N, T, D, H, scale=1.0):
    """Random (x, h0, Wxh, Whh, bh): x (N, T, D), or (N, D) when T is 0; h0 (N, H); Wxh (H, D); Whh (H, H); bh (H,).

    ``scale`` multiplies x: a large one saturates the tanh, a tiny one keeps it in its linear range.
    """
    x = scale * (rng.normal(size=(N, T, D)) if T else rng.normal(size=(N, D)))
    return (x, 0.5 * np.tanh(rng.normal(size=(N, H))), 0.5 * rng.normal(size=(H, D)), 0.5 * rng.normal(size=(H, H)),
            0.3 * rng.normal(size=H))


#: (N, D, H, scale of x): square weights first (a missing transpose still gives numbers to compare), then
#: non-square D != H, a batch of one, saturating inputs and tiny inputs.
STEP_SHAPES = ((3, 4, 4, 1.0), (2, 3, 5, 1.0), (1, 5, 2, 1.0), (4, 2, 3, 30.0), (2, 4, 3, 1e-6))


def require_bounded(got, name: str) -> None:
    """Every entry of a tanh output lies in [-1, 1]; otherwise the tanh is missing or applied too early."""
    values = as_array(got, name)
    if np.all(np.isfinite(values)) and np.abs(values).max() > 1 + 1e-9:
        raise Mistake(f"{name} has values with |h| > 1 (up to {np.abs(values).max():.3g}), which tanh never "
                      "gives: apply np.tanh to the whole sum x @ Wxh.T + h_prev @ Whh.T + bh.")


_PRODUCTS = "Wxh is (H, D) and Whh is (H, H): the products are x @ Wxh.T and h_prev @ Whh.T."
_STEP_INPUT = "x has shape (N, T, D): step t reads x[:, t] (x[t] is sequence t)."
FORWARD_SHAPE_HINT = [("broadcast", _STEP_INPUT, "x[t]"), ("matmul", _STEP_INPUT, "x[t]"),
                      ("matmul", _PRODUCTS, True), ("broadcast", _PRODUCTS, True), ("aligned", _PRODUCTS, True),
                      ("out of bounds", _STEP_INPUT)]


@checker("h = tanh(x Wxh^T + h_prev Whh^T + bh) matches rnn_lib.layers.rnn_step_forward.")
def check_rnn_step(rnn_step) -> None:
    """Check ``rnn_step(x, h_prev, Wxh, Whh, bh) -> h (N, H)`` against ``rnn_step_forward``."""
    rng = np.random.default_rng(3)
    for N, D, H, scale in STEP_SHAPES:
        args = rnn_inputs(rng, N, 0, D, H, scale)
        got = run(rnn_step, dict(zip(("x", "h_prev", "Wxh", "Whh", "bh"), args, strict=True)), FORWARD_SHAPE_HINT)
        require_no_tuple(got, "h", "(rnn_lib's rnn_step_forward also returns a cache; the exercise does not.)")
        variants = [(m, _step(*args, **flags)) for m, flags in _step_variants(*args)]
        expected = rnn_step_forward(*args)[0]
        compare(got, expected, "h", variants, extra=[require_bounded])


def _loop(x, h0, Wxh, Whh, bh, start_zero=False, carry=True, store_before=False, **flags):
    h, hs = (np.zeros_like(h0) if start_zero else h0), []
    for t in range(x.shape[1]):
        h_new = _step(x[:, t], h if carry else h0, Wxh, Whh, bh, **flags)
        hs.append(h if store_before else h_new)
        h = h_new
    return np.stack(hs, axis=1)


@checker("hs matches rnn_lib.layers.rnn_forward: every step starts from the previous state, beginning at h0.")
def check_rnn_forward_loop(rnn_forward_loop) -> None:
    """Check ``rnn_forward_loop(x, h0, Wxh, Whh, bh) -> hs (N, T, H)`` against ``rnn_forward``."""
    rng = np.random.default_rng(4)
    for N, T, D, H, scale in ((2, 5, 4, 4, 1.0), (3, 4, 2, 5, 1.0), (1, 3, 3, 2, 1.0), (2, 1, 3, 4, 1.0),
                              (3, 4, 2, 3, 30.0)):                       # square, non-square, N = 1, T = 1, large
        args = rnn_inputs(rng, N, T, D, H, scale)
        got = run(rnn_forward_loop, dict(zip(("x", "h0", "Wxh", "Whh", "bh"), args, strict=True)), FORWARD_SHAPE_HINT)
        require_no_tuple(got, "hs", "")
        expected = rnn_forward(*args)[0]
        step_args = (args[0][:, 0],) + args[1:]
        variants = [(m, _loop(*args, **flags)) for m, flags in _step_variants(*step_args)] + [
            ("the hidden state does not start at h0 (it starts at zeros): begin the loop with h = h0.",
             _loop(*args, start_zero=True)),
            ("every step starts from h0: carry the new state forward (h = rnn_step(x[:, t], h, ...)).",
             _loop(*args, carry=False)),
            ("hs[:, t] holds the state before step t: store the new h after computing it.",
             _loop(*args, store_before=True)),
            ("it has shape (T, N, H); the exercise wants (N, T, H): fill hs[:, t] or np.stack(..., axis=1).",
             expected.transpose(1, 0, 2))]
        compare(got, expected, "hs", variants, extra=[require_bounded])
