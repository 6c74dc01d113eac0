"""Checks for notebook 04: one step backward, backpropagation through time, and gradient clipping."""

from __future__ import annotations

import numpy as np

from ..layers import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from ..optim import clip_by_global_norm
from ._core import Mistake, checker, close, compare_dicts, compare_outputs, random_grads, run
from .forward import rnn_inputs

BACKWARD_SHAPE_HINT = [(needle, "dpre = dh * (1 - h**2) is (N, H): dx = dpre @ Wxh, dh_prev = dpre @ Whh, "
                                 "dWxh = dpre.T @ x (H, D), dWhh = dpre.T @ h_prev (H, H).", True)
                       for needle in ("matmul", "broadcast", "shapes", "aligned")]


def _step_back(dh, x, h_prev, Wxh, Whh, h, tanh_grad="h", whh_t=False, wxh_t=False, dwhh_uses_h=False,
               dw_transposed=False, sum_bias=True, dwhh_t=False, bias_mean=False):
    """The backward step, with switches that reproduce common mistakes."""
    local = {"h": 1 - h**2, "none": 1.0, "h_prev": 1 - h_prev**2, "1-h": 1 - h,
             "tanh_h": 1 - np.tanh(h) ** 2}[tanh_grad]
    dpre = dh * local
    dWxh, dWhh = dpre.T @ x, dpre.T @ (h if dwhh_uses_h else h_prev)
    if dw_transposed:
        dWxh, dWhh = dWxh.T, dWhh.T
    if dwhh_t:
        dWhh = dWhh.T
    if bias_mean:
        return (dpre @ (Wxh.T if wxh_t else Wxh), dpre @ (Whh.T if whh_t else Whh), dWxh, dWhh, dpre.mean(axis=0))
    return (dpre @ (Wxh.T if wxh_t else Wxh), dpre @ (Whh.T if whh_t else Whh), dWxh, dWhh,
            dpre.sum(axis=0) if sum_bias else dpre)


_STEP_BACK_MISTAKES = [
    ("The tanh factor is missing: start with dpre = dh * (1 - h**2).", dict(tanh_grad="none")),
    ("The tanh derivative uses h_prev; it is 1 - h**2 with h the output of this step.", dict(tanh_grad="h_prev")),
    ("The tanh derivative is 1 - h**2, not 1 - h.", dict(tanh_grad="1-h")),
    ("dh_prev is off by a transpose: the forward pass uses h_prev @ Whh.T, so the backward pass is dpre @ Whh "
     "(not dpre @ Whh.T).", dict(whh_t=True)),
    ("dx is off by a transpose: the forward pass uses x @ Wxh.T, so dx = dpre @ Wxh.", dict(wxh_t=True)),
    ("dWhh uses h where it needs the previous state: dWhh = dpre.T @ h_prev.", dict(dwhh_uses_h=True)),
    ("The weight gradients are transposed: dWxh must have Wxh's shape (H, D), dWhh = dpre.T @ h_prev.",
     dict(dw_transposed=True)),
    ("dbh must be summed over the batch: dbh = dpre.sum(axis=0), shape (H,).", dict(sum_bias=False)),
    ("dbh is averaged over the batch; sum it: dbh = dpre.sum(axis=0) (the 1/N of the mean loss is already in dh).",
     dict(bias_mean=True)),
    ("The tanh derivative is 1 - h**2 with h the step's output, which is already tanh(...): do not apply np.tanh "
     "to h again.", dict(tanh_grad="tanh_h")),
    ("dWhh is transposed: dWhh = dpre.T @ h_prev, so dWhh[i, j] pairs output unit i with previous unit j.",
     dict(dwhh_t=True)),
]
_BACK_NAMES = ("dx", "dh_prev", "dWxh", "dWhh", "dbh")


@checker("All five gradients match rnn_lib.layers.rnn_step_backward.")
def check_rnn_step_backward(rnn_step_backward_by_hand) -> None:
    """Check ``rnn_step_backward_by_hand(dh, cache) -> (dx, dh_prev, dWxh, dWhh, dbh)`` against rnn_step_backward."""
    rng = np.random.default_rng(7)
    # square, non-square both ways, a batch of one, a saturated tanh, and a zero upstream gradient
    for N, D, H, scale, dh_scale in ((3, 4, 4, 1.0, 1.0), (2, 3, 5, 1.0, 1.0), (1, 5, 2, 1.0, 1.0),
                                     (4, 2, 3, 20.0, 1.0), (2, 3, 4, 1.0, 0.0)):
        x, h_prev, Wxh, Whh, bh = rnn_inputs(rng, N, 0, D, H, scale)
        h, cache = rnn_step_forward(x, h_prev, Wxh, Whh, bh)
        dh = dh_scale * rng.normal(size=(N, H))
        got = run(rnn_step_backward_by_hand, {"dh": dh, "cache": cache}, BACKWARD_SHAPE_HINT)
        variants = [(m, _step_back(dh, *cache, **flags)) for m, flags in _STEP_BACK_MISTAKES
                    if D == H or not flags.keys() & {"wxh_t", "dw_transposed"}]
        compare_outputs(got, rnn_step_backward(dh, cache), _BACK_NAMES, variants, n=N)


