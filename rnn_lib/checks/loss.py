"""Checks for notebook 03: a softmax that does not overflow, and cross-entropy with its gradient."""

from __future__ import annotations

import numpy as np

from ..losses import cross_entropy, log_softmax, softmax
from ..text import one_hot
from ._core import Mistake, as_array, checker, close, compare, run


def _softmax_axis(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _rows_sum_to_one(got, name):
    sums = got.sum(axis=-1)
    if np.all(np.isfinite(got)) and not np.allclose(sums, 1.0, rtol=1e-6, atol=1e-8):
        raise Mistake(f"The rows of {name} do not sum to 1 (one sums to {float(sums.flat[0]):.4g}): divide the "
                      "exponentials by their sum over the last axis, e.sum(axis=-1, keepdims=True).")


#: Scores a softmax must survive, and what goes wrong when it does not: (z, why nan or inf appears).
_EXTREMES = (
    (np.array([[1000.0, 1001.0, 1002.0]]),
     "exp(1000) overflows to inf: subtract each row's maximum before exp (it cancels in the ratio)."),
    (np.array([[800.0, -800.0, 0.0, 1.0]]),
     "exp overflows for a score of 800: subtract each row's maximum, not its mean or its minimum, so the "
     "largest exponent is exp(0) = 1."),
    (np.array([[-800.0, -801.0, -803.0]]),
     "for scores near -800 every exp underflows to 0 and 0 / 0 = nan: subtract each row's maximum first."),
    (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1003.0]]),
     "subtract each row's own maximum (z.max(axis=-1, keepdims=True)), not the maximum of the whole array."))


@checker("Probabilities over the last axis, for 1-D to 3-D scores, and no overflow for scores of +-1000.")
def check_softmax(stable_softmax) -> None:
    """Check ``stable_softmax(z)`` against ``rnn_lib.losses.softmax`` (1-D to 3-D, edge shapes, extreme scores)."""
    rng = np.random.default_rng(5)
    hints = [("broadcast", "Use keepdims=True in max and sum, so an (N, 1) column broadcasts "
                           "against the (N, K) scores."),
             ("axis", "Use axis=-1 (the last axis), so the same code works for 1, 2 or 3 dimensions.")]
    for z in (3 * rng.normal(size=(3, 5)), rng.normal(size=6), rng.normal(size=(2, 3, 4)), rng.normal(size=(1, 4)),
              rng.normal(size=(4, 1)), 1e-9 * rng.normal(size=(2, 5)), 3 * rng.normal(size=(4, 4))):
        got = run(stable_softmax, {"z": z}, hints)
        variants = [("it normalises over axis 0 (columns); use the last axis: axis=-1, keepdims=True.",
                     _softmax_axis(z, 0)),
                    ("it normalises over the whole array; normalise each row: axis=-1, keepdims=True.",
                     _softmax_axis(z, None)),
                    ("it returns log-probabilities; return exp(...) / sum(exp(...)).", log_softmax(z)),
                    ("the exponentials are not divided by their sum.", np.exp(z - z.max(axis=-1, keepdims=True))),
                    ("the exponentials are not divided by their sum.", np.exp(z))]
        compare(got, softmax(z), "p", variants, extra=[_rows_sum_to_one])
    for z, mistake in _EXTREMES:
        got = as_array(run(stable_softmax, {"z": z}, hints), "p")
        if got.shape == z.shape and not np.all(np.isfinite(got)):
            raise Mistake(f"For z = {z.tolist()} the result contains nan or inf: {mistake}")
        if got.shape == z.shape and not close(got, softmax(z)) and np.allclose(got.sum(axis=-1), 1.0):
            raise Mistake(f"For z = {z.tolist()} the probabilities are wrong (got {np.round(got, 3).tolist()}, "
                          f"expected {np.round(softmax(z), 3).tolist()}): clipping or capping the scores changes "
                          "the ratios; subtract each row's maximum instead, which changes nothing.")
        compare(got, softmax(z), "p", extra=[_rows_sum_to_one])


@checker("The loss is the mean of -log p[target], and dlogits = (p - onehot(targets)) / N.")
def check_cross_entropy(cross_entropy_loss) -> None:
    """Check ``cross_entropy_loss(logits, targets) -> (loss, dlogits)`` against ``rnn_lib.losses.cross_entropy``."""
    rng = np.random.default_rng(6)
    cases = [(2 * rng.normal(size=(5, 4)), np.array([1, 3, 1, 0, 3])),
             (rng.normal(size=(3, 6)), rng.integers(0, 6, size=3)),
             (rng.normal(size=(1, 3)), np.array([2])),                                       # a batch of one
             (rng.normal(size=(4, 2)), np.array([0, 1, 1, 0])),                              # K = 2
             (1e-9 * rng.normal(size=(3, 4)), np.array([3, 0, 1])),                          # tiny scores
             (np.array([[1000.0, 1001.0, 1002.0], [1.0, -2.0, 0.5]]), np.array([0, 2])),
             (np.array([[800.0, -800.0], [-800.0, 800.0], [0.0, 0.0]]), np.array([1, 1, 0])),  # loss 1600 in row 0
             (np.array([[-800.0, -801.0, -805.0], [3.0, 2.0, 1.0]]), np.array([2, 0]))]
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
        extreme = np.abs(logits).max() >= 500
        if isinstance(loss, (float, np.floating, np.ndarray)) and not np.all(np.isfinite(loss)) and extreme:
            raise Mistake(f"For logits {logits.tolist()} the loss is nan or inf: exp overflows, or p underflows to 0 "
                          "and log(0) = -inf. Compute log p directly and stably: log p = z - max - "
                          "log(sum(exp(z - max))) (a log-softmax), with the row maximum subtracted.")
        if extreme and picked.max() > 100 and isinstance(loss, (float, np.floating, np.ndarray)) \
                and np.isfinite(loss) and np.asarray(loss).size == 1 and float(loss) < 0.9 * float(expected_loss):
            raise Mistake(f"For logits {logits.tolist()} the loss should be {float(expected_loss):.1f} (a target "
                          f"score far below the best one), got {float(loss):.4g}: the log is capped (e.g. "
                          "log(p + 1e-12) or a clipped p). Compute log p as z - max - log(sum(exp(z - max))).")
        compare(loss, np.asarray(expected_loss), "loss", n=N, scalar=True, variants=[
            ("it is the sum over the examples, not the mean: divide by N.", picked.sum()),
            ("it has the wrong sign: the loss is -log p[target].", -picked.mean()),
            ("it uses p[target] instead of log p[target].", -np.exp(-picked).mean())])
        if not isinstance(dlogits, np.ndarray):
            as_array(dlogits, "dlogits")
        p = np.exp(logp)
        onehot = one_hot(targets, logits.shape[1])
        every_target = p.copy()
        every_target[:, targets] -= 1
        compare(dlogits, expected_dlogits, "dlogits", [
            ("it is not divided by N: the loss is a mean, so dlogits = (p - onehot) / N.", p - onehot),
            ("the -1 at each target class is missing: dlogits = (p - onehot(targets)) / N.", p / N),
            ("it subtracts 1 in every row at every target column; subtract it once per row at that row's "
             "target: dlogits[np.arange(N), targets] -= 1.", every_target / N),
            ("its sign is flipped: dlogits = (p - onehot) / N.", (onehot - p) / N)], n=N)
