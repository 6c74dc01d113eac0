"""Numerical gradients by centred differences, to check every analytic gradient in float64.

``(f(x + h) - f(x - h)) / 2h`` has an error of order h^2, so with h = 1e-5 a correct analytic
gradient usually agrees to a relative error near 1e-8 to 1e-10; above 1e-7 something is wrong.

The checker cannot be fooled by NaN or inf: ``rel_error`` and ``check_gradients`` raise a
``GradientCheckError`` naming the array (or parameter) that holds one, instead of returning a number
that could look like a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._validate import positive_float


class GradientCheckError(ValueError):
    """A gradient check could not be carried out honestly (a NaN or inf where a number was needed)."""


def numerical_gradient(
    f: Callable[[], object], x: np.ndarray, dout: np.ndarray | None = None, step: float = 1e-5
) -> np.ndarray:
    """The gradient of ``f`` with respect to the array ``x``, which ``f`` reads, nudged in place.

    f: a function of no arguments. If it returns a scalar, the result is d f / d x. If it returns an
    array, pass ``dout`` (the upstream gradient, shaped like that array): the result is then the
    gradient of ``sum(f() * dout)``, which is what a backward function computes.
    Each result of ``f`` is copied before ``x`` is nudged again, so an ``f`` that returns a view of
    an array it reuses still gives the right answer. Returns an array shaped like ``x``.
    Raises GradientCheckError if ``f`` returns NaN or inf at a nudged point.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of no arguments, got {type(f).__name__}.")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array that f reads (it is nudged in place).")
    if not x.flags.writeable:
        raise ValueError("x is read-only; numerical_gradient nudges it in place, so pass a writeable array.")
    step = positive_float(step, "step")
    if dout is not None:
        dout = np.asarray(dout)
        if dout.dtype.kind not in "fiu":
            raise TypeError(f"dout must be an array of numbers, got dtype {dout.dtype}.")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + step
            plus = np.array(f(), dtype=np.float64)      # a copy: f may hand back a buffer it overwrites
            x[i] = old - step
            minus = np.array(f(), dtype=np.float64)
        finally:
            x[i] = old
        if dout is None:
            if plus.size != 1:
                raise TypeError(f"f returned an array of shape {plus.shape}, not a number; pass dout (the "
                                "upstream gradient, shaped like f's result) to check an array function.")
            diff = (plus.item() - minus.item()) / (2 * step)
        else:
            if plus.shape != dout.shape:
                raise ValueError(f"dout has shape {dout.shape}, but f returns shape {plus.shape}; they must match.")
            diff = np.sum((plus - minus) * dout) / (2 * step)
        if not np.isfinite(diff):
            raise GradientCheckError(f"f returned a non-finite value (or the difference overflowed) when x{list(i)} "
                                     f"was nudged by +-{step:g}: the numerical gradient there is {diff}.")
        grad[i] = diff
    return grad


def _as_numbers(value, name: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":                   # booleans, text and objects are not gradients
        raise TypeError(f"{name} must be an array of numbers, got dtype {array.dtype}.")
    array = array.astype(np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(k) for k in np.argwhere(bad)[0])
        raise GradientCheckError(f"{name} holds {array[where]} at index {where}; a gradient check needs finite "
                                 "numbers, so this counts as a failure.")
    return array


def rel_error(a, b) -> float:
    """How far apart two arrays are, relative to their size: ``||a - b|| / (||a|| + ||b||)``.

    The norms are taken over the whole array, so an entry that is tiny in both (say 1e-7, where
    the numerical gradient's rounding error of about 1e-11 is relatively large) cannot dominate the
    answer, while one clearly wrong entry still shows. Near 1e-9 means equal up to rounding; near 1
    means unrelated arrays. Returns 0.0 when both arrays are zero (or empty).

    Both arrays are divided by their largest |entry| before any norm is taken (the ratio does not
    change), so the answer is right for any finite numbers, from 1e-300 to 1e300.
    Raises GradientCheckError if either array holds NaN or inf: that is never a match.
    """
    a, b = _as_numbers(a, "a"), _as_numbers(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}.")
    s = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if s == 0.0:
        return 0.0
    a, b = a / s, b / s                                 # every entry now in [-1, 1]: no overflow, no underflow
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def check_gradients(model, batch, step: float = 1e-5) -> dict[str, float]:
    """Compare ``model.loss``'s analytic gradients with numerical ones, parameter by parameter.

    model: anything with a ``params`` dict of float64 arrays and ``loss(batch)`` returning
    ``(loss, grads, ...)``. Returns ``{name: relative error}``; below 1e-7 means the gradient is right.
    Raises GradientCheckError naming the parameter if a weight, the loss, an analytic or a numerical
    gradient is NaN or inf.
    """
    params = getattr(model, "params", None)
    if not isinstance(params, Mapping) or not callable(getattr(model, "loss", None)):
        raise TypeError(f"model must have a params dict and a loss(batch) method, got {type(model).__name__}.")
    step = positive_float(step, "step")
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype != np.float64:
            raise TypeError(f"model.params[{name!r}] is {getattr(value, 'dtype', type(value).__name__)}; gradient "
                            "checks need float64 weights (build the model with dtype=np.float64).")
        _as_numbers(value, f"model.params[{name!r}]")
    loss, grads, *_ = model.loss(batch)
    if not np.isfinite(loss):
        raise GradientCheckError(f"the loss is {loss} at the current weights, so no gradient can be checked.")
    errors = {}
    for name, value in params.items():
        if name not in grads:
            raise KeyError(f"model.loss returned no gradient for parameter {name!r}.")
        analytic = _as_numbers(grads[name], f"the analytic gradient of {name!r}")
        try:
            numeric = numerical_gradient(lambda: model.loss(batch)[0], value, step=step)
        except GradientCheckError as err:
            raise GradientCheckError(f"the numerical gradient of {name!r} failed: {err}") from None
        errors[name] = rel_error(analytic, numeric)
    return errors
