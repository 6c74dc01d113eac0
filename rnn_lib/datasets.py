"""Small datasets for learning how a recurrent neural network works.

Everything here is tiny on purpose, so that a model trains in seconds on a
laptop and you can read the whole dataset yourself:

* :func:`load_sentiment` -- 275 hand-written sentences such as
  ``"the film was not bad"``, each labelled 1 (positive) or 0 (negative).
  The test sentences reuse the training words in new combinations, so a model
  only does well on them if it learned how words *combine* (negation, "but",
  two clauses of opposite sentiment joined by "and").
* :func:`make_sentiment` -- an endless supply of generated sentences with
  exactly known labels. Its ``distance`` argument pushes the word "not" away
  from the word it flips, which is how we show the vanishing-gradient problem.
* :func:`load_char_corpus` -- about 150 KB of generated short stories for a
  character-level language model.
* :func:`load_text` -- read your own UTF-8 text file, with friendly errors.

All shipped data was written for this project and is released under CC0 1.0
(see ``rnn_lib/data/LICENSE-data.txt``).
"""

from __future__ import annotations

import os
from importlib import resources
from numbers import Real
from pathlib import Path

import numpy as np

__all__ = [
    "FILLERS",
    "NEGATIVE_WORDS",
    "POSITIVE_WORDS",
    "load_char_corpus",
    "load_sentiment",
    "load_text",
    "make_sentiment",
]

_PACKAGE = "rnn_lib"
_DATA_DIR = "data"

# --- vocabulary of the generator -------------------------------------------
# Subjects that describe a person take "feeling" adjectives; the others take
# adjectives that describe a thing. Each subject comes with its present and
# past form of "to be", so sentences stay grammatical.
_PEOPLE = (("i", "am", "was"), ("we", "are", "were"), ("they", "are", "were"))
_THINGS = tuple(
    (subject, "is", "was")
    for subject in (
        "the film",
        "the meal",
        "the game",
        "the trip",
        "this book",
        "the weather",
    )
)
_ADJECTIVES = {
    # (is_person, is_positive) -> adjectives
    (True, True): ("happy", "calm", "fine"),
    (True, False): ("sad", "angry"),
    (False, True): ("good", "great", "fun", "nice"),
    (False, False): ("bad", "awful", "boring", "dull"),
}
POSITIVE_WORDS: frozenset[str] = frozenset(_ADJECTIVES[True, True] + _ADJECTIVES[False, True])
"""Sentiment words the generator treats as positive."""
NEGATIVE_WORDS: frozenset[str] = frozenset(_ADJECTIVES[True, False] + _ADJECTIVES[False, False])
"""Sentiment words the generator treats as negative."""
FILLERS: tuple[str, ...] = ("really", "truly", "quite", "so", "very")
"""Polarity-neutral words used to pad the gap between "not" and the adjective."""


def _read_data_file(name: str) -> str:
    """Return the text of a file shipped in ``rnn_lib/data/``.

    ``importlib.resources`` finds the file inside the installed package, so
    this works from a source checkout, a wheel, or a zip file alike.
    """
    return resources.files(_PACKAGE).joinpath(_DATA_DIR).joinpath(name).read_text(encoding="utf-8")


def _parse_labelled_lines(text: str, source: str) -> list[tuple[str, int]]:
    """Parse ``label<TAB>text`` lines, skipping blank lines and ``#`` comments."""
    examples: list[tuple[str, int]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, tab, sentence = line.partition("\t")
        if not tab or label.strip() not in ("0", "1") or not sentence.strip():
            raise ValueError(f"{source}, line {line_number}: expected 'label<TAB>text' with label 0 or 1, got {line!r}")
        examples.append((sentence.strip(), int(label)))
    return examples


def load_sentiment() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Load the hand-written sentiment dataset.

    Returns ``(train, test)``. Each is a list of ``(text, label)`` pairs in
    file order, where ``text`` is a short lower-case sentence and ``label`` is
    the Python int 1 (positive) or 0 (negative)::

        >>> train, test = load_sentiment()
        >>> train[0]
        ('the film was good', 1)

    The labels follow a few simple rules, the same ones a person uses:

    * "not", "never" or "not at all" before a sentiment word flips it
      ("not bad" is positive);
    * in "X but Y" the part after "but" decides;
    * in "X and Y" both parts always agree.

    No test sentence appears in the training set. A handful of test sentences
    contain one word that never occurs in training (such as "superb"); the rest
    of the sentence still decides the label, which makes them a good place to
    look at how a model handles the unknown-word token ``<unk>``.
    """
    train = _parse_labelled_lines(_read_data_file("sentiment_train.tsv"), "sentiment_train.tsv")
    test = _parse_labelled_lines(_read_data_file("sentiment_test.tsv"), "sentiment_test.tsv")
    return train, test


def _check_int(name: str, value: object, minimum: int) -> int:
    """Return ``value`` if it is an int >= ``minimum``; else raise TypeError (not a whole number) or ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})")
    return int(value)


