"""Training loops for both models. Each returns a ``History`` of per-epoch numbers to plot.

Both loops are seeded (``seed`` feeds ``np.random.default_rng``: the classifier's minibatch order,
the language model's samples), clip gradients by their global norm, stop with a clear error if the
loss becomes NaN or infinite, and call an optional ``callback(history)`` after every epoch (the
notebook widgets draw live curves through it). Matrix products here are tiny, where extra BLAS
threads cost more than they save, so the loops run BLAS on one thread.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from ._validate import positive_float, positive_int
from .losses import cross_entropy
from .models import CharRNN, SentimentRNN
from .optim import Optimizer, clip_by_global_norm, global_norm, make_optimizer


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; the learning rate is almost always too large."""


@dataclass
class History:
    """Per-epoch records of a training run. Every list has one entry per finished epoch."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    perplexity: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    stopped_early: bool = False

    def last(self) -> dict:
        """The most recent value of every non-empty record."""
        return {name: values[-1] for name, values in vars(self).items() if isinstance(values, list) and values}


def single_blas_thread():
    """A context in which numpy's BLAS uses one thread (a no-op if threadpoolctl is missing)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency, but stay usable without it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, leave=False)


def _check_finite(loss: float, epoch: int, learning_rate: float) -> None:
    if not math.isfinite(loss):
        raise TrainingDiverged(
            f"training diverged at epoch {epoch}: the loss became {loss}. The learning rate "
            f"{learning_rate:g} is probably too large; try {learning_rate / 10:g}, or clip gradients harder.")


def _clip(grads, clip: float | None):
    if clip is None:
        return grads, global_norm(grads)
    return clip_by_global_norm(grads, clip)


def train_classifier(
    model: SentimentRNN,
    train: list[tuple[str, int]],
    test: list[tuple[str, int]] | None = None,
    *,
    epochs: int = 100,
    learning_rate: float = 0.02,
    optimizer: str | Optimizer = "adam",
    batch_size: int = 16,
    clip: float | None = 5.0,
    seed: int = 0,
    progress: bool = False,
    callback: Callable[[History], object] | None = None,
    stop_at_accuracy: float | None = None,
) -> History:
    """Train a ``SentimentRNN`` on ``(text, label)`` pairs with shuffled minibatches.

    Each epoch records the mean training loss over the epoch's minibatches, the largest gradient
    norm seen (before clipping), and, when ``test`` is given, the test loss and accuracy.
    ``stop_at_accuracy`` (a fraction; needs ``test``) ends training once the test accuracy reaches
    it (useful for timing).
    ``callback(history)`` runs after every epoch; returning ``False`` from it stops training.
    """
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    learning_rate = positive_float(learning_rate, "learning_rate")
    if stop_at_accuracy is not None:
        if isinstance(stop_at_accuracy, bool) or not isinstance(stop_at_accuracy, Real) \
                or not 0.0 <= stop_at_accuracy <= 1.0:
            raise ValueError(f"stop_at_accuracy must be a fraction between 0 and 1 (0.9 for 90%), "
                             f"got {stop_at_accuracy!r}.")
        if not test:
            raise ValueError("stop_at_accuracy watches the test accuracy, so it needs test examples: "
                             "pass them as the third argument, train_classifier(model, train, test, ...).")
    opt = make_optimizer(optimizer, learning_rate)
    batches_all = model.make_batch(train)
    test_batch = model.make_batch(test) if test else None
    rng = np.random.default_rng(seed)
    history = History()
    n = len(train)
    with single_blas_thread():
        for epoch in _progress(range(1, epochs + 1), progress, "epochs"):
            order = rng.permutation(n)
            losses, norms, correct = [], [], 0
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                batch = _take(batches_all, rows)
                logits, cache = model.forward(batch.ids, batch.mask)
                loss, dlogits = cross_entropy(logits, batch.labels)
                _check_finite(loss, epoch, opt.learning_rate)
                grads = model.backward(dlogits, cache)
                grads, norm = _clip(grads, clip)
                opt.step(model.params, grads)
                losses.append(loss * len(rows))
                norms.append(norm)
                correct += int((logits.argmax(axis=1) == batch.labels).sum())
            history.epoch.append(epoch)
            history.train_loss.append(sum(losses) / n)
            history.train_accuracy.append(correct / n)
            history.grad_norm.append(max(norms))
            if test_batch is not None:
                test_logits, _ = model.forward(test_batch.ids, test_batch.mask)
                test_loss, _ = cross_entropy(test_logits, test_batch.labels)
                history.test_loss.append(test_loss)
                history.test_accuracy.append(float(np.mean(test_logits.argmax(axis=1) == test_batch.labels)))
            if callback is not None and callback(history) is False:
                history.stopped_early = True
                break
            if stop_at_accuracy is not None and history.test_accuracy and history.test_accuracy[-1] >= stop_at_accuracy:
                history.stopped_early = True
                break
    return history


