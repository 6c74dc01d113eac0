"""Training loops for both models. Each returns a ``History`` of per-epoch numbers to plot.

Both loops are seeded (``seed`` feeds ``np.random.default_rng``: the classifier's minibatch order,
the language model's samples), clip gradients by their global norm, stop with
``TrainingDiverged`` when training diverges (the rule is in ``rnn_lib.divergence``), and call an
optional ``callback(history)`` after every epoch (the notebook widgets draw live curves through it).
Matrix products here are tiny, where extra BLAS threads cost more than they save, so the loops run
BLAS on one thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from ._training_checks import common_arguments, examples, model_kind, text_argument
from ._validate import positive_int
from .divergence import DIVERGENCE_FACTOR, TrainingDiverged, Watch
from .losses import cross_entropy
from .models import CharRNN, SentimentRNN
from .optim import Optimizer, clip_by_global_norm, global_norm, make_optimizer

__all__ = ["DIVERGENCE_FACTOR", "History", "TextTooShort", "TrainingDiverged", "char_batches", "single_blas_thread",
           "train_classifier", "train_language_model"]


class TextTooShort(ValueError):
    """The text holds too few characters for ``batch_size`` streams of ``seq_length`` characters."""

    def __init__(self, length: int, batch_size: int, seq_length: int):
        self.length, self.batch_size, self.seq_length = length, batch_size, seq_length
        self.needed = batch_size * seq_length + 1
        super().__init__(f"the text has {length} characters, too short for batch_size={batch_size} streams of "
                         f"seq_length={seq_length} (it needs at least {self.needed}); lower one of them or use "
                         "a longer text.")


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
    learning_rate: float | None = None,
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
    learning_rate: the step size; None means 0.02 for an optimizer given by name. An optimizer
    instance brings its own rate, so with one pass no learning_rate (a different one is refused).
    clip: the largest global gradient norm (None: no clipping). batch_size larger than the data
    simply means one batch per epoch. ``stop_at_accuracy`` (a fraction; needs ``test``) ends
    training once the test accuracy reaches it (useful for timing).
    ``callback(history)`` runs after every epoch; returning ``False`` from it stops training.
    Raises ``TrainingDiverged`` if training diverges (see ``rnn_lib.divergence`` for the rule).
    """
    model_kind(model, "classifier")
    epochs, batch_size, clip, seed = common_arguments(model, epochs, learning_rate, optimizer, batch_size, clip, seed,
                                                    progress, callback)
    num_classes = int(getattr(model, "num_classes", getattr(model, "output_size", 2)))
    train = examples(train, "train", num_classes)
    test = None if test is None else examples(test, "test", num_classes)
    if stop_at_accuracy is not None:
        if isinstance(stop_at_accuracy, bool) or not isinstance(stop_at_accuracy, Real) \
                or not 0.0 <= stop_at_accuracy <= 1.0:
            raise ValueError(f"stop_at_accuracy must be a fraction between 0 and 1 (0.9 for 90%), "
                             f"got {stop_at_accuracy!r}.")
        if not test:
            raise ValueError("stop_at_accuracy watches the test accuracy, so it needs test examples: "
                             "pass them as the third argument, train_classifier(model, train, test, ...).")
    if learning_rate is None and not isinstance(optimizer, Optimizer):
        learning_rate = 0.02
    opt = make_optimizer(optimizer, learning_rate)
    watch = Watch(opt, clip, num_classes)
    batches_all = model.make_batch(train)
    test_batch = model.make_batch(test) if test else None
    rng = np.random.default_rng(seed)
    history = History()
    n = len(train)
    with single_blas_thread():
        for epoch in _progress(range(1, epochs + 1), progress, "epochs"):
            order = rng.permutation(n)
            losses, norms, correct = [], [], 0
            for step, start in enumerate(range(0, n, batch_size), start=1):
                rows = order[start : start + batch_size]
                batch = _take(batches_all, rows)
                logits, cache = model.forward(batch.ids, batch.mask)
                loss, dlogits = cross_entropy(logits, batch.labels)
                watch.loss(loss, epoch, step)
                grads = model.backward(dlogits, cache)
                watch.grads(grads, epoch, step)
                grads, norm = _clip(grads, clip)
                watch.step(model.params, grads, epoch, step)
                losses.append(loss * len(rows))
                norms.append(norm)
                correct += int((logits.argmax(axis=1) == batch.labels).sum())
            watch.epoch_loss(sum(losses) / n, epoch)
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


