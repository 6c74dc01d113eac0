"""Numerical gradients by centred differences, to check every analytic gradient in float64.

``(f(x + h) - f(x - h)) / 2h`` has an error of order h^2, so with h = 1e-5 a correct analytic
gradient usually agrees to a relative error near 1e-8 to 1e-10; above 1e-7 something is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(
    f: Callable[[], object], x: np.ndarray, dout: np.ndarray | None = None, step: float = 1e-5
) -> np.ndarray:
    """The gradient of ``f`` with respect to the array ``x``, which ``f`` reads, nudged in place.

    f: a function of no arguments. If it returns a scalar, the result is d f / d x. If it returns an
    array, pass ``dout`` (the upstream gradient, shaped like that array): the result is then the
    gradient of ``sum(f() * dout)``, which is what a backward function computes.
    Returns an array shaped like ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array that f reads (it is nudged in place).")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + step
        plus = f()
        x[i] = old - step
        minus = f()
        x[i] = old
        if dout is None:
            grad[i] = (float(plus) - float(minus)) / (2 * step)
        else:
            grad[i] = np.sum((np.asarray(plus) - np.asarray(minus)) * dout) / (2 * step)
    return grad


def rel_error(a, b) -> float:
    """How far apart two arrays are, relative to their size: ``||a - b|| / (||a|| + ||b||)``.

    The norms are taken over the whole array, so an entry that is tiny in both (say 1e-7, where
    the numerical gradient's rounding error of about 1e-11 is relatively large) cannot dominate the
    answer, while one clearly wrong entry still shows. Near 1e-9 means equal up to rounding; near 1
    means unrelated arrays. Returns 0.0 when both arrays are zero.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}.")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def check_gradients(model, batch, step: float = 1e-5) -> dict[str, float]:
    """Compare ``model.loss``'s analytic gradients with numerical ones, parameter by parameter.

    model: anything with a ``params`` dict and ``loss(batch)`` returning ``(loss, grads, ...)``.
    Returns ``{name: relative error}``; below 1e-7 means the gradient is right.
    """
    _, grads, *_ = model.loss(batch)
    errors = {}
    for name, value in model.params.items():
        numeric = numerical_gradient(lambda: model.loss(batch)[0], value, step=step)
        errors[name] = rel_error(grads[name], numeric)
    return errors