# make_sentiment keeps every sentence in a list: beyond this it would run for minutes and fill memory.
_MAX_GENERATED = 10_000_000


def make_sentiment(n: int, seed: int = 0, distance: int = 0, negation_rate: float = 0.5) -> list[tuple[str, int]]:
    """Generate ``n`` sentiment sentences whose labels are known exactly.

    Each sentence has the shape ``<subject> <verb> [not] <fillers> <adjective>``,
    for example ``"the film was not good"`` (label 0) or, with ``distance=2``,
    ``"we were not truly very sad"`` (label 1). The label is::

        label = adjective is positive  XOR  sentence contains "not"

    Args:
        n: how many sentences to make (an int from 1 to 10,000,000). Duplicates can occur.
        seed: seed (an int >= 0) for ``np.random.default_rng``; the same seed always gives
            the same sentences, and the global numpy random state is untouched.
        distance: how many neutral filler words (from :data:`FILLERS`) sit
            between "not" and the adjective it flips. Sentences without "not"
            get the same number of fillers in the same place, so the length of
            a sentence says nothing about its label. Raising ``distance`` makes
            the model carry the "not" further through time.
        negation_rate: probability (0 to 1) that a sentence contains "not".

    Returns:
        A list of ``(text, label)`` pairs, with label a Python int 0 or 1.
        Positive and negative adjectives are drawn equally often, so the two
        labels are balanced on average whatever ``negation_rate`` is.
    """
    n = _check_int("n", n, 1)
    if n > _MAX_GENERATED:
        raise ValueError(f"n must be at most {_MAX_GENERATED:,} (every sentence is kept in memory), got {n:,}")
    seed = _check_int("seed", seed, 0)
    distance = _check_int("distance", distance, 0)
    if distance > 1000:
        raise ValueError(f"distance must be at most 1000 filler words, got {distance}")
    if isinstance(negation_rate, bool) or not isinstance(negation_rate, Real):
        raise TypeError(f"negation_rate must be a probability between 0 and 1, got {negation_rate!r}")
    if not 0.0 <= float(negation_rate) <= 1.0:
        raise ValueError(f"negation_rate must be a probability between 0 and 1, got {negation_rate!r}")

    rng = np.random.default_rng(seed)
    subjects = _PEOPLE + _THINGS
    examples: list[tuple[str, int]] = []
    for _ in range(n):
        subject, present, past = subjects[rng.integers(len(subjects))]
        is_person = subject in ("i", "we", "they")
        positive = bool(rng.random() < 0.5)
        negated = bool(rng.random() < negation_rate)
        adjectives = _ADJECTIVES[is_person, positive]

        words = [subject, present if rng.random() < 0.5 else past]
        if negated:
            words.append("not")
        words.extend(FILLERS[i] for i in rng.integers(len(FILLERS), size=distance))
        words.append(adjectives[rng.integers(len(adjectives))])
        examples.append((" ".join(words), int(positive != negated)))
    return examples


def load_char_corpus() -> str:
    """Return the shipped story corpus (about 150 KB of plain ASCII) as one string.

    Short paragraphs about four people and their things, generated by
    ``tools/make_corpus.py``, with structure a short window of characters
    cannot see: quoted speech in the present tense and narration in the past,
    asides in brackets, and agreement across a relative clause ("The kites
    that Ana found by the bridge were ..."). Its small vocabulary lets a
    character RNN learn the spelling in seconds, so what remains to learn is
    that longer-range structure.
    """
    return _read_data_file("char_corpus.txt")


