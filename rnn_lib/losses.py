"""Softmax and cross-entropy, written so that large scores never overflow.

Dimensions: scores (logits) have shape (..., K) for K classes; targets have the leading shape (...).
"""

from __future__ import annotations

import numpy as np

from ._validate import float_array, positive_float, shape_is


def _scores(logits) -> np.ndarray:
    """``logits`` as a float array with at least one class score on its last axis, or a clear error.

    A score of -inf means probability 0. NaN scores give NaN results rather than an error, so that a
    training loop can see a diverged model in its loss and say so (``training.TrainingDiverged``);
    the models' prediction methods refuse non-finite weights before they get here.
    """
    z = float_array(logits, "logits")
    if z.ndim < 1 or z.shape[-1] == 0:
        raise ValueError(f"logits need a last axis of K >= 1 class scores, got shape {z.shape}.")
    return z


def softmax(logits) -> np.ndarray:
    """Probabilities ``exp(z) / sum(exp(z))`` over the last axis, same shape as ``logits``.

    Subtracting each row's maximum first changes nothing mathematically (it cancels in the ratio)
    but keeps every exponent <= 0, so ``exp`` cannot overflow even for scores like 1000.
    """
    z = _scores(logits)
    exp = np.exp(z - z.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def softmax_with_temperature(logits, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis, for any temperature > 0, however tiny.

    Each row is shifted so its best score is 0 *before* dividing: a tiny temperature then sends the
    other scores to -inf (probability 0) instead of overflowing, so it picks the best score.
    """
    z, temperature = _scores(logits), positive_float(temperature, "temperature")
    with np.errstate(over="ignore"):                      # -x / 1e-300 is -inf: exactly what we want
        return softmax((z - z.max(axis=-1, keepdims=True)) / temperature)


def log_softmax(logits) -> np.ndarray:
    """``log(softmax(logits))`` computed without ever taking the log of a tiny number."""
    z = _scores(logits)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(logits, targets) -> tuple[float, np.ndarray]:
    """Mean cross-entropy ``-log p[target]`` over the targets, and its gradient.

    logits: scores of shape (..., K), at least one example. targets: class ids of shape (...).
    Returns ``(loss, dlogits)``: a float and an array shaped like ``logits``, ``(p - onehot) / M``
    with M the number of targets.
    """
    z = _scores(logits)
    K = z.shape[-1]
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must be integer class ids, got dtype {targets.dtype}.")
    shape_is(targets, z.shape[:-1], "targets")
    if targets.size == 0:
        raise ValueError(f"there are no targets (logits of shape {z.shape}): the mean loss of nothing is undefined.")
    if targets.min() < 0 or targets.max() >= K:
        bad = targets[(targets < 0) | (targets >= K)].flat[0]
        raise ValueError(f"target {bad} is not a class: with {K} scores per example the targets must be 0..{K - 1}.")
    M = targets.size
    rows, flat_targets = np.arange(M), targets.reshape(-1)
    logp = log_softmax(z).reshape(M, K)
    loss = float(-logp[rows, flat_targets].sum() / M)      # mean of -log p[target]
    dlogits = np.exp(logp)                                  # p
    dlogits[rows, flat_targets] -= 1.0                      # p - onehot(target)
    dlogits /= M
    return loss, dlogits.reshape(z.shape)
