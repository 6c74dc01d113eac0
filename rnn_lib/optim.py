"""Optimizers and gradient clipping.

Every optimizer has the same interface: ``step(params, grads)`` updates the arrays in ``params``
in place, using gradients keyed the same way. Whatever an optimizer remembers between steps lives in
its ``state`` dict (one entry per parameter name), where a notebook can look at it; each step puts
new arrays there rather than changing the old ones, so look them up again after a step.

A step is all or nothing: every gradient is checked (same keys, same shapes, finite numbers) and
every new weight and new state is computed before anything is written, so a refused step leaves the
weights, the state and ``steps`` exactly as they were; an interrupt (Ctrl-C) while the results are
written rolls back what was already written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ._validate import fraction_below_one, positive_float


class Optimizer:
    """Base class: holds the learning rate and the per-parameter state.

    Subclasses implement ``_update(grad, state, t)``, which returns ``(delta, new_state)`` for one
    parameter at step ``t`` (1 for the first step) without changing ``state``; ``step`` subtracts
    ``delta`` from the weight and stores ``new_state``.
    """

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.steps = 0

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        # A property, so a schedule that sets it later gets the same check as the constructor.
        self._learning_rate = positive_float(value, "learning_rate")

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in ``params`` in place from ``grads`` (same keys, same shapes).

        Raises KeyError or ValueError (and changes nothing) if a gradient is missing, extra, of the
        wrong shape or not finite; FloatingPointError (and changes nothing) if an update would
        overflow to inf.
        """
        checked = check_grads(grads, "grads")
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict of weight arrays, got {type(params).__name__}.")
        missing, extra = set(params) - set(checked), set(checked) - set(params)
        if missing:
            raise KeyError(f"grads has no entry for {sorted(missing)}; it must have the same keys as params.")
        if extra:
            raise KeyError(f"grads has entries {sorted(extra)} that are not in params; it must have the same keys.")
        for name, value in params.items():
            if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
                raise TypeError(f"params[{name!r}] must be a float numpy array (it is updated in place), "
                                f"got {type(value).__name__}" + (f" of dtype {value.dtype}" if hasattr(value, "dtype")
                                                                 else "") + ".")
            if not value.flags.writeable:
                raise ValueError(f"params[{name!r}] is read-only; the optimizer updates weights in place.")
            if checked[name].shape != value.shape:
                raise ValueError(f"grads[{name!r}] has shape {checked[name].shape}, "
                                 f"but params[{name!r}] has shape {value.shape}.")
        # Compute everything first; nothing the caller can see changes until every update is known to be finite.
        t = self.steps + 1
        new_values, new_states = {}, {}
        with np.errstate(over="ignore", invalid="ignore"):
            for name, value in params.items():
                delta, new_states[name] = self._update(checked[name], self.state.get(name), t)
                new_values[name] = (value - delta).astype(value.dtype, copy=False)
                for what, array in [("weight", new_values[name]), *new_states[name].items()]:
                    if not all_finite(array):
                        raise FloatingPointError(
                            f"the update of {name!r} overflowed ({what} would become inf or nan; the largest "
                            f"|gradient| is {np.max(np.abs(checked[name])):.3g}); the step was refused and nothing "
                            f"changed. Lower the learning rate ({self.learning_rate:g}) or clip the gradients.")
        # Write. An interrupt in the middle (Ctrl-C, a notebook's stop button) rolls back what was written.
        old_state, written = dict(self.state), []
        try:
            for name, value in params.items():
                written.append((value, value.copy()))
                value[...] = new_values[name]
            self.state.update({name: state for name, state in new_states.items() if state})
            self.steps = t
        except BaseException:
            for value, old in written:
                value[...] = old
            self.state.clear()
            self.state.update(old_state)
            self.steps = t - 1
            raise

    def _update(self, grad: np.ndarray, state: dict | None, t: int) -> tuple[np.ndarray, dict]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate:g})"


class SGD(Optimizer):
    """Plain gradient descent: ``w -= learning_rate * dw``. Keeps no state."""

    def _update(self, grad, state, t):
        return self.learning_rate * grad, {}