def _take(batch, rows):
    """The rows of a padded batch, trimmed to the longest sentence among them."""
    mask = batch.mask[rows]
    width = int(mask.sum(axis=1).max())
    return type(batch)(batch.ids[rows, :width], mask[:, :width], batch.labels[rows])


def char_batches(ids: np.ndarray, batch_size: int, seq_length: int):
    """Cut a long id sequence into ``batch_size`` parallel streams and yield (inputs, targets) chunks.

    Stream i reads its own contiguous slice of the text, so the hidden state carried from one chunk
    to the next continues the same stream. Each chunk is (batch_size, seq_length) inputs and the same
    shape of targets: the inputs shifted one character ahead.
    """
    ids = np.asarray(ids)
    stream = (len(ids) - 1) // batch_size
    if stream < seq_length:
        raise ValueError(f"the text has {len(ids)} characters, too short for batch_size={batch_size} "
                         f"streams of seq_length={seq_length}; lower one of them or use a longer text.")
    inputs = ids[: stream * batch_size].reshape(batch_size, stream)
    targets = ids[1 : stream * batch_size + 1].reshape(batch_size, stream)
    for start in range(0, stream - seq_length + 1, seq_length):
        yield inputs[:, start : start + seq_length], targets[:, start : start + seq_length]


def train_language_model(
    model: CharRNN,
    text: str,
    *,
    epochs: int = 5,
    learning_rate: float = 0.1,
    optimizer: str | Optimizer = "adagrad",
    seq_length: int = 25,
    batch_size: int = 16,
    clip: float | None = 5.0,
    valid_text: str | None = None,
    sample_length: int = 0,
    sample_prompt: str | None = None,
    seed: int = 0,
    progress: bool = False,
    callback: Callable[[History], object] | None = None,
) -> History:
    """Train a ``CharRNN`` with truncated BPTT on ``text``.

    Every epoch reads the whole text once, in chunks of ``seq_length`` characters across
    ``batch_size`` parallel streams, carrying the hidden state from chunk to chunk. Records the mean
    training loss per character, the perplexity (on ``valid_text`` if given, else on the training
    loss), the largest gradient norm and, if ``sample_length`` > 0, a sample after each epoch, drawn
    from ``sample_prompt`` (default: the text's first character) with a generator seeded by ``seed``.
    The chunks come in text order, so ``seed`` changes only the samples.
    """
    epochs = positive_int(epochs, "epochs")
    learning_rate = positive_float(learning_rate, "learning_rate")
    seq_length = positive_int(seq_length, "seq_length")
    batch_size = positive_int(batch_size, "batch_size")
    vocab = model._require_vocab()
    ids = np.asarray(vocab.encode(text))
    opt = make_optimizer(optimizer, learning_rate)
    rng = np.random.default_rng(seed)
    history = History()
    prompt = sample_prompt or text[0]
    with single_blas_thread():
        for epoch in _progress(range(1, epochs + 1), progress, "epochs"):
            h, losses, norms = None, [], []
            for batch in char_batches(ids, batch_size, seq_length):
                loss, grads, h = model.loss(batch, h)
                _check_finite(loss, epoch, opt.learning_rate)
                grads, norm = _clip(grads, clip)
                opt.step(model.params, grads)
                losses.append(loss)
                norms.append(norm)
            history.epoch.append(epoch)
            history.train_loss.append(float(np.mean(losses)))
            history.grad_norm.append(max(norms))
            if valid_text is not None:
                history.perplexity.append(model.perplexity(valid_text))
            else:
                history.perplexity.append(float(np.exp(history.train_loss[-1])))
            if sample_length:
                history.samples.append(model.sample(prompt, sample_length, rng=rng))
            if callback is not None and callback(history) is False:
                history.stopped_early = True
                break
    return history
