"""Checks for notebook 03: a softmax that does not overflow, and cross-entropy with its gradient."""

from __future__ import annotations

import numpy as np

from ..losses import cross_entropy, log_softmax, softmax
from ..text import one_hot
from ._core import Mistake, as_array, checker, compare, run


def _softmax_axis(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@checker("Probabilities over the last axis, and no overflow for z = 1000.")
def check_softmax(stable_softmax) -> None:
    """Check ``stable_softmax(z)`` against ``rnn_lib.losses.softmax`` (1-D, 2-D and 3-D, and huge scores)."""
    rng = np.random.default_rng(5)
    hints = [("broadcast", "Use keepdims=True in max and sum, so an (N, 1) column broadcasts "
                           "against the (N, K) scores."),
             ("axis", "Use axis=-1 (the last axis), so the same code works for 1, 2 or 3 dimensions.")]
    for z in (3 * rng.normal(size=(3, 5)), rng.normal(size=6), rng.normal(size=(2, 3, 4))):
        got = run(stable_softmax, {"z": z}, hints)
        variants = [("it normalises over axis 0 (columns); use the last axis: axis=-1, keepdims=True.",
                     _softmax_axis(z, 0)),
                    ("it normalises over the whole array; normalise each row: axis=-1, keepdims=True.",
                     _softmax_axis(z, None)),
                    ("it returns log-probabilities; return exp(...) / sum(exp(...)).", log_softmax(z)),
                    ("the exponentials are not divided by their sum.", np.exp(z - z.max(axis=-1, keepdims=True))),
                    ("the exponentials are not divided by their sum.", np.exp(z))]
        compare(got, softmax(z), "p", variants)
    for z, mistake in (
            (np.array([[1000.0, 1001.0, 1002.0]]),
             "exp(1000) overflows to inf: subtract each row's maximum before exp (it cancels in the ratio)."),
            (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1003.0]]),
             "subtract each row's own maximum (z.max(axis=-1, keepdims=True)), not the maximum of the whole array.")):
        got = as_array(run(stable_softmax, {"z": z}, hints), "p")
        if got.shape == z.shape and not np.all(np.isfinite(got)):
            raise Mistake(f"For z = {z.tolist()} the result contains nan or inf: {mistake}")
        compare(got, softmax(z), "p")


@checker("The loss is the mean of -log p[target], and dlogits = (p - onehot(targets)) / N.")
def check_cross_entropy(cross_entropy_loss) -> None:
    """Check ``cross_entropy_loss(logits, targets) -> (loss, dlogits)`` against ``rnn_lib.losses.cross_entropy``."""
    rng = np.random.default_rng(6)
    cases = [(2 * rng.normal(size=(5, 4)), np.array([1, 3, 1, 0, 3])),
             (rng.normal(size=(3, 6)), rng.integers(0, 6, size=3)),
             (np.array([[1000.0, 1001.0, 1002.0], [1.0, -2.0, 0.5]]), np.array([0, 2]))]
    for logits, targets in cases:
        result = run(cross_entropy_loss, {"logits": logits, "targets": targets})
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mistake(f"Your function should return a tuple (loss, dlogits), got {type(result).__name__}.")
        loss, dlogits = result
        N = len(targets)
        expected_loss, expected_dlogits = cross_entropy(logits, targets)
        logp = log_softmax(logits)
        picked = -logp[np.arange(N), targets]
        if loss is not None and np.ndim(loss) != 0:
            raise Mistake(f"The loss has shape {np.shape(loss)}; it should be one number, the mean over the "
                          "examples (e.g. losses.mean()).")
        if loss is not None and not np.isfinite(loss) and logits.max() >= 1000:
            raise Mistake("For logits like 1000 the loss is nan or inf: use a stable softmax (subtract the row "
                          "maximum before exp) or log-softmax.")
        compare(loss, np.asarray(expected_loss), "loss", [
            ("it is the sum over the examples, not the mean: divide by N.", picked.sum()),
            ("it has the wrong sign: the loss is -log p[target].", -picked.mean()),
            ("it uses p[target] instead of log p[target].", -np.exp(-picked).mean())])
        p = np.exp(logp)
        onehot = one_hot(targets, logits.shape[1])
        every_target = p.copy()
        every_target[:, targets] -= 1
        compare(dlogits, expected_dlogits, "dlogits", [
            ("it is not divided by N: the loss is a mean, so dlogits = (p - onehot) / N.", p - onehot),
            ("the -1 at each target class is missing: dlogits = (p - onehot(targets)) / N.", p / N),
            ("it subtracts 1 in every row at every target column; subtract it once per row at that row's "
             "target: dlogits[np.arange(N), targets] -= 1.", every_target / N),
            ("its sign is flipped: dlogits = (p - onehot) / N.", (onehot - p) / N)])
