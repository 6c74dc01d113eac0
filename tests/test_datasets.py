"""Tests for rnn_lib.datasets: shipped data, the sentence generator, text loading."""

from __future__ import annotations

import collections
import string
from pathlib import Path

import numpy as np
import pytest

from rnn_lib import datasets
from rnn_lib.datasets import (
    FILLERS,
    NEGATIVE_WORDS,
    POSITIVE_WORDS,
    load_char_corpus,
    load_sentiment,
    load_text,
    make_sentiment,
)

# An independent copy of the sentiment rules, written out here on purpose so a
# mistake in the library's word lists cannot hide a mistake in the labels.
POSITIVE = {"good", "great", "happy", "fun", "nice", "calm", "fine"}
NEGATIVE = {"bad", "sad", "awful", "boring", "angry", "dull"}
NEGATORS = {"not", "never"}


SUBJECTS = {"the", "this", "i", "we", "they", "it"}


def rule_label(text: str) -> int | None:
    """Label a hand-written sentence with the documented rules.

    The part after the last "but" decides. Inside it, "not"/"never" flips the
    next sentiment words until an "and" or a new subject starts a new clause
    ("or" keeps the negation: "not bad or boring"). The deciding part is
    positive only if every sentiment word in it is positive, so a mixed
    sentence joined by "and" (or by nothing) is negative. Returns None if the
    deciding part has no sentiment word.
    """
    clause = text.split(" but ")[-1].split()
    negated = False
    votes = []
    for word in clause:
        if word in NEGATORS:
            negated = True
        elif word == "and" or word in SUBJECTS:
            negated = False
        elif word in POSITIVE or word in NEGATIVE:
            votes.append((word in POSITIVE) != negated)
    return int(all(votes)) if votes else None


@pytest.fixture(scope="module")
def splits() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    return load_sentiment()


# --- hand-written sentiment data --------------------------------------------


def test_split_sizes_and_label_types(splits):
    train, test = splits
    assert len(train) >= 160
    assert len(test) >= 55
    for text, label in train + test:
        assert type(text) is str
        assert type(label) is int
        assert label in (0, 1)


@pytest.mark.parametrize("index", [0, 1], ids=["train", "test"])
def test_labels_roughly_balanced(splits, index):
    labels = [label for _, label in splits[index]]
    assert set(labels) == {0, 1}
    assert 0.4 <= sum(labels) / len(labels) <= 0.6


def test_first_example_matches_file_order(splits):
    train, test = splits
    assert train[0] == ("the film was good", 1)
    assert test[-1][0] == "the trip was terrible but today we are happy"


def test_texts_are_clean_lower_case_and_short(splits):
    for text, _ in splits[0] + splits[1]:
        assert text == text.lower() == text.strip()
        assert "\t" not in text and "  " not in text
        assert 2 <= len(text.split()) <= 10


def test_no_duplicates_and_no_leakage(splits):
    train, test = splits
    train_texts = [text for text, _ in train]
    test_texts = [text for text, _ in test]
    assert len(set(train_texts)) == len(train_texts)
    assert len(set(test_texts)) == len(test_texts)
    assert not set(train_texts) & set(test_texts)


def test_small_vocabulary(splits):
    vocab = {word for text, _ in splits[0] for word in text.split()}
    assert 40 <= len(vocab) <= 70


def test_three_to_five_test_sentences_have_an_unseen_word(splits):
    train, test = splits
    train_words = {word for text, _ in train for word in text.split()}
    with_unseen = [text for text, _ in test if set(text.split()) - train_words]
    assert 3 <= len(with_unseen) <= 5
    for text in with_unseen:
        assert len(set(text.split()) - train_words) == 1, text


def test_hand_written_labels_follow_the_rules(splits):
    wrong = [(text, label) for text, label in splits[0] + splits[1] if rule_label(text) != label]
    assert wrong == []


def test_rule_label_helper_itself():
    assert rule_label("the film was not bad") == 1
    assert rule_label("i was sad but now i am happy") == 1
    assert rule_label("it was not bad and it was fun") == 1
    assert rule_label("the meal was not good or nice") == 0
    assert rule_label("the film was good and bad") == 0
    assert rule_label("the trip was fun and the weather was awful") == 0
    assert rule_label("the weather was awful and the trip was fun") == 0
    assert rule_label("the weather was awful the trip was fun") == 0
    assert rule_label("the weather was awful but the trip was fun") == 1
    assert rule_label("we were not sad the game was fun") == 1
    assert rule_label("the film was") is None


