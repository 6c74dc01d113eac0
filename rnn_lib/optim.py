"""Optimizers and gradient clipping.

Every optimizer has the same interface: ``step(params, grads)`` updates the arrays in ``params``
in place, using gradients keyed the same way. Whatever an optimizer remembers between steps lives in
its ``state`` dict (one entry per parameter name), where a notebook can look at it.
"""

from __future__ import annotations

import numpy as np

from ._validate import positive_float


class Optimizer:
    """Base class: holds the learning rate and the per-parameter state."""

    def __init__(self, learning_rate: float):
        self.learning_rate = positive_float(learning_rate, "learning_rate")
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.steps = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in ``params`` in place from ``grads`` (same keys, same shapes)."""
        missing = set(params) - set(grads)
        if missing:
            raise KeyError(f"grads has no entry for {sorted(missing)}; it must have the same keys as params.")
        # Check every gradient before touching any weight, so a bad one leaves the model as it was.
        for name, value in params.items():
            if np.shape(grads[name]) != value.shape:
                raise ValueError(f"grads[{name!r}] has shape {np.shape(grads[name])}, "
                                 f"but params[{name!r}] has shape {value.shape}.")
        self.steps += 1
        for name, value in params.items():
            value -= self._update(name, grads[name])

    def _update(self, name: str, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate:g})"


class SGD(Optimizer):
    """Plain gradient descent: ``w -= learning_rate * dw``. Keeps no state."""

    def _update(self, name, grad):
        return self.learning_rate * grad


class Adagrad(Optimizer):
    """Each weight's step shrinks with the sum of its past squared gradients (``state[name]["sum_sq"]``)."""

    def __init__(self, learning_rate: float = 0.1, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.eps = eps

    def _update(self, name, grad):
        if name not in self.state:
            self.state[name] = {"sum_sq": np.zeros_like(grad)}
        sum_sq = self.state[name]["sum_sq"]
        sum_sq += grad * grad
        return self.learning_rate * grad / (np.sqrt(sum_sq) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): running means of the gradient and its square, bias-corrected."""

    def __init__(self, learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def _update(self, name, grad):
        if name not in self.state:
            self.state[name] = {"m": np.zeros_like(grad), "v": np.zeros_like(grad)}
        m, v = self.state[name]["m"], self.state[name]["v"]
        m *= self.beta1                                  # running mean of the gradient
        m += (1 - self.beta1) * grad
        v *= self.beta2                                  # running mean of its square
        v += (1 - self.beta2) * grad * grad
        # Bias correction, m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t), folded into two
        # scalars: lr * m_hat / (sqrt(v_hat) + eps) == step_size * m / (sqrt(v) + eps_scaled).
        correction1 = 1 - self.beta1**self.steps
        root_correction2 = np.sqrt(1 - self.beta2**self.steps)
        step_size = self.learning_rate * root_correction2 / correction1
        return step_size * m / (np.sqrt(v) + self.eps * root_correction2)


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adam": Adam}


def make_optimizer(name: str | Optimizer, learning_rate: float) -> Optimizer:
    """An optimizer by name ("sgd", "adagrad" or "adam"); an Optimizer instance is returned as is."""
    if isinstance(name, Optimizer):
        return name
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}.")
    return OPTIMIZERS[name.lower()](learning_rate)


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """The length of all gradients laid end to end: ``sqrt(sum of every squared entry)``."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def clip_by_value(grads: dict[str, np.ndarray], limit: float = 5.0) -> dict[str, np.ndarray]:
    """A copy of ``grads`` with every entry limited to ``[-limit, limit]``.

    Simple, but it changes the gradient's direction when only some entries are clipped.
    """
    limit = positive_float(limit, "limit")
    return {name: np.clip(g, -limit, limit) for name, g in grads.items()}


def clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float = 5.0) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients down together when their global norm exceeds ``max_norm``.

    Keeps the gradient's direction. Returns ``(clipped_grads, norm_before_clipping)``.
    """
    max_norm = positive_float(max_norm, "max_norm")
    norm = global_norm(grads)
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
