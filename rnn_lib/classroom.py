"""Train the models with the functions a student wrote in the exercises.

``train_sentiment_with_your_code(bptt, sgd_step)`` (notebooks 04 and 05) trains the sentiment classifier
with the student's backpropagation through time and SGD step; ``train_chars_with_your_code(adagrad_step,
sample_with_temperature)`` (notebook 06) trains the character model with their Adagrad step and samples
text with their sampler. Each student function is used only if its check passes; otherwise (not written
yet, or wrong) a message says so and rnn_lib's own version takes its place, so the cell always runs.
Both also train rnn_lib's own version with the same settings and print the two results side by side.

The student's ``bptt`` works on float inputs, so the token ids are turned into one-hot rows (N, T, V) and
the forward pass reads each sentence's last real hidden state (right-padded batches): the padding steps
come after it, receive no gradient, and so change nothing.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from . import checks
from ._validate import positive_int
from .datasets import load_char_corpus, load_sentiment
from .layers import affine_backward, affine_forward, rnn_forward, rnn_step_backward, rnn_step_forward
from .losses import cross_entropy, softmax
from .models import CharRNN, SentimentRNN
from .optim import Adagrad, clip_by_global_norm
from .text import Vocabulary, one_hot
from .training import History, char_batches, single_blas_thread, train_classifier, train_language_model

__all__ = ["train_sentiment_with_your_code", "train_chars_with_your_code"]


# --- choosing the student's function or the library's --------------------------------------------

def _library_bptt(dhs, x, h0, hs, Wxh, Whh):
    """BPTT with the exercise's signature: rnn_lib's rnn_step_backward from the last step to the first."""
    dx, grads, dh_next = np.zeros(x.shape), [np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])], 0.0
    for t in reversed(range(hs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, *step = rnn_step_backward(dhs[:, t] + dh_next, (x[:, t], h_prev, Wxh, Whh, hs[:, t]))
        grads = [total + part for total, part in zip(grads, step, strict=True)]
    return (dx, dh_next, *grads)


def _library_sgd_step(params, grads, learning_rate):
    for name, value in params.items():
        value -= learning_rate * grads[name]


def _library_adagrad_step(params, grads, memory, learning_rate, eps=1e-8):
    for name, value in params.items():
        memory[name] += grads[name] ** 2
        value -= learning_rate * grads[name] / (np.sqrt(memory[name]) + eps)


def _library_sample(logits, temperature, rng):
    return int(rng.choice(len(logits), p=softmax(np.asarray(logits, dtype=float) / temperature)))


def _choose(yours, check, name: str, library):
    """(function to use, True if it is the student's): the student's only when its check passes."""
    if yours is None:
        print(f"- {name}: not given; using rnn_lib's.")
        return library, False
    with contextlib.redirect_stdout(io.StringIO()):       # the student's own debugging prints
        passed, said = check.verdict(yours)
    if passed:
        print(f"- {name}: yours (its check passes).")
        return yours, True
    reason = said.strip().splitlines()[0] if said.strip() else "its check does not pass"
    print(f"- {name}: using rnn_lib's, because yours does not pass its check yet: {reason}")
    return library, False


# --- sentiment: your bptt and sgd_step -----------------------------------------------------------

def _sentiment_step(model, batch, bptt):
    """Loss and gradients of one batch, computed with ``bptt`` on one-hot inputs."""
    p = model.params
    N = len(batch.ids)
    x = one_hot(batch.ids, model.vocab_size)                         # (N, T, V) floats
    h0 = np.zeros((N, model.hidden_size))
    hs, _ = rnn_forward(x, h0, p["Wxh"], p["Whh"], p["bh"])
    last = batch.mask.sum(axis=1).astype(int) - 1                      # each sentence's last real token
    logits, out_cache = affine_forward(hs[np.arange(N), last], p["Why"], p["by"])
    loss, dlogits = cross_entropy(logits, batch.labels)
    grads = {}
    dh_last, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
    dhs = np.zeros_like(hs)
    dhs[np.arange(N), last] = dh_last
    _, _, grads["Wxh"], grads["Whh"], grads["bh"] = bptt(dhs, x, h0, hs, p["Wxh"], p["Whh"])
    return loss, logits, {name: np.asarray(grads[name], dtype=float) for name in p}


def _train_sentiment(model, train, test, bptt, sgd_step, epochs, learning_rate, batch_size, seed) -> History:
    """The loop of ``train_classifier`` (same shuffles, clipping and records), with the given functions."""
    everything = model.make_batch(train)
    rng, history, n = np.random.default_rng(seed), History(), len(train)
    with single_blas_thread():
        for epoch in range(1, epochs + 1):
            order, losses, correct = rng.permutation(n), [], 0
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                mask = everything.mask[rows]
                width = int(mask.sum(axis=1).max())
                batch = type(everything)(everything.ids[rows, :width], mask[:, :width], everything.labels[rows])
                loss, logits, grads = _sentiment_step(model, batch, bptt)
                grads, _ = clip_by_global_norm(grads, 5.0)
                sgd_step(model.params, grads, learning_rate)
                losses.append(loss * len(rows))
                correct += int((logits.argmax(axis=1) == batch.labels).sum())
            history.epoch.append(epoch)
            history.train_loss.append(sum(losses) / n)
            history.train_accuracy.append(correct / n)
            test_loss, test_accuracy = model.evaluate(test)
            history.test_loss.append(test_loss)
            history.test_accuracy.append(test_accuracy)
    return history


def train_sentiment_with_your_code(bptt=None, sgd_step=None, *, hidden_size: int = 32, epochs: int = 100,
                                   learning_rate: float = 0.3, batch_size: int = 16, seed: int = 0,
                                   compare: bool = True):
    """Train a ``SentimentRNN`` on the shipped sentences with your ``bptt`` and ``sgd_step``.

    bptt(dhs, x, h0, hs, Wxh, Whh) -> (dx, dh0, dWxh, dWhh, dbh), the exercise of notebook 04;
    sgd_step(params, grads, learning_rate) -> None (in place), the exercise of notebook 05.
    Either may be None or unfinished: rnn_lib's version is used instead, with a message. Plain SGD with
    ``learning_rate`` 0.3 (gradients clipped to norm 5) for 100 epochs reaches about 82% test accuracy, a
    little below notebook 05's Adam run, and exactly what ``train_classifier`` gives with the same settings.
    With ``compare``, ``train_classifier`` trains the same model with the same settings for comparison.
    Prints the test accuracy (and the library's); returns ``(model, history)``.
    """
    print("Training the sentiment classifier with:")
    bptt, yours_b = _choose(bptt, checks.check_bptt, "bptt", _library_bptt)
    sgd_step, yours_s = _choose(sgd_step, checks.check_sgd_step, "sgd_step", _library_sgd_step)
    train, test = load_sentiment()
    vocab = Vocabulary.from_texts([text for text, _ in train])
    model = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed)
    try:
        history = _train_sentiment(model, train, test, bptt, sgd_step, epochs, learning_rate, batch_size, seed)
    except Exception as error:  # a function that passed its check can still fail at the model's sizes
        print(f"Your code raised {type(error).__name__} during training ({error}); training with rnn_lib's instead.")
        model = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed)
        history = _train_sentiment(model, train, test, _library_bptt, _library_sgd_step, epochs, learning_rate,
                                   batch_size, seed)
        yours_b = yours_s = False
    who = "your code" if yours_b and yours_s else "your code and rnn_lib's" if yours_b or yours_s else "rnn_lib's code"
    print(f"After {epochs} epochs with {who}: test accuracy {history.test_accuracy[-1]:.1%}, "
          f"train loss {history.train_loss[-1]:.3f}.")
    if compare:
        reference = SentimentRNN(vocab, hidden_size=hidden_size, seed=seed)
        library = train_classifier(reference, train, test, epochs=epochs, learning_rate=learning_rate,
                                   optimizer="sgd", batch_size=batch_size, seed=seed)
        print(f"rnn_lib's train_classifier with the same settings: test accuracy {library.test_accuracy[-1]:.1%}, "
              f"train loss {library.train_loss[-1]:.3f}.")
    return model, history


# --- characters: your adagrad_step and sample_with_temperature ------------------------------------

def _sample(model, start: str, n: int, temperature: float, rng, sample_with_temperature) -> str:
    """``n`` characters after ``start``, each drawn by ``sample_with_temperature`` from the model's scores."""
    vocab, p = model.vocab, model.params
    ids = vocab.encode(start)
    h = np.zeros((1, model.hidden_size))
    out = []
    for step in range(len(ids) - 1 + n):
        current = ids[step] if step < len(ids) else out[-1]
        h, _ = rnn_step_forward(one_hot(np.array([current]), model.vocab_size), h, p["Wxh"], p["Whh"], p["bh"])
        if step >= len(ids) - 1:
            logits = affine_forward(h, p["Why"], p["by"])[0][0].copy()
            logits[[vocab.pad_id, vocab.unk_id]] = -np.inf         # never emit the reserved tokens
            out.append(int(sample_with_temperature(logits, temperature, rng)))
    return vocab.decode(out)


def train_chars_with_your_code(adagrad_step=None, sample_with_temperature=None, *, hidden_size: int = 64,
                               epochs: int = 8, learning_rate: float = 0.1, batch_size: int = 16,
                               seq_length: int = 25, characters: int = 40_000, temperature: float = 0.7,
                               sample_length: int = 120, seed: int = 0, compare: bool = True):
    """Train a ``CharRNN`` on the shipped corpus with your ``adagrad_step``; sample with your sampler.

    adagrad_step(params, grads, memory, learning_rate, eps=1e-8) -> None (in place), and
    sample_with_temperature(logits, temperature, rng) -> int, the exercises of notebook 06. Either may be
    None or unfinished: rnn_lib's version is used instead, with a message. To stay within a few seconds it
    learns the first ``characters`` characters of the corpus (the last tenth of them held out), with Adagrad.
    With ``compare``, ``train_language_model`` trains the same model with the same settings for comparison.
    Prints the validation perplexities and a sample; returns ``(model, sample)``.
    """
    print("Training the character model with:")
    adagrad_step, yours_a = _choose(adagrad_step, checks.check_adagrad_step, "adagrad_step", _library_adagrad_step)
    sampler, _ = _choose(sample_with_temperature, checks.check_sample_with_temperature, "sample_with_temperature",
                         _library_sample)
    corpus = load_char_corpus()[:positive_int(characters, "characters")]
    split = corpus.index(" ", int(0.9 * len(corpus)))
    train_text, valid_text = corpus[:split], corpus[split + 1 :]
    vocab = Vocabulary.from_texts([train_text], level="char")
    ids = np.asarray(vocab.encode(train_text))

    def fit(step):
        model = CharRNN(vocab, hidden_size=hidden_size, seed=seed)
        memory = {name: np.zeros_like(value) for name, value in model.params.items()}
        with single_blas_thread():
            for _ in range(epochs):
                h = None
                for batch in char_batches(ids, batch_size, seq_length):
                    _, grads, h = model.loss(batch, h)
                    grads, _ = clip_by_global_norm(grads, 5.0)
                    step(model.params, grads, memory, learning_rate)
        return model

    try:
        model = fit(adagrad_step)
    except Exception as error:  # a function that passed its check can still fail at the model's sizes
        print(f"Your adagrad_step raised {type(error).__name__} during training ({error}); "
              "training with rnn_lib's instead.")
        model, yours_a = fit(_library_adagrad_step), False
    whose = "your" if yours_a else "rnn_lib's"
    print(f"After {epochs} epochs with {whose} Adagrad step: "
          f"validation perplexity {model.perplexity(valid_text):.2f}.")
    if compare:
        reference = CharRNN(vocab, hidden_size=hidden_size, seed=seed)
        train_language_model(reference, train_text, epochs=epochs, learning_rate=learning_rate,
                             optimizer=Adagrad(learning_rate), seq_length=seq_length, batch_size=batch_size)
        print(f"rnn_lib's train_language_model with the same settings: validation perplexity "
              f"{reference.perplexity(valid_text):.2f}.")
    try:
        text = _sample(model, "The ", sample_length, temperature, np.random.default_rng(seed), sampler)
    except Exception as error:
        print(f"Your sample_with_temperature raised {type(error).__name__} while sampling ({error}); "
              "sampling with rnn_lib's instead.")
        text = _sample(model, "The ", sample_length, temperature, np.random.default_rng(seed), _library_sample)
    print(f"A sample at temperature {temperature}: {'The ' + text!r}")
    return model, text