def test_parser_skips_comments_and_blank_lines_and_rejects_bad_lines():
    text = "# header\n\n1\tthe film was good\n   \n0\tthe meal was bad\n"
    assert datasets._parse_labelled_lines(text, "x.tsv") == [
        ("the film was good", 1),
        ("the meal was bad", 0),
    ]
    with pytest.raises(ValueError, match=r"x\.tsv, line 2: expected 'label<TAB>text'"):
        datasets._parse_labelled_lines("1\tok\n2\tbad label\n", "x.tsv")
    with pytest.raises(ValueError, match="line 1"):
        datasets._parse_labelled_lines("1 no tab here\n", "x.tsv")


# --- generator ---------------------------------------------------------------


def generator_label(text: str) -> int:
    """Independent rule: the one polarity word, XOR whether "not" is present."""
    words = text.split()
    polar = [word for word in words if word in POSITIVE or word in NEGATIVE]
    assert len(polar) == 1, text
    return int((polar[0] in POSITIVE) != ("not" in words))


def test_library_word_lists_match_independent_ones():
    assert POSITIVE_WORDS == POSITIVE
    assert NEGATIVE_WORDS == NEGATIVE
    assert not set(FILLERS) & (POSITIVE | NEGATIVE | NEGATORS)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("distance", [0, 1, 3, 20])
def test_generator_labels_match_independent_rule(seed, distance):
    data = make_sentiment(200, seed=seed, distance=distance)
    assert len(data) == 200
    for text, label in data:
        assert type(label) is int
        assert label == generator_label(text), text


@pytest.mark.parametrize("distance", [0, 1, 5, 20])
def test_distance_puts_exactly_that_many_fillers_before_the_sentiment_word(distance):
    data = make_sentiment(300, seed=7, distance=distance)
    for text, _ in data:
        words = text.split()
        polar_index = next(i for i, w in enumerate(words) if w in POSITIVE | NEGATIVE)
        assert polar_index == len(words) - 1
        gap = words[polar_index - distance : polar_index]
        assert len(gap) == distance and all(w in FILLERS for w in gap)
        if "not" in words:
            assert words.index("not") == polar_index - distance - 1
        # exactly `distance` fillers in the whole sentence, none before the verb
        assert sum(w in FILLERS for w in words) == distance


def test_same_seed_same_data_different_seed_different_data():
    assert make_sentiment(100, seed=3, distance=4) == make_sentiment(100, seed=3, distance=4)
    assert make_sentiment(100, seed=3) != make_sentiment(100, seed=4)


def test_generator_does_not_touch_global_numpy_state():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    make_sentiment(50, seed=0)
    assert np.random.random() == expected


@pytest.mark.parametrize("distance", [1, 5])
def test_length_does_not_reveal_label(distance):
    data = make_sentiment(6000, seed=11, distance=distance)
    counts = {0: collections.Counter(), 1: collections.Counter()}
    for text, label in data:
        counts[label][len(text.split())] += 1
    assert set(counts[0]) == set(counts[1])
    totals = {label: sum(counts[label].values()) for label in (0, 1)}
    for length in counts[0]:
        share_0 = counts[0][length] / totals[0]
        share_1 = counts[1][length] / totals[1]
        assert abs(share_0 - share_1) < 0.03, length


def test_length_depends_only_on_subject_and_negation():
    for distance in (0, 2, 9):
        for text, _ in make_sentiment(200, seed=1, distance=distance):
            words = text.split()
            subject_len = 2 if words[0] in ("the", "this") else 1
            assert len(words) == subject_len + 2 + distance + ("not" in words)


def test_negation_rate_extremes_and_balance():
    assert all("not" not in t.split() for t, _ in make_sentiment(200, negation_rate=0.0))
    assert all("not" in t.split() for t, _ in make_sentiment(200, negation_rate=1))
    for rate in (0.0, 0.3, 1.0):
        labels = [label for _, label in make_sentiment(4000, seed=2, negation_rate=rate)]
        assert 0.45 < np.mean(labels) < 0.55
    negated = [t for t, _ in make_sentiment(4000, seed=2, negation_rate=0.3) if "not" in t]
    assert 0.27 < len(negated) / 4000 < 0.33


