"""Bad input gets a ValueError, TypeError or KeyError whose message says what was wrong and what was expected."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib.gradcheck import numerical_gradient, rel_error
from rnn_lib.layers import (
    affine_backward,
    affine_forward,
    gather_columns,
    one_hot_matmul,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from rnn_lib.losses import cross_entropy, softmax
from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.optim import SGD, Adagrad, Adam, clip_by_global_norm, clip_by_value, make_optimizer
from rnn_lib.text import Vocabulary, one_hot, pad_batch, tokenize
from rnn_lib.training import char_batches, train_classifier, train_language_model

PAIRS = [("the film was good", 1), ("the film was bad", 0)]
BAD_RATES = [0, -1, -0.01, math.nan, math.inf, -math.inf]


@pytest.fixture
def vocab():
    return Vocabulary.from_texts([text for text, _ in PAIRS])


@pytest.fixture
def classifier(vocab):
    return SentimentRNN(vocab, hidden_size=4)


@pytest.fixture
def char_model():
    return CharRNN(Vocabulary.from_texts(["abc abc"], level="char"), hidden_size=4)


# --- text -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text(text, vocab):
    with pytest.raises(ValueError, match="empty"):
        tokenize(text)
    with pytest.raises(ValueError, match="empty"):
        vocab.encode(text)


@pytest.mark.parametrize("text", [None, 3, b"bytes", ["a list"]])
def test_non_string_text(text, vocab):
    with pytest.raises(TypeError, match="must be a string"):
        tokenize(text)
    with pytest.raises(TypeError, match="must be a string"):
        vocab.encode(text)


def test_vocabulary_from_nothing():
    with pytest.raises(ValueError, match="no texts"):
        Vocabulary.from_texts([])


def test_vocabulary_from_a_single_string_asks_for_a_list():
    with pytest.raises(TypeError, match=r"wrap it: \[text\]"):
        Vocabulary.from_texts("the film was good")


def test_vocabulary_names_the_bad_text():
    with pytest.raises(TypeError, match=r"texts\[1\] must be a string"):
        Vocabulary.from_texts(["fine", 42])
    with pytest.raises(ValueError, match=r"texts\[0\] is empty"):
        Vocabulary.from_texts(["", "fine"])


def test_vocabulary_level_and_min_freq():
    with pytest.raises(ValueError, match='level must be "word" or "char"'):
        Vocabulary.from_texts(["a"], level="sentence")
    with pytest.raises(ValueError, match="min_freq must be a whole number >= 1"):
        Vocabulary.from_texts(["a"], min_freq=0)
    with pytest.raises(ValueError, match="no token occurs at least min_freq=5 times"):
        Vocabulary.from_texts(["a b"], min_freq=5)


def test_encode_strict_names_the_unknown_word(vocab):
    with pytest.raises(KeyError, match="'splendid' is not in the vocabulary"):
        vocab.encode("the film was splendid", strict=True)


def test_decode_id_out_of_range(vocab):
    with pytest.raises(KeyError, match=r"id 99 is outside this vocabulary \(valid ids: 0 to 6\)"):
        vocab.decode([2, 99])
    with pytest.raises(KeyError, match="id -1 is outside"):
        vocab.decode([-1])


def test_one_hot_bad_ids():
    with pytest.raises(ValueError, match=r"ids must lie in 0..2, got values from 0 to 3"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="ids must lie in 0..2"):
        one_hot([-1], 3)
    with pytest.raises(TypeError, match="ids must be whole numbers"):
        one_hot([0.5], 3)


def test_pad_batch_empty():
    with pytest.raises(ValueError, match="at least one sequence"):
        pad_batch([])
    with pytest.raises(ValueError, match="sequence 1 is empty"):
        pad_batch([[1, 2], []])


# --- models ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", [2, -1, 7])
def test_label_outside_the_classes(classifier, label):
    with pytest.raises(ValueError, match=rf"examples\[1\] has label {label}; labels must be whole numbers 0..1"):
        classifier.make_batch([("good", 1), ("bad", label)])


@pytest.mark.parametrize("label", ["positive", 0.5, None])
def test_label_of_the_wrong_type(classifier, label):
    with pytest.raises(ValueError, match=r"examples\[0\] has label"):
        classifier.make_batch([("good", label)])


def test_example_that_is_not_a_pair(classifier):
    with pytest.raises(TypeError, match=r"examples\[0\] should be a \(text, label\) pair"):
        classifier.make_batch(["the film was good"])
    with pytest.raises(ValueError, match="examples is empty"):
        classifier.make_batch([])


def test_example_with_empty_or_non_string_text(classifier):
    with pytest.raises(ValueError, match="empty"):
        classifier.make_batch([("", 1)])
    with pytest.raises(TypeError, match="must be a string"):
        classifier.predict([123])


@pytest.mark.parametrize("hidden_size", [0, -3])
def test_hidden_size_below_one(vocab, hidden_size):
    with pytest.raises(ValueError, match=f"hidden_size must be at least 1, got {hidden_size}"):
        SentimentRNN(vocab, hidden_size=hidden_size)
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        CharRNN(vocab, hidden_size=hidden_size)


@pytest.mark.parametrize("hidden_size", [2.5, 8.0, "8", True, None])
def test_hidden_size_not_a_whole_number(vocab, hidden_size):
    with pytest.raises(TypeError, match="hidden_size must be a whole number"):
        SentimentRNN(vocab, hidden_size=hidden_size)
    with pytest.raises(TypeError, match="hidden_size must be a whole number"):
        CharRNN(vocab, hidden_size=hidden_size)


def test_num_classes_and_vocabulary_size(vocab):
    with pytest.raises(ValueError, match="num_classes must be at least 1"):
        SentimentRNN(vocab, num_classes=0)
    with pytest.raises(ValueError, match="vocab .the vocabulary size. must be at least 1"):
        SentimentRNN(0)
    with pytest.raises(TypeError, match="vocab .the vocabulary size. must be a whole number"):
        CharRNN(["a", "b"])


def test_model_ids_out_of_range(classifier):
    V = classifier.vocab_size
    with pytest.raises(ValueError, match=rf"token ids must lie in 0..{V - 1} for this model, got values from 0 to {V}"):
        classifier.forward(np.array([[0, V]]))
    with pytest.raises(ValueError, match="got values from -2"):
        classifier.forward(np.array([[-2, 1]]))
    with pytest.raises(TypeError, match="token ids must be integers"):
        classifier.forward(np.array([[0.0, 1.0]]))


def test_char_targets_out_of_range(char_model):
    V = char_model.vocab_size
    with pytest.raises(ValueError, match=f"0..{V - 1}"):
        char_model.loss((np.array([[2, 3]]), np.array([[3, V]])))


def test_char_initial_state_of_the_wrong_shape(char_model):
    with pytest.raises(ValueError, match=r"h0 should have shape \(1, 4\), but it has shape \(1, 5\)"):
        char_model.loss((np.array([[2, 3]]), np.array([[3, 2]])), h0=np.zeros((1, 5)))


def test_text_methods_need_a_vocabulary():
    with pytest.raises(TypeError, match="built from a vocabulary size.*Vocabulary.from_texts"):
        SentimentRNN(10).predict(["good"])
    with pytest.raises(TypeError, match="cannot read text"):
        CharRNN(10).sample("a", 5)


@pytest.mark.parametrize("temperature", [0, -1, -0.5, math.nan, "hot", None])
def test_temperature_must_be_positive(char_model, temperature):
    with pytest.raises(ValueError, match="temperature must be a number greater than 0"):
        char_model.sample("a", 5, temperature=temperature)


def test_sample_length_must_be_positive(char_model):
    with pytest.raises(ValueError, match="n must be at least 1"):
        char_model.sample("a", 0)
    with pytest.raises(ValueError, match="empty"):
        char_model.sample("", 5)


def test_perplexity_needs_two_characters(char_model):
    with pytest.raises(ValueError, match="at least two characters"):
        char_model.perplexity("a")
    with pytest.raises(ValueError, match="seq_length must be at least 1, got 0"):
        char_model.perplexity("abc abc", seq_length=0)


def test_numpy_temperatures_are_numbers_too(char_model):
    rng = np.random.default_rng(0)
    assert len(char_model.sample("a", 5, temperature=np.float32(0.5), rng=rng)) == 5
    with pytest.raises(ValueError, match="temperature must be a number greater than 0"):
        char_model.sample("a", 5, temperature=np.float64(-1.0))


# --- layers: wrongly shaped arrays name the expected and the given shape --------------------------

N, D, H, T = 3, 5, 4, 2


@pytest.fixture
def weights():
    rng = np.random.default_rng(0)
    return rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)


def test_step_forward_shapes(weights):
    Wxh, Whh, bh = weights
    x, h_prev = np.ones((N, D)), np.zeros((N, H))
    with pytest.raises(ValueError, match=r"x should have shape \(3, 5\), but it has shape \(3, 6\)"):
        rnn_step_forward(np.ones((N, D + 1)), h_prev, Wxh, Whh, bh)
    with pytest.raises(ValueError, match=r"h_prev should have shape \(3, 4\), but it has shape \(3, 2\)"):
        rnn_step_forward(x, np.zeros((N, 2)), Wxh, Whh, bh)
    with pytest.raises(ValueError, match=r"Whh should have shape \(4, 4\), but it has shape \(4, 3\)"):
        rnn_step_forward(x, h_prev, Wxh, np.ones((H, 3)), bh)
    with pytest.raises(ValueError, match=r"Wxh should have shape \(4, any\), but it has shape \(5, 5\)"):
        rnn_step_forward(x, h_prev, np.ones((D, D)), Whh, bh)
    with pytest.raises(ValueError, match=r"bh should have shape \(4,\), but it has shape \(1, 4\)"):
        rnn_step_forward(x, h_prev, Wxh, Whh, bh[None])
    with pytest.raises(ValueError, match=r"x \(token ids\) should have shape \(3,\), but it has shape \(2,\)"):
        rnn_step_forward(np.array([0, 1]), h_prev, Wxh, Whh, bh)


def test_step_backward_shapes(weights):
    _, cache = rnn_step_forward(np.ones((N, D)), np.zeros((N, H)), *weights)
    with pytest.raises(ValueError, match=r"dh should have shape \(3, 4\), but it has shape \(4,\)"):
        rnn_step_backward(np.ones(H), cache)


def test_sequence_forward_shapes(weights):
    Wxh, Whh, bh = weights
    h0 = np.zeros((N, H))
    with pytest.raises(ValueError, match=r"x should have shape \(3, 2, 5\), but it has shape \(3, 2, 4\)"):
        rnn_forward(np.ones((N, T, D - 1)), h0, Wxh, Whh, bh)
    with pytest.raises(ValueError, match=r"x should have shape \(N, T\) of ids or \(N, T, D\) of floats"):
        rnn_forward(np.ones(D), h0, Wxh, Whh, bh)
    with pytest.raises(ValueError, match=r"h0 should have shape \(3, 4\), but it has shape \(2, 4\)"):
        rnn_forward(np.zeros((N, T), dtype=int), np.zeros((2, H)), Wxh, Whh, bh)
    with pytest.raises(ValueError, match=r"mask should have shape \(3, 2\), but it has shape \(3, 3\)"):
        rnn_forward(np.zeros((N, T), dtype=int), h0, Wxh, Whh, bh, mask=np.ones((N, 3), dtype=bool))


def test_sequence_backward_shapes(weights):
    _, cache = rnn_forward(np.ones((N, T, D)), np.zeros((N, H)), *weights)
    with pytest.raises(ValueError, match=r"dh should have shape \(3, 2, 4\), but it has shape \(3, 2, 1\)"):
        rnn_backward(np.ones((N, T, 1)), cache)


def test_layer_ids_out_of_range(weights):
    Wxh, Whh, bh = weights
    for ids in (np.array([[0, D]]), np.array([[-1, 0]])):
        with pytest.raises(ValueError, match=rf"token ids must lie in 0..{D - 1}"):
            rnn_forward(ids, np.zeros((1, H)), Wxh, Whh, bh)
        with pytest.raises(ValueError, match=rf"token ids must lie in 0..{D - 1}"):
            rnn_step_forward(ids[0], np.zeros((2, H)), Wxh, Whh, bh)
        with pytest.raises(ValueError, match=rf"token ids must lie in 0..{D - 1}"):
            gather_columns(ids, Wxh)
        with pytest.raises(ValueError, match=rf"token ids must lie in 0..{D - 1}"):
            one_hot_matmul(ids, Wxh)


def test_affine_shapes():
    h = np.ones((N, H))
    with pytest.raises(ValueError, match=r"Why should have shape \(2, 4\), but it has shape \(2, 3\)"):
        affine_forward(h, np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"by should have shape \(2,\), but it has shape \(3,\)"):
        affine_forward(h, np.ones((2, H)), np.ones(3))
    _, cache = affine_forward(h, np.ones((2, H)), np.ones(2))
    with pytest.raises(ValueError, match=r"dy should have shape \(3, 2\), but it has shape \(2,\)"):
        affine_backward(np.ones(2), cache)


def test_cross_entropy_bad_targets():
    logits = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"targets should have shape \(2,\), but it has shape \(3,\)"):
        cross_entropy(logits, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"target 3 is not a class: with 3 scores per example the targets must be 0"):
        cross_entropy(logits, np.array([0, 3]))
    with pytest.raises(ValueError, match="target -1 is not a class"):
        cross_entropy(logits, np.array([-1, 0]))
    with pytest.raises(TypeError, match="targets must be integer class ids"):
        cross_entropy(logits, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="a last axis of K >= 1 class scores"):
        cross_entropy(np.float64(1.0), np.array(0))


def test_softmax_of_text():
    with pytest.raises(TypeError, match="logits must be an array of numbers"):
        softmax(["a", "b"])


# --- optimizers and training ----------------------------------------------------------------------

@pytest.mark.parametrize("rate", BAD_RATES)
def test_optimizer_learning_rate(rate):
    for optimizer in (SGD, Adagrad, Adam):
        with pytest.raises(ValueError, match=f"learning_rate must be a finite number greater than 0, got {rate}"):
            optimizer(rate)


@pytest.mark.parametrize("rate", ["0.1", None, True])
def test_optimizer_learning_rate_type(rate):
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        SGD(rate)


def test_unknown_optimizer_name():
    with pytest.raises(ValueError, match=r"optimizer must be one of \['adagrad', 'adam', 'sgd'\], got 'rmsprop'"):
        make_optimizer("rmsprop", 0.1)


def test_optimizer_step_mismatched_grads():
    params = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    with pytest.raises(KeyError, match=r"grads has no entry for \['b'\]"):
        SGD(0.1).step(params, {"W": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"grads\['b'\] has shape \(3,\), but params\['b'\] has shape \(2,\)"):
        SGD(0.1).step(params, {"W": np.zeros((2, 2)), "b": np.zeros(3)})


def test_a_refused_step_changes_nothing():
    # "W" comes first and its gradient is fine; the bad "b" must still stop the whole step.
    params = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    opt = Adam(0.1)
    with pytest.raises(ValueError, match=r"grads\['b'\] has shape"):
        opt.step(params, {"W": np.ones((2, 2)), "b": np.ones(3)})
    assert not params["W"].any() and opt.steps == 0 and opt.state == {}


def test_clipping_limits_must_be_positive():
    grads = {"W": np.ones(2)}
    with pytest.raises(ValueError, match="max_norm must be a finite number greater than 0"):
        clip_by_global_norm(grads, 0)
    with pytest.raises(ValueError, match="limit must be a finite number greater than 0"):
        clip_by_value(grads, -1)


@pytest.mark.parametrize("rate", BAD_RATES)
def test_training_learning_rate(classifier, char_model, rate):
    with pytest.raises(ValueError, match=f"learning_rate must be a finite number greater than 0, got {rate}"):
        train_classifier(classifier, PAIRS, learning_rate=rate)
    with pytest.raises(ValueError, match=f"learning_rate must be a finite number greater than 0, got {rate}"):
        train_language_model(char_model, "abc abc abc", learning_rate=rate)


def test_training_counts(classifier, char_model):
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        train_classifier(classifier, PAIRS, epochs=0)
    with pytest.raises(TypeError, match="batch_size must be a whole number"):
        train_classifier(classifier, PAIRS, batch_size=2.0)
    with pytest.raises(ValueError, match="seq_length must be at least 1"):
        train_language_model(char_model, "abc abc abc", seq_length=0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        train_classifier(classifier, PAIRS, optimizer="momentum")


@pytest.mark.parametrize("target", [90, -0.1, 1.5, "0.9", True, math.nan])
def test_stop_at_accuracy_is_a_fraction(classifier, target):
    with pytest.raises(ValueError, match=r"stop_at_accuracy must be a fraction between 0 and 1 \(0.9 for 90%\)"):
        train_classifier(classifier, PAIRS, PAIRS, stop_at_accuracy=target)


def test_stop_at_accuracy_needs_test_examples(classifier):
    with pytest.raises(ValueError, match="stop_at_accuracy watches the test accuracy, so it needs test examples"):
        train_classifier(classifier, PAIRS, stop_at_accuracy=0.9)


def test_text_too_short_for_the_batches(char_model):
    with pytest.raises(ValueError, match="too short for batch_size=16 streams of seq_length=25"):
        train_language_model(char_model, "abc abc abc")
    with pytest.raises(ValueError, match="has 10 characters"):
        list(char_batches(np.arange(10), batch_size=2, seq_length=5))


# --- gradient checking helpers --------------------------------------------------------------------

def test_numerical_gradient_needs_float64():
    x = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="float64 numpy array"):
        numerical_gradient(lambda: x.sum(), x)


def test_rel_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"cannot compare arrays of shapes \(2,\) and \(3,\)"):
        rel_error(np.ones(2), np.ones(3))
