"""Tests for rnn_lib.text: tokenising, the vocabulary, one-hot rows and padded batches.

Every expected value below is written out by hand from the rules in the docstrings, never printed by
the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.text import PAD, UNK, Vocabulary, one_hot, pad_batch, tokenize

# --- tokenize -------------------------------------------------------------------------------------

def test_tokenize_splits_punctuation_and_lowers_case():
    assert tokenize("Not bad, really!") == ["not", "bad", ",", "really", "!"]


def test_tokenize_keeps_apostrophes_and_digits_inside_words():
    assert tokenize("I didn't like 2 of them.") == ["i", "didn't", "like", "2", "of", "them", "."]


def test_tokenize_ignores_extra_whitespace():
    assert tokenize("  good \t\n film  ") == ["good", "film"]


def test_tokenize_keeps_accented_letters_inside_words():
    assert tokenize("Café NAÏVE, über-good") == ["café", "naïve", ",", "über", "-", "good"]


def test_tokenize_each_punctuation_mark_is_its_own_token():
    assert tokenize("wow!!") == ["wow", "!", "!"]


# --- Vocabulary -----------------------------------------------------------------------------------

@pytest.fixture
def word_vocab():
    return Vocabulary.from_texts(["the film was good", "The film was bad!"])


def test_vocabulary_reserves_pad_and_unk_then_sorted_tokens(word_vocab):
    assert word_vocab.itos == [PAD, UNK, "!", "bad", "film", "good", "the", "was"]
    assert word_vocab.pad_id == 0
    assert word_vocab.unk_id == 1
    assert len(word_vocab) == 8
    assert word_vocab.stoi == {token: i for i, token in enumerate(word_vocab.itos)}


def test_vocabulary_contains(word_vocab):
    assert "film" in word_vocab
    assert "movie" not in word_vocab


def test_vocabulary_is_independent_of_text_order():
    forward = Vocabulary.from_texts(["b a", "c"])
    backward = Vocabulary.from_texts(["c", "a b"])
    assert forward.itos == backward.itos == [PAD, UNK, "a", "b", "c"]


def test_min_freq_drops_rare_tokens():
    vocab = Vocabulary.from_texts(["a b a", "c a b"], min_freq=2)
    assert vocab.itos == [PAD, UNK, "a", "b"]       # a: 3 times, b: 2 times, c: once


def test_encode_maps_unknown_words_to_unk(word_vocab):
    assert word_vocab.encode("the film was great") == [6, 4, 7, 1]


def test_encode_strict_accepts_known_words(word_vocab):
    assert word_vocab.encode("Good film!", strict=True) == [5, 4, 2]


def test_decode_drops_padding_and_joins_words(word_vocab):
    assert word_vocab.decode([6, 4, 7, 3, 0, 0]) == "the film was bad"


def test_decode_accepts_numpy_arrays(word_vocab):
    assert word_vocab.decode(np.array([[5, 4]])) == "good film"


def test_encode_then_decode_round_trip(word_vocab):
    text = "the film was bad !"
    assert word_vocab.decode(word_vocab.encode(text)) == text


def test_tokens_at_word_level(word_vocab):
    assert word_vocab.tokens("Film, good") == ["film", ",", "good"]


def test_char_level_vocabulary():
    vocab = Vocabulary.from_texts(["abca", "b d"], level="char")
    assert vocab.itos == [PAD, UNK, " ", "a", "b", "c", "d"]
    assert vocab.level == "char"
    assert vocab.tokens("Ab") == ["A", "b"]             # characters keep their case
    assert vocab.encode("cab") == [5, 3, 4]
    assert vocab.encode("cAb") == [5, 1, 4]
    assert vocab.decode([5, 3, 4, 0]) == "cab"          # characters join with nothing between them


def test_whitespace_is_text_at_char_level_only():
    # A space or a newline is a character the model reads and writes, so a prompt of spaces is valid.
    chars = Vocabulary.from_texts(["a b\n"], level="char")
    assert chars.itos == [PAD, UNK, "\n", " ", "a", "b"]
    assert chars.encode(" \n ") == [3, 2, 3]
    with pytest.raises(ValueError, match="empty"):
        chars.encode("")
    with pytest.raises(ValueError, match="empty"):
        Vocabulary.from_texts(["a b"]).encode(" \n ")


def test_vocabulary_one_hot_rows(word_vocab):
    rows = word_vocab.one_hot([2, 7])
    expected = np.zeros((2, 8))
    expected[0, 2] = expected[1, 7] = 1.0
    np.testing.assert_array_equal(rows, expected)


def test_repr_names_size_and_level(word_vocab):
    assert "8 tokens" in repr(word_vocab) and "word" in repr(word_vocab)


# --- one_hot --------------------------------------------------------------------------------------

def test_one_hot_golden():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_one_hot_keeps_leading_shape():
    ids = np.array([[0, 3], [2, 2]])
    rows = one_hot(ids, 4)
    assert rows.shape == (2, 2, 4)
    for index in np.ndindex(ids.shape):
        assert rows[index].sum() == 1.0 and rows[index][ids[index]] == 1.0


# --- pad_batch ------------------------------------------------------------------------------------

def test_pad_batch_golden():
    ids, mask = pad_batch([[5, 6, 7], [8], [9, 4]])
    np.testing.assert_array_equal(ids, [[5, 6, 7], [8, 0, 0], [9, 4, 0]])
    np.testing.assert_array_equal(mask, [[True, True, True], [True, False, False], [True, True, False]])
    assert ids.dtype == np.int64
    assert mask.dtype == bool


def test_pad_batch_uses_the_given_pad_id():
    ids, mask = pad_batch([[1], [2, 3]], pad_id=9)
    np.testing.assert_array_equal(ids, [[1, 9], [2, 3]])
    np.testing.assert_array_equal(mask, [[True, False], [True, True]])


def test_pad_batch_of_equal_lengths_has_a_full_mask():
    ids, mask = pad_batch([[1, 2], [3, 4]])
    np.testing.assert_array_equal(ids, [[1, 2], [3, 4]])
    assert mask.all()
