"""Noticing that training has diverged, and saying why.

The rule, checked at every batch: training stops with ``TrainingDiverged`` when

- the loss is NaN or inf, or
- the loss exceeds ``DIVERGENCE_FACTOR * max(first batch's loss, log K)``, or
- (checked after each epoch) the epoch's mean loss exceeds ``EPOCH_FACTOR * max(first batch's loss, log K)``:
  a run that is on average several times worse than guessing has not learned, it has blown up, or
- a gradient holds NaN or inf, or
- the optimizer refuses a step because a weight (or its state) would overflow.

``log K`` is the loss of guessing uniformly among K classes (the vocabulary size for a language
model), so a loss ten times that is far worse than having learned nothing.
"""

from __future__ import annotations

import math

import numpy as np

from .optim import all_finite

# Measured on both shipped tasks: healthy runs stay below 2x (Adam at 0.3 on the sentiment
# sentences: 3.1x); learning rates from 1e2 up reach 400x and more, and hidden size 1024 at the
# default settings 24x (sentiment) and 27x (characters).
DIVERGENCE_FACTOR = 10.0
# A whole epoch averaging three times the loss of guessing: measured, hidden size 1024 at the default
# settings on the sentiment sentences averages 2.4 to 2.9 (4x log 2) with every epoch at chance; no run of
# the notebooks, the command line's defaults or the test suite's training comes near it.
EPOCH_FACTOR = 3.0


class TrainingDiverged(FloatingPointError):
    """Training stopped because it diverged; the message says what went wrong and what to try.

    See the module docstring for the exact rule.
    """


def check_weights_before_training(params) -> None:
    """Raise a ValueError naming the first weight that already holds NaN or inf."""
    for name, value in params.items():
        bad = ~np.isfinite(value)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"model.params[{name!r}] already holds {value[where]} (at index {where}) before "
                             "training started, so training cannot help: the model was damaged earlier (by a "
                             "diverged run or a bad file). Build a new model, or load a saved one.")


class Watch:
    """Applies the divergence rule to one training run. ``K``: the number of classes."""

    def __init__(self, optimizer, clip: float | None, K: int):
        self.optimizer, self.clip = optimizer, clip
        self.log_k = math.log(K) if K > 1 else 1.0
        self.first: float | None = None
        self.limit = math.inf

    def advice(self) -> str:
        opt = self.optimizer
        lr = opt.learning_rate
        tips = [f"The learning rate {lr:g} is probably too large for {opt!r}: try {lr / 10:g}"]
        tips.append("or clip the gradients (clip=5.0)" if self.clip is None else
                    f"or clip harder than clip={self.clip:g}" if self.clip > 1 else "")
        text = ", ".join(tip for tip in tips if tip) + "."
        eps = getattr(opt, "eps", None)
        if eps is not None and eps < 1e-12:
            text += f" Its eps={eps:g} is tiny, which lets weights with small gradients take huge steps: try 1e-8."
        beta2 = getattr(opt, "beta2", None)
        if beta2 is not None and beta2 < 0.9:
            text += f" Its beta2={beta2:g} averages the squared gradient over very few steps: try 0.999."
        return text

    def _raise(self, what: str, epoch: int, step: int):
        raise TrainingDiverged(f"training diverged at epoch {epoch}, step {step}: {what}. {self.advice()}")

    def loss(self, loss: float, epoch: int, step: int) -> None:
        if not math.isfinite(loss):
            self._raise(f"the loss became {loss}", epoch, step)
        if self.first is None:
            self.first = loss
            self.limit = DIVERGENCE_FACTOR * max(loss, self.log_k)
        elif loss > self.limit:
            self._raise(f"the loss grew to {loss:.4g}, more than {DIVERGENCE_FACTOR:g} times max(first loss "
                        f"{self.first:.3f}, log K = {self.log_k:.3f}), far worse than guessing", epoch, step)

    def epoch_loss(self, mean_loss: float, epoch: int) -> None:
        """The epoch-level rule: a mean loss far above where training started is divergence too."""
        if self.first is not None and mean_loss > EPOCH_FACTOR * max(self.first, self.log_k):
            raise TrainingDiverged(
                f"training diverged in epoch {epoch}: the epoch's mean loss was {mean_loss:.4g}, more than "
                f"{EPOCH_FACTOR:g} times max(first loss {self.first:.3f}, log K = {self.log_k:.3f}), so on average "
                f"the model did far worse than guessing. {self.advice()}")

    def grads(self, grads, epoch: int, step: int) -> None:
        for name, g in grads.items():
            if not all_finite(np.asarray(g)):
                self._raise(f"the gradient of {name!r} became NaN or inf (the loss was still finite)", epoch, step)

    def step(self, params, grads, epoch: int, step: int) -> None:
        """``optimizer.step(params, grads)``, turning a refused step into TrainingDiverged."""
        # (The optimizer checks every new weight before writing it, so no weight can become NaN here.)
        try:
            self.optimizer.step(params, grads)
        except FloatingPointError as err:
            self._raise(f"the optimizer refused a step ({err})", epoch, step)

    def perplexity(self, value: float, where: str, epoch: int) -> float:
        if not math.isfinite(value):
            self._raise(f"the perplexity {where} overflowed to {value} (a loss above about 709 per character)",
                        epoch, 0)
        return value