def char_batches(ids, batch_size: int, seq_length: int):
    """Cut a long id sequence into ``batch_size`` parallel streams and yield (inputs, targets) chunks.

    ids: token ids, shape (L,), a list or an integer array. Stream i reads its own contiguous slice
    of the text, so the hidden state carried from one chunk to the next continues the same stream.
    Each chunk is (batch_size, seq_length) inputs and the same shape of targets: the inputs shifted
    one character ahead. Raises ``TextTooShort`` (a ValueError) if L < batch_size * seq_length + 1.
    """
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"ids must be whole-number token ids, got dtype {ids.dtype}.")
    if ids.ndim != 1:
        raise ValueError(f"ids must be one sequence, shape (L,), got shape {ids.shape}.")
    if ids.size and ids.min() < 0:
        raise ValueError(f"ids must be token ids >= 0, got {ids.min()}.")
    batch_size = positive_int(batch_size, "batch_size")
    seq_length = positive_int(seq_length, "seq_length")
    return _chunks(ids, batch_size, seq_length)


def _chunks(ids, batch_size, seq_length):
    stream = (len(ids) - 1) // batch_size
    if stream < seq_length:
        raise TextTooShort(len(ids), batch_size, seq_length)
    inputs = ids[: stream * batch_size].reshape(batch_size, stream)
    targets = ids[1 : stream * batch_size + 1].reshape(batch_size, stream)
    return [(inputs[:, start : start + seq_length], targets[:, start : start + seq_length])
            for start in range(0, stream - seq_length + 1, seq_length)]


def train_language_model(
    model: CharRNN,
    text: str,
    *,
    epochs: int = 5,
    learning_rate: float | None = None,
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
    ``batch_size`` parallel streams, carrying the hidden state from chunk to chunk (each epoch starts
    from zeros). Records the mean training loss per character, the perplexity (on ``valid_text`` if
    given, else on the training loss), the largest gradient norm and, if ``sample_length`` > 0, a
    sample after each epoch, drawn from ``sample_prompt`` (default: the text's first character; every
    character must be in the vocabulary) with a generator seeded by ``seed``.
    The chunks come in text order, so ``seed`` changes only the samples. Characters of ``text``
    missing from the model's vocabulary are read as ``<unk>``.
    learning_rate: None means 0.1 for an optimizer given by name; an optimizer instance brings its
    own rate (a different learning_rate is refused). clip: None for no clipping.
    Raises ``TrainingDiverged`` if training diverges (see ``rnn_lib.divergence`` for the rule).
    """
    model_kind(model, "language model")
    epochs, batch_size, clip, seed = common_arguments(model, epochs, learning_rate, optimizer, batch_size, clip, seed,
                                                    progress, callback)
    seq_length = positive_int(seq_length, "seq_length")
    vocab = getattr(model, "vocab", None)
    if vocab is None:
        raise TypeError(f"this {type(model).__name__} was built from a vocabulary size, not a Vocabulary, so it "
                        "cannot read text; build it with Vocabulary.from_texts([text], level='char').")
    text = text_argument(text, "text", 2)
    if valid_text is not None:
        valid_text = text_argument(valid_text, "valid_text", 2)
    if isinstance(sample_length, bool) or not isinstance(sample_length, Integral):
        raise TypeError(f"sample_length must be a whole number (0 for no samples), got {sample_length!r}.")
    if sample_length < 0:
        raise ValueError(f"sample_length must be 0 (no samples) or more, got {sample_length}.")
    prompt = text[0] if sample_prompt is None else text_argument(sample_prompt, "sample_prompt", 1)
    try:
        vocab.encode(prompt, strict=True)
    except KeyError as err:
        raise KeyError(f"sample_prompt {prompt!r} has a character the model does not know: {err.args[0]}") from None
    batches = char_batches(np.asarray(vocab.encode(text)), batch_size, seq_length)
    if learning_rate is None and not isinstance(optimizer, Optimizer):
        learning_rate = 0.1
    opt = make_optimizer(optimizer, learning_rate)
    watch = Watch(opt, clip, len(vocab))
    rng = np.random.default_rng(seed)
    history = History()
    with single_blas_thread():
        for epoch in _progress(range(1, epochs + 1), progress, "epochs"):
            h, losses, norms = None, [], []
            for step, batch in enumerate(batches, start=1):
                loss, grads, h = model.loss(batch, h)   # h: the last state of this chunk starts the next
                watch.loss(loss, epoch, step)
                watch.grads(grads, epoch, step)
                grads, norm = _clip(grads, clip)
                watch.step(model.params, grads, epoch, step)
                losses.append(loss)
                norms.append(norm)
            watch.epoch_loss(float(np.mean(losses)), epoch)
            history.epoch.append(epoch)
            history.train_loss.append(float(np.mean(losses)))
            history.grad_norm.append(max(norms))
            if valid_text is not None:
                history.perplexity.append(watch.perplexity(model.perplexity(valid_text), "on valid_text", epoch))
            else:
                with np.errstate(over="ignore"):
                    perplexity = float(np.exp(history.train_loss[-1]))
                history.perplexity.append(watch.perplexity(perplexity, "of the training text", epoch))
            if sample_length:
                history.samples.append(model.sample(prompt, sample_length, rng=rng))
            if callback is not None and callback(history) is False:
                history.stopped_early = True
                break
    return history
