"""Counting baselines for sentence classification: what a model scores without reading in order.

A recurrent network earns its keep only where the simplest model that could explain its result fails.
:class:`NaiveBayesClassifier` counts words (``ngram=1``, a *bag of words*) or words and neighbouring
word pairs (``ngram=2``, *bigrams*) in each class and classifies a new sentence by Bayes' rule with
add-``alpha`` smoothing. It trains in one pass, with no gradient and no random seed.

Dimensions: N sentences, K classes.
"""

from __future__ import annotations

import math
from collections import Counter
from numbers import Integral, Real

import numpy as np

from .text import tokenize

__all__ = ["NaiveBayesClassifier", "ngram_features"]

_START, _END = "<s>", "</s>"


def ngram_features(text: str, ngram: int = 1) -> list[str]:
    """The features of one text: its words, plus (for ``ngram=2``) each pair of neighbouring words.

    Pairs include the sentence edges, so "not bad" at the end gives ``"bad </s>"`` as well.

    >>> ngram_features("not bad", ngram=2)
    ['not', 'bad', '<s> not', 'not bad', 'bad </s>']
    """
    if ngram not in (1, 2):
        raise ValueError(f"ngram must be 1 (words) or 2 (words and word pairs), got {ngram!r}.")
    words = tokenize(text)
    if ngram == 1:
        return words
    padded = [_START, *words, _END]
    return words + [f"{a} {b}" for a, b in zip(padded, padded[1:], strict=False)]


class NaiveBayesClassifier:
    """Multinomial naive Bayes over word counts (``ngram=1``) or word and word-pair counts (``ngram=2``).

    P(class | text) is proportional to P(class) times the product over the text's features of
    P(feature | class) = (count(feature, class) + alpha) / (total(class) + alpha * F), where F is the
    number of distinct features seen in training. Features never seen in training are skipped.
    """

    def __init__(self, ngram: int = 1, alpha: float = 1.0):
        ngram_features("x", ngram)                      # validates ngram with its own message
        if isinstance(alpha, bool) or not isinstance(alpha, Real) or not math.isfinite(alpha) or alpha <= 0:
            raise ValueError(f"alpha must be a finite number greater than 0, got {alpha!r}.")
        self.ngram = int(ngram)
        self.alpha = float(alpha)
        self.classes: list[int] = []
        self.counts: dict[int, Counter] = {}

    def fit(self, examples) -> NaiveBayesClassifier:
        """Count features per class from ``examples``, a list of (text, label) pairs. Returns self."""
        texts, labels = _split_examples(examples, "examples")
        self.classes = sorted(set(labels))
        if len(self.classes) < 2:
            raise ValueError(f"examples must hold at least two different labels, got only {self.classes}.")
        self.counts = {label: Counter() for label in self.classes}
        documents = Counter(labels)
        for text, label in zip(texts, labels, strict=True):
            self.counts[label].update(ngram_features(text, self.ngram))
        self.vocabulary = set().union(*self.counts.values())
        self.log_prior = np.log([documents[label] / len(labels) for label in self.classes])   # (K,)
        return self

    def _require_fitted(self) -> None:
        if not self.classes:
            raise RuntimeError("this classifier is not fitted yet; call fit(train) first.")

    def log_scores(self, texts) -> np.ndarray:
        """Unnormalised log P(class) + sum of log P(feature | class), shape (N, K)."""
        self._require_fitted()
        texts = _require_texts(texts)
        F = len(self.vocabulary)
        scores = np.tile(self.log_prior, (len(texts), 1))
        for k, label in enumerate(self.classes):
            counts = self.counts[label]
            denominator = sum(counts.values()) + self.alpha * F
            for i, text in enumerate(texts):
                for feature in ngram_features(text, self.ngram):
                    if feature in self.vocabulary:      # unseen features carry no evidence either way
                        scores[i, k] += math.log((counts[feature] + self.alpha) / denominator)
        return scores

    def predict_proba(self, texts) -> np.ndarray:
        """P(class | text), shape (N, K), columns in the order of ``self.classes``; rows sum to 1."""
        scores = self.log_scores(texts)
        scores -= scores.max(axis=1, keepdims=True)     # softmax, shifted for stability
        probabilities = np.exp(scores)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict(self, texts) -> np.ndarray:
        """The most likely label for each text, shape (N,)."""
        return np.asarray(self.classes)[np.argmax(self.log_scores(texts), axis=1)]

    def accuracy(self, examples) -> float:
        """Fraction of (text, label) pairs in ``examples`` whose label is predicted correctly."""
        texts, labels = _split_examples(examples, "examples")
        return float(np.mean(self.predict(texts) == np.asarray(labels)))

    def __repr__(self) -> str:
        return f"NaiveBayesClassifier(ngram={self.ngram}, alpha={self.alpha})"


def _require_texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not a single string; wrap it: [text].")
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty; pass at least one sentence.")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] must be a string, got {type(text).__name__}: {text!r}.")
    return texts


def _split_examples(examples, name: str) -> tuple[list[str], list[int]]:
    if isinstance(examples, str):
        raise TypeError(f"{name} must be a list of (text, label) pairs, not a single string.")
    texts, labels = [], []
    for i, pair in enumerate(examples):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"{name}[{i}] must be a (text, label) pair, got {pair!r}.")
        text, label = pair
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}]: the text must be a string, got {type(text).__name__}: {text!r}.")
        if isinstance(label, bool) or not isinstance(label, Integral):
            raise TypeError(f"{name}[{i}]: the label must be a whole number, got {label!r}.")
        texts.append(text)
        labels.append(int(label))
    if not texts:
        raise ValueError(f"{name} is empty; pass at least one (text, label) pair.")
    return texts, labels
