"""Softmax and cross-entropy, written so that large scores never overflow.

Dimensions: scores (logits) have shape (..., K) for K classes; targets have the leading shape (...).
"""

from __future__ import annotations

import numpy as np

from ._validate import float_array, shape_is


def softmax(logits) -> np.ndarray:
    """Probabilities ``exp(z) / sum(exp(z))`` over the last axis, same shape as ``logits``.

    Subtracting each row's maximum first changes nothing mathematically (it cancels in the ratio)
    but keeps every exponent <= 0, so ``exp`` cannot overflow even for scores like 1000.
    """
    z = float_array(logits, "logits")
    exp = np.exp(z - z.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def log_softmax(logits) -> np.ndarray:
    """``log(softmax(logits))`` computed without ever taking the log of a tiny number."""
    z = float_array(logits, "logits")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(logits, targets, mask=None) -> tuple[float, np.ndarray]:
    """Mean cross-entropy ``-log p[target]`` over the targets, and its gradient.

    logits: scores of shape (..., K). targets: class ids of shape (...).
    mask: optional booleans of shape (...); False entries (padding) neither count nor get gradient.
    Returns ``(loss, dlogits)``: a float and an array shaped like ``logits``, ``(p - onehot) / count``.
    """
    z = float_array(logits, "logits")
    if z.ndim < 1:
        raise ValueError("logits need at least one axis of class scores, got a scalar.")
    K = z.shape[-1]
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must be integer class ids, got dtype {targets.dtype}.")
    shape_is(targets, z.shape[:-1], "targets")
    if targets.size and (targets.min() < 0 or targets.max() >= K):
        bad = targets[(targets < 0) | (targets >= K)].flat[0]
        raise ValueError(f"target {bad} is not a class: with {K} scores per example the targets must be 0..{K - 1}.")
    rows = np.arange(targets.size)
    flat_targets = targets.reshape(-1)
    logp = log_softmax(z).reshape(-1, K)                    # (M, K) with M = number of targets
    picked = logp[rows, flat_targets]                         # log-probability of each target, (M,)
    dlogits = np.exp(logp)                                    # p
    dlogits[rows, flat_targets] -= 1.0                        # p - onehot(target)
    if mask is None:
        count = targets.size
        loss = float(-picked.sum() / count)
        dlogits /= count
    else:
        shape_is(mask, targets.shape, "mask")
        weight = np.asarray(mask, dtype=z.dtype).reshape(-1)
        count = weight.sum()
        if count == 0:
            raise ValueError("the mask hides every target; there is nothing to compute a loss over.")
        loss = float(-(picked * weight).sum() / count)
        dlogits *= (weight / count)[:, None]
    return loss, dlogits.reshape(z.shape)