def _bptt(dhs, x, h0, hs, Wxh, Whh, carry=True, accumulate="all", wrap_h0=False, prev_is_h=False,
          init_last=False, forward_order=False, skip=None, **step_flags):
    """Reference BPTT with switches that reproduce common mistakes (``skip``: "first" or "last" step left out)."""
    N, T, H = hs.shape
    dx, grads = np.zeros(x.shape), [np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(H)]
    dh_next = dhs[:, -1].copy() if init_last else np.zeros((N, H))
    steps = [t for t in (range(T) if forward_order else reversed(range(T)))
             if not (skip == "first" and t == 0 or skip == "last" and t == T - 1)]
    for t in steps:
        h_prev = hs[:, t] if prev_is_h else hs[:, t - 1] if (t > 0 or wrap_h0) else h0
        dx[:, t], dh_prev, *step_grads = _step_back(dhs[:, t] + (dh_next if carry else 0), x[:, t], h_prev, Wxh,
                                                    Whh, hs[:, t], **step_flags)
        dh_next = dh_prev
        if accumulate == "all" or (accumulate == "first" and t == 0) or (accumulate == "last" and t == T - 1):
            grads = [g + s if accumulate == "all" else s for g, s in zip(grads, step_grads, strict=True)]
    return (dx, dh_next, *grads)


_BPTT_MISTAKES = [
    ("The gradient flowing back to the previous state is off by a transpose: the forward pass uses h_prev @ Whh.T, "
     "so dh_prev = dpre @ Whh (the Whh vs Whh.T bug).", dict(whh_t=True)),
    ("The tanh factor is missing: at each step dpre = dh * (1 - hs[:, t]**2).", dict(tanh_grad="none")),
    ("The gradient from later steps is not added: at step t use dh = dhs[:, t] + dh_next.", dict(carry=False)),
    ("Only the first step's contribution reaches dWxh, dWhh and dbh: add every step's gradient (dWxh += ...) "
     "instead of overwriting it.", dict(accumulate="first")),
    ("Only the last step's contribution reaches dWxh, dWhh and dbh: add every step's gradient (dWxh += ...).",
     dict(accumulate="last")),
    ("At t = 0 the previous state is h0, but hs[:, t - 1] wraps around to hs[:, -1].", dict(wrap_h0=True)),
    ("dWhh uses the state hs[:, t] where it needs the previous state hs[:, t - 1] (h0 at t = 0).",
     dict(prev_is_h=True)),
    ("dh_next must start at zeros before the loop; starting it at dhs[:, -1] counts the last step twice.",
     dict(init_last=True)),
    ("The loop runs forward in time; BPTT goes from the last step to the first: for t in reversed(range(T)).",
     dict(forward_order=True)),
    ("The tanh derivative is 1 - hs[:, t]**2 with hs already the tanh outputs: do not apply np.tanh to them "
     "again.", dict(tanh_grad="tanh_h")),
    ("The first time step (t = 0) is left out of the loop: loop over reversed(range(T)), down to and including 0; "
     "dh0 is the gradient that flows out of step 0.", dict(skip="first")),
    ("The last time step (t = T - 1) is left out of the loop: start it at T - 1, for t in reversed(range(T)).",
     dict(skip="last")),
    ("dx is off by a transpose: the forward pass uses x @ Wxh.T, so dx = dpre @ Wxh.", dict(wxh_t=True)),
    ("The weight gradients are transposed: dWxh has Wxh's shape (H, D), dWhh = dpre.T @ h_prev.",
     dict(dw_transposed=True)),
]
_BPTT_NAMES = ("dx", "dh0", "dWxh", "dWhh", "dbh")
_BPTT_HINTS = {"dh0": "dh0 is the dh_next left over after the loop has handled t = 0.",
               "dbh": "dbh is the sum over the batch and over all time steps of dpre."}


