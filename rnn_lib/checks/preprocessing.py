"""Checks for notebook 01: building a vocabulary and one-hot encoding."""

from __future__ import annotations

import numpy as np

from ..text import Vocabulary, one_hot
from ._core import Mistake, checker, run

_TEXTS = ["The cat sat on the mat.", "A dog sat, and the cat ran!", "Zebras don't nap; 2 cats do."]
_WORDS = ["red", "fox", "jumps", "Over", "lazy", "dogs", "it's", "1999", "Bird", "sings", "apple", "zoo", "the"]


def _random_texts(rng) -> list[str]:
    return [" ".join(rng.choice(_WORDS, size=rng.integers(2, 7))) + rng.choice([".", "!", "?", ","])
            for _ in range(5)]


@checker("The vocabulary has <pad>=0, <unk>=1 and the sorted tokens from 2 on, as Vocabulary.from_texts does.")
def check_build_vocabulary(build_vocabulary) -> None:
    """Check ``build_vocabulary(texts) -> dict[str, int]`` against ``Vocabulary.from_texts(texts).stoi``."""
    # a few texts, random ones, repeats in other cases, a single one-word text
    for texts in (_TEXTS, _random_texts(np.random.default_rng(1)), ["Hi hi HI", "hi", "HI!"], ["Solo"]):
        expected = Vocabulary.from_texts(texts).stoi
        got = run(build_vocabulary, {"texts": texts})
        if got is None:
            raise Mistake("Your function returned None: did you forget `return vocab`?")
        if not isinstance(got, dict):
            raise Mistake(f"Your function should return a dict that maps token -> id, got {type(got).__name__}.")
        if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in got.values()):
            raise Mistake("The ids should be whole numbers (int).")
        if got.get("<pad>") != 0 or got.get("<unk>") != 1:
            raise Mistake("The reserved tokens are missing or have the wrong ids: '<pad>' must be 0 and '<unk>' 1; "
                          "the real tokens start at id 2.")
        extra, missing = sorted(set(got) - set(expected)), sorted(set(expected) - set(got))
        if extra:
            if any(t != t.lower() for t in extra):
                why = "upper-case letters: use tokenize(text), which lower-cases"
            elif any(len(t) > 1 and not t.isalnum() and "'" not in t for t in extra):
                why = "punctuation stuck to words: split with tokenize(text), not text.split()"
            else:
                why = "tokens that tokenize(text) does not produce"
            raise Mistake(f"The vocabulary has {why} (e.g. {extra[:3]}).")
        if missing:
            raise Mistake(f"The vocabulary is missing tokens such as {missing[:3]}: every distinct token of "
                          "every text needs an id.")
        if sorted(got.values()) != list(range(len(expected))):
            raise Mistake(f"The ids should be 0, 1, 2, ... {len(expected) - 1} with no gaps or repeats; did you "
                          "number every occurrence instead of every distinct token?")
        wrong = [t for t in expected if got[t] != expected[t]]
        if wrong:
            raise Mistake(f"The ids are not in sorted token order (e.g. {wrong[0]!r} has id {got[wrong[0]]}, "
                          f"expected {expected[wrong[0]]}): number sorted(set(tokens)) from 2 on.")


@checker("Each row is a float one-hot vector with its 1 at column ids[t], as rnn_lib.text.one_hot.")
def check_one_hot_encode(one_hot_encode) -> None:
    """Check ``one_hot_encode(ids, vocab_size) -> (T, V)`` floats against ``rnn_lib.text.one_hot``."""
    rng = np.random.default_rng(2)
    # a list, an array, one id (T = 1), the last id V - 1, V = 1, and no ids at all (T = 0)
    for ids, size in (([3, 0, 2, 3, 1], 6), (rng.integers(0, 9, size=12), 9), ([2], 3), (np.array([0, 4, 4, 1]), 5),
                      ([0, 0], 1), ([], 4)):
        expected = one_hot(np.asarray(ids, dtype=int), size)
        got = run(one_hot_encode, {"ids": ids, "vocab_size": size})
        if got is None:
            raise Mistake("Your function returned None: did you forget the `return` line?")
        if not isinstance(got, np.ndarray):
            raise Mistake(f"Your function returned a {type(got).__name__}; return a numpy array of shape (T, V), "
                          "e.g. start from np.zeros((len(ids), vocab_size)).")
        if got.shape != expected.shape:
            how = ("rows should be time steps and columns vocabulary entries"
                   if got.shape == expected.shape[::-1] else "one row per id and one column per vocabulary entry")
            raise Mistake(f"The result has shape {got.shape}, expected (T, V) = {expected.shape}: {how}.")
        if not np.array_equal(got.sum(axis=1), np.ones(len(expected))) or not np.isin(got, (0, 1)).all():
            raise Mistake("Every row needs exactly one 1 and zeros elsewhere.")
        if not np.array_equal(got, expected):
            t = int(np.argmax((got != expected).any(axis=1)))
            raise Mistake(f"Row {t} has its 1 in column {int(np.argmax(got[t]))}, but ids[{t}] = {int(ids[t])}: "
                          "put the 1 at column ids[t].")
        if got.dtype.kind != "f":
            raise Mistake(f"The values are right but the dtype is {got.dtype}; the rows should be floats "
                          "(np.zeros((T, V)) is float64 by default).")