def test_generator_accepts_numpy_integers():
    assert len(make_sentiment(np.int64(5), distance=np.int32(2))) == 5


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n": 0}, r"n must be an integer >= 1, got 0"),
        ({"n": -3}, r"n must be an integer >= 1, got -3"),
        ({"n": 2.5}, r"n must be an integer >= 1, got 2\.5 \(float\)"),
        ({"n": True}, r"n must be an integer >= 1, got True \(bool\)"),
        ({"n": 5, "distance": -1}, r"distance must be an integer >= 0, got -1"),
        ({"n": 5, "distance": 1.0}, r"distance must be an integer >= 0, got 1\.0"),
        (
            {"n": 5, "negation_rate": 1.5},
            r"negation_rate must be a probability between 0 and 1, got 1\.5",
        ),
        ({"n": 5, "negation_rate": -0.1}, r"negation_rate .* got -0\.1"),
        ({"n": 5, "negation_rate": float("nan")}, r"negation_rate .* got nan"),
        ({"n": 5, "negation_rate": "0.5"}, r"negation_rate .* got '0\.5'"),
    ],
)
def test_generator_rejects_bad_arguments(kwargs, pattern):
    # A wrong type is a TypeError, a wrong value a ValueError; both name the argument.
    with pytest.raises((TypeError, ValueError), match=pattern):
        make_sentiment(**kwargs)


# --- character corpus and user text -------------------------------------------


def test_char_corpus_is_plain_ascii_prose():
    corpus = load_char_corpus()
    assert 100_000 <= len(corpus) <= 300_000  # generated stories: big enough to beat counting, small to ship
    allowed = set(string.printable) - set("\t\r\x0b\x0c")
    assert set(corpus) <= allowed
    assert corpus.endswith("\n")
    assert "\n\n" in corpus  # paragraphs
    assert len(set(corpus)) < 70  # a small alphabet for a small model
    assert corpus.count(" the ") > 100  # common words repeat a lot


def test_load_text_reads_utf8_and_normalises_newlines(tmp_path):
    file = tmp_path / "poem.txt"
    file.write_bytes("caf\u00e9 au lait\r\nsecond line\n".encode())
    assert load_text(file) == "caf\u00e9 au lait\nsecond line\n"
    assert load_text(str(file)) == load_text(file)
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfhello")
    assert load_text(bom) == "hello"


def test_load_text_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(FileNotFoundError, match=r"nope\.txt.*check the path"):
        load_text(missing)


def test_load_text_directory(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        load_text(tmp_path)


def test_load_text_not_utf8(tmp_path):
    file = tmp_path / "latin1.txt"
    file.write_bytes("na\u00efve caf\u00e9".encode("latin-1"))
    with pytest.raises(ValueError, match="must be UTF-8 text"):
        load_text(file)


@pytest.mark.parametrize("content", [b"", b"  \n\n\t "])
def test_load_text_empty(tmp_path, content):
    file = tmp_path / "empty.txt"
    file.write_bytes(content)
    with pytest.raises(ValueError, match="is empty; a language model needs text to learn from"):
        load_text(file)


@pytest.mark.parametrize("bad", [None, 42, b"file.txt", ["file.txt"]])
def test_load_text_wrong_type(bad):
    with pytest.raises(TypeError, match="path must be a string or a pathlib.Path"):
        load_text(bad)


def test_shipped_files_have_a_licence():
    data_dir = Path(datasets.__file__).parent / "data"
    licence = (data_dir / "LICENSE-data.txt").read_text(encoding="utf-8")
    assert "CC0 1.0" in licence
    for name in ("sentiment_train.tsv", "sentiment_test.tsv", "char_corpus.txt"):
        assert name in licence
        assert (data_dir / name).is_file()


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"n": 2.5}, TypeError, "n must be an integer"),
    ({"n": 10**12}, ValueError, "n must be at most 10,000,000"),
    ({"n": 5, "seed": -1}, ValueError, "seed must be an integer >= 0, got -1"),
    ({"n": 5, "seed": 1.5}, TypeError, "seed must be an integer"),
    ({"n": 5, "distance": 10**9}, ValueError, "distance must be at most 1000"),
    ({"n": 5, "negation_rate": "0.5"}, TypeError, "negation_rate"),
])
def test_generator_error_types(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        make_sentiment(**kwargs)


def test_load_text_empty_path():
    # Path("") is the current folder, which used to give a confusing "'.' is a directory".
    with pytest.raises(ValueError, match="path is empty"):
        load_text("")