@checker("dx, dh0, dWxh, dWhh and dbh match rnn_lib.layers.rnn_backward.")
def check_bptt(bptt) -> None:
    """Check ``bptt(dhs, x, h0, hs, Wxh, Whh) -> (dx, dh0, dWxh, dWhh, dbh)`` against ``rnn_backward``."""
    rng = np.random.default_rng(8)
    # square, non-square both ways, a batch of one, a single step, and a loss that reads only the last state
    for N, T, D, H, only_last in ((2, 4, 3, 3, False), (3, 5, 2, 4, False), (1, 3, 4, 2, False),
                                  (2, 1, 3, 4, False), (3, 4, 5, 3, True)):
        x, h0, Wxh, Whh, bh = rnn_inputs(rng, N, T, D, H)
        hs, cache = rnn_forward(x, h0, Wxh, Whh, bh)
        dhs = rng.normal(size=(N, T, H))
        if only_last:
            dhs[:, :-1] = 0.0
        args = {"dhs": dhs, "x": x, "h0": h0, "hs": hs, "Wxh": Wxh, "Whh": Whh}
        got = run(bptt, args, BACKWARD_SHAPE_HINT)
        variants = [(m, _bptt(*args.values(), **flags)) for m, flags in _BPTT_MISTAKES
                    if D == H or not flags.keys() & {"wxh_t", "dw_transposed"}]
        variants = [(m, v) for m, v in variants if all(np.all(np.isfinite(a)) for a in v)]
        compare_outputs(got, rnn_backward(dhs, cache), _BPTT_NAMES, variants, _BPTT_HINTS, n=N)
        again = run(bptt, args)
        if not all(map(close, got, again)):
            raise Mistake("A second call with the same inputs gives different gradients: something (dh_next or a "
                          "gradient sum) lives outside the function. Create and zero it inside bptt.")


@checker("Gradients above max_norm are scaled down together by max_norm / global_norm; others are left alone.")
def check_clip_gradients(clip_gradients) -> None:
    """Check ``clip_gradients(grads, max_norm) -> dict`` against ``rnn_lib.optim.clip_by_global_norm``."""
    rng = np.random.default_rng(9)
    # above, below, above with another max_norm, far above a small max_norm, keys in another order, all zeros
    for scale, max_norm, shuffled in ((3.0, 5.0, False), (0.2, 5.0, False), (1.0, 2.0, False), (10.0, 0.5, False),
                                      (3.0, 1.0, True), (0.0, 5.0, False)):
        grads = random_grads(rng, scale)
        if shuffled:
            grads = {key: grads[key] for key in reversed(list(grads))}
        got = run(clip_gradients, {"grads": grads, "max_norm": max_norm})
        if got is grads:
            raise Mistake("Your function returned the caller's dict itself; build and return a new dict "
                          "({name: g * scale for name, g in grads.items()}), so grads stays as it was.")
        norm = np.sqrt(sum((g**2).sum() for g in grads.values()))
        if norm == 0:
            if isinstance(got, dict) and any(not np.all(np.isfinite(np.asarray(v, dtype=float)))
                                             for v in got.values() if isinstance(v, np.ndarray)):
                raise Mistake("With all-zero gradients the result contains nan: the global norm is 0, so "
                              "max_norm / norm divides by zero; scale only when norm > max_norm.")
            compare_dicts(got, grads, "clipped")
            continue
        squared = norm**2
        summed = sum(np.linalg.norm(g) for g in grads.values())
        variants = [
            ("Each value was clipped to [-max_norm, max_norm]; scale all arrays by max_norm / global_norm instead, "
             "which keeps the gradient's direction.", {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
             if any(np.abs(g).max() > max_norm for g in grads.values()) else clip_by_global_norm(grads, max_norm)[0]),
            ("Each array was clipped by its own norm; use one global norm over all arrays together.",
             {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}),
            ("The norm is the sum of the arrays' norms; the global norm is sqrt of the sum of ALL squared entries: "
             "np.sqrt(sum((g ** 2).sum() for g in grads.values())).",
             {k: g * min(1.0, max_norm / summed) for k, g in grads.items()}),
            ("The gradients were scaled although their global norm is below max_norm; only clip when "
             "norm > max_norm.", {k: g * max_norm / norm for k, g in grads.items()}),
            ("The global norm is the square root of the sum of all squared entries; the sqrt is missing.",
             {k: g * min(1.0, max_norm / squared) for k, g in grads.items()}),
            ("The scale is upside down: multiply by max_norm / norm.",
             {k: g * max(1.0, norm / max_norm) for k, g in grads.items()}),
            ("max_norm is ignored (a fixed threshold is used): compare with and scale to the max_norm argument.",
             {k: g * min(1.0, 5.0 / norm) for k, g in grads.items()})]
        compare_dicts(got, clip_by_global_norm(grads, max_norm)[0], "clipped", variants)
