"""Training loops: they learn, they are repeatable, they report per epoch, and they stop when told or when broken."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib.datasets import load_char_corpus, load_sentiment
from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.optim import SGD, Adam, global_norm
from rnn_lib.text import Vocabulary
from rnn_lib.training import (
    History,
    TrainingDiverged,
    char_batches,
    single_blas_thread,
    train_classifier,
    train_language_model,
)

# Measured with hidden_size=64, Adam at 0.02, 150 epochs (the CLI defaults, fewer epochs): over seeds
# 0-9 the final test accuracy on the shipped sentences ranged from 0.85 to 0.98 (mean 0.90), while
# untrained models scored at most 0.62 over 30 seeds and always guessing one class scores 0.52.
# 0.80 leaves room for another machine's rounding without letting a model that learned nothing pass.
TEST_ACCURACY_BAR = 0.80


@pytest.fixture(scope="module")
def sentiment():
    train, test = load_sentiment()
    vocab = Vocabulary.from_texts([text for text, _ in train])
    return vocab, train, test


@pytest.fixture(scope="module")
def small_pairs(sentiment):
    _, train, _ = sentiment
    return train[::6]                     # ~30 sentences of both labels: quick runs of the loop's bookkeeping


# --- train_classifier -----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
def test_classifier_learns_the_shipped_sentiment_data(sentiment, seed):
    vocab, train, test = sentiment
    untrained = SentimentRNN(vocab, hidden_size=64, seed=seed)
    _, untrained_accuracy = untrained.evaluate(test)
    assert untrained_accuracy < TEST_ACCURACY_BAR, "the bar must be out of reach without training"

    model = SentimentRNN(vocab, hidden_size=64, seed=seed)
    history = train_classifier(model, train, test, epochs=150, learning_rate=0.01, seed=seed)
    assert history.test_accuracy[-1] >= TEST_ACCURACY_BAR, history.test_accuracy[-10:]
    assert history.train_accuracy[-1] >= 0.95
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]
    # The history agrees with evaluating the trained model afresh.
    loss, accuracy = model.evaluate(test)
    assert accuracy == history.test_accuracy[-1]
    assert loss == pytest.approx(history.test_loss[-1], rel=1e-12)


def test_loss_goes_down_in_the_first_epochs(sentiment, small_pairs):
    vocab, _, _ = sentiment
    history = train_classifier(SentimentRNN(vocab, hidden_size=16), small_pairs, epochs=10, learning_rate=0.02)
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.train_loss[0] == pytest.approx(math.log(2), abs=0.1)     # two classes, untrained: near log 2


def test_history_has_one_entry_per_epoch(sentiment, small_pairs):
    vocab, _, test = sentiment
    history = train_classifier(SentimentRNN(vocab, hidden_size=8), small_pairs, test, epochs=4)
    assert history.epoch == [1, 2, 3, 4]
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "grad_norm"):
        assert len(getattr(history, name)) == 4, name
    assert history.perplexity == [] and history.samples == []
    assert history.stopped_early is False
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy + history.test_accuracy)
    assert set(history.last()) == {"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "grad_norm"}
    assert history.last()["epoch"] == 4


def test_history_without_test_data(sentiment, small_pairs):
    vocab, _, _ = sentiment
    history = train_classifier(SentimentRNN(vocab, hidden_size=8), small_pairs, epochs=3)
    assert len(history.train_loss) == 3
    assert history.test_loss == [] and history.test_accuracy == []


def test_same_seed_gives_an_identical_history(sentiment, small_pairs):
    vocab, _, test = sentiment

    def run(seed):
        model = SentimentRNN(vocab, hidden_size=8, seed=seed)
        return train_classifier(model, small_pairs, test, epochs=5, batch_size=8, seed=seed), model

    (first, model_a), (again, model_b), (other, _) = run(3), run(3), run(4)
    assert first == again
    for name in model_a.params:
        np.testing.assert_array_equal(model_a.params[name], model_b.params[name])
    assert first.train_loss != other.train_loss


def test_callback_runs_once_per_epoch(sentiment, small_pairs):
    vocab, _, _ = sentiment
    seen = []
    history = train_classifier(SentimentRNN(vocab, hidden_size=8), small_pairs, epochs=4,
                               callback=lambda h: seen.append(list(h.epoch)))
    assert seen == [[1], [1, 2], [1, 2, 3], [1, 2, 3, 4]]
    assert history.stopped_early is False


def test_callback_returning_false_stops_training(sentiment, small_pairs):
    vocab, _, _ = sentiment
    calls = []

    def stop_after_three(history):
        calls.append(history.epoch[-1])
        return history.epoch[-1] < 3

    history = train_classifier(SentimentRNN(vocab, hidden_size=8), small_pairs, epochs=50, callback=stop_after_three)
    assert calls == [1, 2, 3]
    assert history.epoch == [1, 2, 3] and len(history.train_loss) == 3
    assert history.stopped_early is True


def test_stop_at_accuracy(sentiment, small_pairs):
    vocab, _, test = sentiment
    history = train_classifier(SentimentRNN(vocab, hidden_size=8), small_pairs, test, epochs=50, stop_at_accuracy=0.0)
    assert history.epoch == [1] and history.stopped_early is True


def test_grad_norm_is_recorded_before_clipping_and_steps_are_clipped(sentiment, small_pairs):
    vocab, _, _ = sentiment
    model = SentimentRNN(vocab, hidden_size=8)
    before = {name: value.copy() for name, value in model.params.items()}
    # One epoch in one batch is exactly one SGD step: its length is learning_rate * min(norm, clip).
    history = train_classifier(model, small_pairs, epochs=1, batch_size=len(small_pairs),
                               optimizer="sgd", learning_rate=1.0, clip=0.01)
    step = global_norm({name: model.params[name] - before[name] for name in before})
    assert history.grad_norm[0] > 0.01
    assert step == pytest.approx(0.01, rel=1e-9)


def test_an_optimizer_instance_is_used_as_given(sentiment, small_pairs):
    vocab, _, _ = sentiment
    optimizer = Adam(0.05)
    train_classifier(SentimentRNN(vocab, hidden_size=8), small_pairs, epochs=1, batch_size=10, optimizer=optimizer)
    assert optimizer.steps == math.ceil(len(small_pairs) / 10)
    assert set(optimizer.state) == {"Wxh", "Whh", "bh", "Why", "by"}


# --- divergence -----------------------------------------------------------------------------------

def test_a_huge_learning_rate_raises_training_diverged(sentiment, small_pairs):
    vocab, _, _ = sentiment
    model = SentimentRNN(vocab, hidden_size=8)
    # tanh saturates and the loss grows only linearly with the weights, so learning rates like 1e6 or
    # even 1e300 give enormous but finite losses. At 1e308 the first SGD step overflows the weights to
    # inf, and the next forward pass produces a NaN loss: a real divergence, not an injected one.
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(TrainingDiverged) as caught:
        train_classifier(model, small_pairs, epochs=3, optimizer="sgd", learning_rate=1e308, clip=None)
    message = str(caught.value)
    assert "learning rate 1e+308" in message
    assert "loss became nan" in message or "loss became inf" in message
    assert max(np.abs(value).max() for value in model.params.values()) > 1e300     # the weights blew up
    assert issubclass(TrainingDiverged, FloatingPointError)


def test_a_nan_weight_is_caught_at_the_first_batch(sentiment, small_pairs):
    vocab, _, _ = sentiment
    model = SentimentRNN(vocab, hidden_size=8)
    model.params["Why"][0, 0] = np.nan
    with pytest.raises(TrainingDiverged, match=r"diverged at epoch 1: the loss became nan\. The learning rate 0\.05"):
        train_classifier(model, small_pairs, epochs=3, learning_rate=0.05)


def test_a_nan_weight_stops_the_language_model(char_setup):
    vocab, text = char_setup
    model = CharRNN(vocab, hidden_size=8)
    model.params["Whh"][1, 2] = np.inf
    with np.errstate(invalid="ignore"), pytest.raises(
            TrainingDiverged, match=r"the loss became nan\. The learning rate 0\.3 is probably too large"):
        train_language_model(model, text, epochs=2, learning_rate=0.3, batch_size=4)


# --- train_language_model -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def char_setup():
    text = load_char_corpus()[:2000]
    return Vocabulary.from_texts([text], level="char"), text


@pytest.fixture(scope="module")
def trained_char_model(char_setup):
    vocab, text = char_setup
    model = CharRNN(vocab, hidden_size=32, seed=0)
    history = train_language_model(model, text, epochs=10, batch_size=4, seq_length=25, learning_rate=0.1,
                                   sample_length=20, sample_prompt="The ")
    return model, history


def test_language_model_loss_goes_down(trained_char_model, char_setup):
    vocab, _ = char_setup
    _, history = trained_char_model
    assert history.epoch == list(range(1, 11))
    assert history.train_loss[0] < math.log(len(vocab))          # already learning in the first epoch
    assert history.train_loss[-1] < 0.7 * history.train_loss[0]
    # Without valid_text the recorded perplexity is exp(training loss per character).
    np.testing.assert_allclose(history.perplexity, np.exp(history.train_loss), rtol=1e-12)
    assert len(history.grad_norm) == 10
    assert len(history.samples) == 10 and all(len(sample) == 20 for sample in history.samples)


def test_trained_perplexity_is_far_below_the_vocabulary_size(trained_char_model, char_setup):
    vocab, text = char_setup
    model, _ = trained_char_model
    untrained = CharRNN(vocab, hidden_size=32, seed=0)
    assert untrained.perplexity(text) > 0.8 * len(vocab)          # guessing: about V
    assert model.perplexity(text) < 0.25 * len(vocab)


def test_valid_text_perplexity_is_recorded(char_setup):
    vocab, text = char_setup
    model = CharRNN(vocab, hidden_size=8)
    history = train_language_model(model, text[:1000], epochs=2, batch_size=4, valid_text=text[1000:1400])
    assert len(history.perplexity) == 2
    assert history.perplexity[-1] == pytest.approx(model.perplexity(text[1000:1400]), rel=1e-12)


def test_language_model_samples_a_text_that_starts_with_whitespace(char_setup):
    # The default sample prompt is the text's first character, here a newline: a real character.
    _, text = char_setup
    text = "\n" + text[:800]
    model = CharRNN(Vocabulary.from_texts([text], level="char"), hidden_size=8)
    history = train_language_model(model, text, epochs=1, batch_size=4, sample_length=10)
    assert len(history.samples) == 1 and len(history.samples[0]) == 10


def test_language_model_same_seed_same_history(char_setup):
    vocab, text = char_setup

    def run():
        model = CharRNN(vocab, hidden_size=8, seed=2)
        return train_language_model(model, text[:800], epochs=2, batch_size=4, sample_length=10, seed=5)

    assert run() == run()


def test_language_model_callback_can_stop(char_setup):
    vocab, text = char_setup
    seen = []
    history = train_language_model(CharRNN(vocab, hidden_size=8), text[:800], epochs=5, batch_size=4,
                                   callback=lambda h: seen.append(h.epoch[-1]) or h.epoch[-1] < 2)
    assert seen == [1, 2]
    assert history.epoch == [1, 2] and history.stopped_early is True


def test_sample_is_reproducible_and_uses_only_vocabulary_characters(trained_char_model, char_setup):
    vocab, _ = char_setup
    model, _ = trained_char_model
    first = model.sample("The ", 200, rng=np.random.default_rng(42))
    assert first == model.sample("The ", 200, rng=np.random.default_rng(42))
    assert len(first) == 200
    assert set(first) <= set(vocab.itos[2:])


def greedy_agreement(model, prompt, sample):
    """Fraction of sampled characters that were the model's single most likely choice at their step.

    The recurrence is restated here in plain numpy, independently of ``CharRNN.sample``.
    """
    p, vocab = model.params, model.vocab
    ids = [vocab.stoi[c] for c in prompt + sample]
    h = np.zeros(model.hidden_size)
    hits = []
    for step, current in enumerate(ids[:-1]):
        h = np.tanh(p["Wxh"][:, current] + p["Whh"] @ h + p["bh"])
        if step >= len(prompt) - 1:                     # from here on the next character was sampled
            scores = p["Why"] @ h + p["by"]
            scores[[vocab.pad_id, vocab.unk_id]] = -np.inf
            hits.append(int(np.argmax(scores)) == ids[step + 1])
    return float(np.mean(hits))


def test_low_temperature_is_nearly_greedy(trained_char_model):
    # Comparing whole strings would be fragile: the trained model has near-ties (top two scores
    # 0.001 apart), where even temperature 0.01 may go either way and the two texts then part
    # for good. So each sampled character is checked against the argmax given its own prefix.
    # Measured: 0.97-1.00 at temperature 0.01, 0.30-0.54 at temperature 1.
    model, _ = trained_char_model
    cold = [model.sample("The ", 100, temperature=0.01, rng=np.random.default_rng(seed)) for seed in range(5)]
    hot = [model.sample("The ", 100, temperature=1.0, rng=np.random.default_rng(seed)) for seed in range(5)]
    cold_agreement = [greedy_agreement(model, "The ", sample) for sample in cold]
    hot_agreement = [greedy_agreement(model, "The ", sample) for sample in hot]
    assert min(cold_agreement) >= 0.9, cold_agreement
    assert np.mean(hot_agreement) < 0.8, hot_agreement
    assert len(set(hot)) == 5                           # at temperature 1 every seed tells its own story


# --- helpers --------------------------------------------------------------------------------------

def test_char_batches_golden():
    chunks = list(char_batches(np.arange(11), batch_size=2, seq_length=2))
    # Two streams of 5: 0..4 and 5..9; targets are the next id; the leftover tail (id 4, 9) is dropped.
    expected = [([[0, 1], [5, 6]], [[1, 2], [6, 7]]),
                ([[2, 3], [7, 8]], [[3, 4], [8, 9]])]
    assert len(chunks) == len(expected)
    for (inputs, targets), (want_inputs, want_targets) in zip(chunks, expected, strict=True):
        np.testing.assert_array_equal(inputs, want_inputs)
        np.testing.assert_array_equal(targets, want_targets)


def test_char_batches_streams_continue_from_chunk_to_chunk():
    ids = np.arange(101)
    chunks = list(char_batches(ids, batch_size=4, seq_length=5))
    assert len(chunks) == 5                                   # streams of 25 = 5 chunks of 5
    streams = np.concatenate([inputs for inputs, _ in chunks], axis=1)
    np.testing.assert_array_equal(streams, ids[:100].reshape(4, 25))


def test_single_blas_thread_limits_blas_and_then_restores_it():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    with single_blas_thread():
        assert all(threads == 1 for threads in blas_threads()), blas_threads()
        assert float(np.ones((3, 3)) @ np.ones(3) @ np.ones(3)) == 9.0
    assert blas_threads() == before


def test_history_defaults_are_independent():
    first, second = History(), History()
    first.train_loss.append(1.0)
    assert second.train_loss == []


def test_sgd_instance_state_is_empty_after_training(sentiment, small_pairs):
    vocab, _, _ = sentiment
    optimizer = SGD(0.1)
    train_classifier(SentimentRNN(vocab, hidden_size=4), small_pairs, epochs=1, optimizer=optimizer,
                     batch_size=len(small_pairs))
    assert optimizer.state == {} and optimizer.steps == 1          # one full batch: exactly one step