class Adagrad(Optimizer):
    """Each weight's step shrinks with the sum of its past squared gradients.

    ``G = G + g^2`` (``state[name]["sum_sq"]``), then ``w -= learning_rate * g / (sqrt(G) + eps)``.
    eps (> 0) keeps the division finite for a weight whose gradient has always been zero.
    """

    def __init__(self, learning_rate: float = 0.1, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.eps = eps

    @property
    def eps(self) -> float:
        return self._eps

    @eps.setter
    def eps(self, value) -> None:
        self._eps = positive_float(value, "eps")

    def _update(self, grad, state, t):
        sum_sq = (0.0 if state is None else state["sum_sq"]) + grad * grad
        return self.learning_rate * grad / (np.sqrt(sum_sq) + self.eps), {"sum_sq": sum_sq}

    def __repr__(self) -> str:
        return f"Adagrad(learning_rate={self.learning_rate:g}, eps={self.eps:g})"


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), written as in the paper. At step t, for gradient g:

    .. math::

        m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g                 (running mean of the gradient)
        v_t = \\beta_2 v_{t-1} + (1 - \\beta_2) g^2               (running mean of its square)
        \\hat m_t = m_t / (1 - \\beta_1^t),  \\hat v_t = v_t / (1 - \\beta_2^t)   (bias correction)
        w_t = w_{t-1} - lr \\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)

    m and v start at zero, which biases them towards zero in the first steps; dividing by
    ``1 - beta^t`` undoes that. ``state[name]`` holds ``m`` and ``v``. beta1 and beta2 must lie in
    [0, 1) (at 1 the correction divides by zero) and eps must be > 0.
    """

    def __init__(self, learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    @property
    def beta1(self) -> float:
        return self._beta1

    @beta1.setter
    def beta1(self, value) -> None:
        self._beta1 = fraction_below_one(value, "beta1")

    @property
    def beta2(self) -> float:
        return self._beta2

    @beta2.setter
    def beta2(self, value) -> None:
        self._beta2 = fraction_below_one(value, "beta2")

    @property
    def eps(self) -> float:
        return self._eps

    @eps.setter
    def eps(self, value) -> None:
        self._eps = positive_float(value, "eps")

    def _update(self, grad, state, t):
        m_prev = 0.0 if state is None else state["m"]
        v_prev = 0.0 if state is None else state["v"]
        m = self.beta1 * m_prev + (1 - self.beta1) * grad
        v = self.beta2 * v_prev + (1 - self.beta2) * grad * grad
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        return self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps), {"m": m, "v": v}

    def __repr__(self) -> str:
        return (f"Adam(learning_rate={self.learning_rate:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, "
                f"eps={self.eps:g})")


def all_finite(array: np.ndarray) -> bool:
    """True if no entry of ``array`` is NaN or inf.

    The sum of squares is finite only if every entry is (NaN and inf propagate into it), so one fast
    dot product answers almost always; only when it is not finite (which huge finite entries can also
    cause, by overflowing) are the entries looked at one by one.
    """
    return math.isfinite(np.vdot(array, array)) or bool(np.isfinite(array).all())


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adam": Adam}


def make_optimizer(name: str | Optimizer, learning_rate: float | None = None) -> Optimizer:
    """An optimizer by name ("sgd", "adagrad" or "adam"), or an Optimizer instance returned as is.

    learning_rate: for a name, the step size (None: that optimizer's default). For an instance it
    must be None or equal to the instance's own rate: a different value would be ignored, so it is
    refused with a ValueError instead.
    """
    if isinstance(name, Optimizer):
        if learning_rate is not None and positive_float(learning_rate, "learning_rate") != name.learning_rate:
            raise ValueError(f"optimizer={name!r} already has its learning rate, so learning_rate={learning_rate!r} "
                             f"would be ignored; pass one or the other (e.g. {type(name).__name__}"
                             f"(learning_rate={learning_rate!r})).")
        return name
    if isinstance(name, type) and issubclass(name, Optimizer):
        raise TypeError(f"optimizer must be a name or an optimizer instance, got the class {name.__name__}; "
                        f"write {name.__name__}(learning_rate=...) or {name.__name__.lower()!r}.")
    if not isinstance(name, str):
        raise TypeError(f"optimizer must be one of {sorted(OPTIMIZERS)} or an Optimizer instance, "
                        f"got {type(name).__name__}: {name!r}.")
    if name.lower() not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}.")
    cls = OPTIMIZERS[name.lower()]
    return cls() if learning_rate is None else cls(learning_rate)


def check_grads(grads, name: str = "grads") -> dict[str, np.ndarray]:
    """``grads`` as a dict of float arrays; raise a clear error if it is not one, or holds NaN or inf."""
    if not isinstance(grads, Mapping):
        raise TypeError(f"{name} must be a dict of gradient arrays keyed like params, got {type(grads).__name__}.")
    if not grads:
        raise ValueError(f"{name} is empty; it must hold one gradient array per parameter.")
    checked = {}
    for key, g in grads.items():
        array = np.asarray(g)
        if array.dtype.kind not in "fiu":               # booleans and text are not gradients
            raise TypeError(f"{name}[{key!r}] must be an array of numbers, got dtype {array.dtype}.")
        if array.dtype.kind != "f":
            array = array.astype(np.float64)
        if not all_finite(array):
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise ValueError(f"{name}[{key!r}] holds {array[where]} at index {where}; gradients must be finite "
                             "numbers (a NaN or inf gradient usually means the loss overflowed: lower the "
                             "learning rate or clip).")
        checked[key] = array
    return checked


def _norm(grads: dict[str, np.ndarray]) -> tuple[float, float, float]:
    """``(norm, s, r)``: the global norm and, when it was needed, the scale ``s`` with norm = s * r.

    The squares are summed directly when that is safe (the usual case: s = 1, r = norm). Squaring
    1e200 overflows and squaring 1e-200 underflows to 0, so when the sum of squares is outside
    [1e-280, 1e300] the gradients are divided by their largest |entry| s first, which keeps every
    square in [0, 1], and the norm is s * r with r the norm of grads / s.
    """
    with np.errstate(over="ignore", under="ignore"):
        squares = sum(float(np.vdot(g, g)) for g in grads.values())
    if 1e-280 < squares < 1e300 or squares == 0.0 and not any(g.any() for g in grads.values()):
        norm = math.sqrt(squares)
        return norm, 1.0, norm
    s = max(max(float(np.max(g)), -float(np.min(g))) for g in grads.values() if g.size)
    r = math.sqrt(sum(float(np.vdot(g / s, g / s)) for g in grads.values()))
    with np.errstate(over="ignore"):
        return float(np.float64(s) * r), s, r


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """The length of all gradients laid end to end: ``sqrt(sum of every squared entry)``.

    Computed so that it neither overflows nor underflows for any finite gradients whose norm is
    itself a float (inf only above about 1.8e308). Raises a ValueError for NaN or inf entries.
    """
    return _norm(check_grads(grads))[0]


def clip_by_value(grads: dict[str, np.ndarray], limit: float = 5.0) -> dict[str, np.ndarray]:
    """A copy of ``grads`` with every entry limited to ``[-limit, limit]``.

    Simple, but it changes the gradient's direction when only some entries are clipped.
    """
    limit = positive_float(limit, "limit")
    return {name: np.clip(g, -limit, limit) for name, g in check_grads(grads).items()}


def clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float = 5.0) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients down together when their global norm exceeds ``max_norm``.

    Keeps the gradient's direction: gradients with a norm above ``max_norm`` come back with norm
    ``max_norm`` exactly (up to rounding), any others unchanged. Returns ``(clipped_grads,
    norm_before_clipping)``; the norm is computed scale-safely (see ``global_norm``), so huge
    gradients are scaled down rather than turned into zeros.
    """
    max_norm = positive_float(max_norm, "max_norm")
    checked = check_grads(grads)
    norm, s, r = _norm(checked)
    if not norm > max_norm:
        return {name: g.copy() for name, g in checked.items()}, norm
    # g * max_norm / norm, with norm = s * r, applied as (g / s) * (max_norm / r) so nothing overflows.
    factor = max_norm / r
    return {name: (g / s) * factor if s != 1.0 else g * factor for name, g in checked.items()}, norm
