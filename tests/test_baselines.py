"""Tests for rnn_lib.baselines: counting classifiers checked against probabilities worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.baselines import NaiveBayesClassifier, ngram_features

TINY = [("good", 1), ("bad", 0)]


def test_features_of_words_and_pairs():
    assert ngram_features("The film, not bad") == ["the", "film", ",", "not", "bad"]
    assert ngram_features("not bad", ngram=2) == ["not", "bad", "<s> not", "not bad", "bad </s>"]


def test_bag_of_words_probabilities_by_hand():
    # F = 2 features; P(good | 1) = (1 + 1) / (1 + 2) = 2/3, P(good | 0) = (0 + 1) / (1 + 2) = 1/3; equal priors.
    model = NaiveBayesClassifier().fit(TINY)
    np.testing.assert_allclose(model.predict_proba(["good"]), [[1 / 3, 2 / 3]])
    # two "good": (2/3)^2 against (1/3)^2 -> 4/5 for class 1
    np.testing.assert_allclose(model.predict_proba(["good good"]), [[1 / 5, 4 / 5]])
    np.testing.assert_array_equal(model.predict(["good", "bad"]), [1, 0])


def test_priors_and_unseen_words():
    # 2 positive, 1 negative sentence: a sentence of unseen words gets the prior 1/3, 2/3.
    model = NaiveBayesClassifier().fit([("good", 1), ("nice", 1), ("bad", 0)])
    np.testing.assert_allclose(model.predict_proba(["terrific"]), [[1 / 3, 2 / 3]])


def test_alpha_changes_the_smoothing():
    # alpha = 0.5: P(good | 1) = 1.5 / 2, P(good | 0) = 0.5 / 2 -> 3/4 for class 1
    model = NaiveBayesClassifier(alpha=0.5).fit(TINY)
    np.testing.assert_allclose(model.predict_proba(["good"])[0, 1], 0.75)


def test_bag_of_words_ignores_order_but_word_pairs_do_not():
    train = [("not good", 0), ("good not", 1), ("good", 1), ("not", 0)]
    words = NaiveBayesClassifier(ngram=1).fit(train)
    np.testing.assert_allclose(words.predict_proba(["not good"]), words.predict_proba(["good not"]))
    pairs = NaiveBayesClassifier(ngram=2).fit(train)
    assert pairs.predict(["not good", "good not"]).tolist() == [0, 1]


def test_accuracy_counts_correct_predictions():
    model = NaiveBayesClassifier().fit(TINY)
    assert model.accuracy([("good", 1), ("bad", 0), ("good", 0), ("bad", 1)]) == 0.5


def test_labels_other_than_zero_and_one():
    model = NaiveBayesClassifier().fit([("up", 7), ("down", 3)])
    assert model.classes == [3, 7]
    assert model.predict(["up"]).tolist() == [7]


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"ngram": 3}, ValueError, "ngram must be 1 .* got 3"),
        ({"alpha": 0}, ValueError, "alpha must be a finite number greater than 0, got 0"),
        ({"alpha": float("nan")}, ValueError, "alpha .* got nan"),
        ({"alpha": "1"}, ValueError, "alpha .* got '1'"),
    ],
)
def test_bad_settings(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        NaiveBayesClassifier(**kwargs)


@pytest.mark.parametrize(
    ("examples", "error", "pattern"),
    [
        ([], ValueError, "examples is empty"),
        ("good", TypeError, "not a single string"),
        ([("good", 1), ("bad", 1)], ValueError, "at least two different labels"),
        ([("good", 1), ("bad",)], ValueError, r"examples\[1\] must be a \(text, label\) pair"),
        ([(3, 1), ("bad", 0)], TypeError, r"examples\[0\]: the text must be a string"),
        ([("good", 1.0), ("bad", 0)], TypeError, r"examples\[0\]: the label must be a whole number"),
    ],
)
def test_bad_training_examples(examples, error, pattern):
    with pytest.raises(error, match=pattern):
        NaiveBayesClassifier().fit(examples)


def test_bad_texts_and_unfitted_model():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        NaiveBayesClassifier().predict(["good"])
    model = NaiveBayesClassifier().fit(TINY)
    with pytest.raises(TypeError, match="not a single string"):
        model.predict("good")
    with pytest.raises(ValueError, match="texts is empty"):
        model.predict([])
    with pytest.raises(TypeError, match=r"texts\[1\] must be a string"):
        model.predict(["good", None])