def load_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 text file of your own, e.g. to train a language model on it.

    Windows line endings (``\\r\\n``) are turned into ``\\n`` and a leading
    byte-order mark is dropped; everything else is returned unchanged.

    Raises:
        TypeError: ``path`` is not a string or path-like object.
        FileNotFoundError: nothing exists at ``path``.
        IsADirectoryError: ``path`` is a folder, not a file.
        ValueError: ``path`` is empty, the file is not valid UTF-8, or it holds no text at all.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a string or a pathlib.Path, got {type(path).__name__}: {path!r}")
    if not os.fspath(path):                         # Path("") would quietly mean the current folder
        raise ValueError("path is empty; give the name of a UTF-8 text file")
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(
            f"no file found at '{file}' (absolute: '{file.absolute()}'); "
            "check the path and the current working directory"
        )
    if file.is_dir():
        raise IsADirectoryError(f"'{file}' is a directory; give the path of a text file inside it")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"'{file}' could not be decoded as UTF-8 (bad byte at position {error.start}); "
            "the file must be UTF-8 text, so re-save it with UTF-8 encoding"
        ) from None
    if not text.strip():
        raise ValueError(
            f"'{file}' is empty; a language model needs text to learn from "
            "(the file holds no characters other than whitespace)"
        )
    return text.replace("\r\n", "\n")


# --- the memory task ---------------------------------------------------------
MEMORY_KEYS: tuple[str, str] = ("red", "blue")
"""The two key words of :func:`make_memory_task`: "red" means label 0, "blue" label 1."""
MEMORY_FILLERS: tuple[str, ...] = (
    "the", "a", "cat", "dog", "tree", "house", "road", "cup", "sits", "runs",
    "sees", "big", "small", "old", "new", "and", "then", "here", "there", "often",
)
"""The 20 distractor words of :func:`make_memory_task`; none of them says anything about the label."""

__all__ += ["MEMORY_FILLERS", "MEMORY_KEYS", "make_memory_task"]


def make_memory_task(n: int, distance: int, seed: int = 0, max_prefix: int = 10) -> list[tuple[str, int]]:
    """Generate ``n`` sentences whose label is decided by one word ``distance`` steps before the end.

    Each sentence is a random number (0 to ``max_prefix``) of distractor words, then a key word,
    "red" (label 0) or "blue" (label 1), then ``distance`` more distractors, for example
    ``"dog the blue cat then runs"`` (``distance=3``, label 1). Distractors are drawn uniformly and
    independently from :data:`MEMORY_FILLERS`, the same way whatever the label, so nothing but the
    key (not the length, not the last word, not any word count) tells the labels apart: a model must
    carry the key through ``distance`` steps to beat a coin flip.

    The prefix makes the key arrive at a different step, into a different state, in every sentence.
    Without it (``max_prefix=0``) every sentence starts with its key, and in our runs a vanilla RNN
    then carried the key over 30 steps as easily as an LSTM (see ``bench/README.md``).

    Args:
        n: how many sentences to make (an int >= 1). The labels are balanced: ``n // 2`` of one
            and ``n - n // 2`` of the other, in random order.
        distance: how many distractors follow the key (an int >= 0); the key sits exactly
            ``distance`` steps before the last word.
        seed: seed for ``np.random.default_rng``; the global numpy random state is untouched.
        max_prefix: the most distractors before the key (an int >= 0).

    Returns:
        A list of ``(text, label)`` pairs, with label a Python int 0 or 1.
    """
    n = _check_int("n", n, 1)
    distance = _check_int("distance", distance, 0)
    max_prefix = _check_int("max_prefix", max_prefix, 0)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)
    prefix_lengths = rng.integers(max_prefix + 1, size=n)
    examples = []
    for label, prefix in zip(labels, prefix_lengths, strict=True):
        before = rng.integers(len(MEMORY_FILLERS), size=prefix)
        after = rng.integers(len(MEMORY_FILLERS), size=distance)
        words = [MEMORY_FILLERS[i] for i in before] + [MEMORY_KEYS[label]] + [MEMORY_FILLERS[i] for i in after]
        examples.append((" ".join(words), int(label)))
    return examples
