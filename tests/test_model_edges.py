"""The models at their edges: exact sampling, bad settings, NaN weights, T=0, sizes too large for memory."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnn_lib.models import Batch, CharRNN, SentimentRNN
from rnn_lib.text import Vocabulary, pad_batch

TEXT = "the cat sat on the mat; a bat ate the hat"


@pytest.fixture
def char_model():
    model = CharRNN(Vocabulary.from_texts([TEXT], level="char"), hidden_size=12, seed=5)
    rng = np.random.default_rng(1)
    for value in model.params.values():        # large weights: the next character depends on every earlier one
        value[...] = rng.normal(scale=1.5, size=value.shape)
    return model


def greedy_by_hand(model, prompt, n):
    """The most likely continuation, worked out with a plain loop over columns (independent of the library)."""
    p, vocab = model.params, model.vocab
    h = np.zeros(model.hidden_size)
    for i in vocab.encode(prompt):
        h = np.tanh(p["Wxh"][:, i] + p["Whh"] @ h + p["bh"])
    out = []
    for _ in range(n):
        scores = p["Why"] @ h + p["by"]
        scores[[vocab.pad_id, vocab.unk_id]] = -np.inf
        out.append(int(np.argmax(scores)))
        h = np.tanh(p["Wxh"][:, out[-1]] + p["Whh"] @ h + p["bh"])
    return vocab.decode(out)


@pytest.mark.parametrize("prompt", ["t", "th", "the ca", "a bat", "mat;"])
def test_sample_reads_each_prompt_character_once(char_model, prompt):
    # A tiny temperature makes sampling greedy; reading the prompt's last character twice changes the state.
    got = char_model.sample(prompt, 12, temperature=1e-12, rng=np.random.default_rng(0))
    assert got == greedy_by_hand(char_model, prompt, 12)


def test_feeding_the_last_prompt_character_twice_would_be_caught(char_model):
    # The test above can fail: for these prompts the doubled read gives another continuation.
    differs = [greedy_by_hand(char_model, prompt, 12) != greedy_by_hand(char_model, prompt + prompt[-1], 12)
               for prompt in ["t", "th", "the ca", "a bat", "mat;"]]
    assert sum(differs) >= 3


@pytest.mark.parametrize("temperature", [1e-6, 1e-300, 5e-324])
def test_tiny_temperatures_pick_the_top_character_without_numpy_errors(char_model, temperature):
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no overflow or invalid-value warning from numpy either
        got = char_model.sample("the", 8, temperature=temperature, rng=np.random.default_rng(0))
    assert got == greedy_by_hand(char_model, "the", 8)


def test_a_huge_temperature_samples_every_real_character_alike(char_model):
    text = char_model.sample("t", 4000, temperature=1e300, rng=np.random.default_rng(0))
    counts = np.array([text.count(c) for c in char_model.vocab.itos[2:]])
    expected = 4000 / len(counts)
    assert counts.min() > 0.6 * expected and counts.max() < 1.4 * expected


@pytest.mark.parametrize("temperature", [math.inf, -math.inf])
def test_infinite_temperature_is_refused(char_model, temperature):
    with pytest.raises(ValueError, match="temperature must be a number greater than 0"):
        char_model.sample("t", 3, temperature=temperature)


@pytest.mark.parametrize("rng", [0, 42, "seed", np.random.RandomState(0)])
def test_rng_must_be_a_generator(char_model, rng):
    with pytest.raises(TypeError, match=r"rng must be a np.random.Generator such as np.random.default_rng\(0\)"):
        char_model.sample("t", 3, rng=rng)


# --- NaN weights --------------------------------------------------------------------------------

@pytest.fixture
def classifier():
    return SentimentRNN(Vocabulary.from_texts(["good film", "bad film"]), hidden_size=4)


@pytest.mark.parametrize("name", ["Wxh", "Whh", "bh", "Why", "by"])
def test_nan_weights_never_predict_silently(classifier, char_model, name):
    classifier.params[name].flat[0] = np.nan
    char_model.params[name].flat[-1] = np.inf
    for call in (lambda: classifier.predict(["good film"]), lambda: classifier.predict_proba("bad"),
                 lambda: classifier.evaluate([("good film", 1)]), lambda: classifier.hidden_states("good")):
        with pytest.raises(ValueError, match=f"SentimentRNN's parameter {name} holds NaN or inf"):
            call()
    for call in (lambda: char_model.sample("t", 3), lambda: char_model.perplexity("the cat")):
        with pytest.raises(ValueError, match=f"CharRNN's parameter {name} holds NaN or inf"):
            call()


def test_load_refuses_a_file_with_non_finite_weights(classifier, tmp_path):
    classifier.params["Whh"][1, 1] = np.nan
    classifier.save(tmp_path / "nan.npz")
    with pytest.raises(ValueError, match="holds NaN, inf or non-numbers in Whh"):
        SentimentRNN.load(tmp_path / "nan.npz")


# --- construction settings ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [int, np.int32, bool, np.complex128, "U3", "nonsense"])
def test_a_non_float_dtype_is_refused(dtype):
    with pytest.raises(TypeError, match="dtype must be a floating-point type"):
        SentimentRNN(10, hidden_size=3, dtype=dtype)


@pytest.mark.parametrize("seed", [np.int64(0), np.int32(7), np.uint8(3), 2**40])
def test_numpy_integer_seeds_work_and_save(seed, tmp_path):
    model = CharRNN(9, hidden_size=3, seed=seed)
    assert type(model.seed) is int and model.seed == int(seed)
    np.testing.assert_array_equal(model.params["Whh"], CharRNN(9, hidden_size=3, seed=int(seed)).params["Whh"])
    model.save(tmp_path / "m.npz")
    assert CharRNN.load(tmp_path / "m.npz").seed == int(seed)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), ("0", TypeError), (None, TypeError),
                                         (True, TypeError), (np.random.default_rng(0), TypeError)])
def test_bad_seeds_are_refused(seed, error):
    with pytest.raises(error, match="seed must be"):
        CharRNN(9, hidden_size=3, seed=seed)


def test_one_class_is_refused():
    with pytest.raises(ValueError, match="num_classes must be at least 2"):
        SentimentRNN(10, num_classes=1)


@pytest.mark.parametrize("make", [lambda: CharRNN(10**9, hidden_size=8), lambda: CharRNN(50, hidden_size=300_000),
                                  lambda: SentimentRNN(10**7, hidden_size=64)])
def test_a_model_too_large_for_memory_is_refused_before_allocating(make):
    with pytest.raises(ValueError, match="would need .* parameters .* the limit is"):
        make()


# --- sequences of no length, and masks ------------------------------------------------------------

def test_sequences_without_tokens_are_refused(classifier, char_model):
    with pytest.raises(ValueError, match=r"ids has shape \(2, 0\): it needs at least one sequence of at least one"):
        classifier.forward(np.zeros((2, 0), dtype=int))
    with pytest.raises(ValueError, match=r"inputs has shape \(1, 0\)"):
        char_model.loss((np.zeros((1, 0), dtype=int), np.zeros((1, 0), dtype=int)))
    with pytest.raises(ValueError, match=r"ids has shape \(0, 3\)"):
        classifier.forward(np.zeros((0, 3), dtype=int))


def test_the_classifier_needs_a_right_padded_boolean_mask(classifier):
    ids = np.array([[2, 3, 4], [2, 3, 0]])
    with pytest.raises(TypeError, match="mask must hold booleans"):
        classifier.forward(ids, np.array([[1, 1, 1], [1, 1, 0]]))
    with pytest.raises(ValueError, match="right-padded"):
        classifier.forward(ids, np.array([[True, False, True], [True, True, False]]))
    with pytest.raises(ValueError, match="row 1 of mask is all False"):
        classifier.forward(ids, np.array([[True, True, True], [False, False, False]]))


def test_each_sentence_is_read_at_its_last_real_word(classifier):
    # Reading one step too early or too late (index length - 2 or length) gives other scores.
    ids, mask = pad_batch([[2, 3, 4, 2], [4, 3], [3]])
    logits, _ = classifier.forward(ids, mask)
    for row, length in enumerate([4, 2, 1]):
        alone, _ = classifier.forward(ids[row : row + 1, :length])
        np.testing.assert_allclose(logits[row], alone[0], rtol=0, atol=1e-15)


def test_a_padded_batch_has_the_loss_and_gradients_of_its_sentences_one_by_one():
    # float64; the batch and the single runs add the same numbers in another order: 1e-12 covers rounding.
    model = SentimentRNN(8, hidden_size=5, num_classes=3, seed=4)
    rng = np.random.default_rng(2)
    for value in model.params.values():
        value[...] = rng.normal(scale=0.5, size=value.shape)
    sequences, labels = [[2, 3, 4, 5, 6], [7, 1], [3], [4, 4, 4]], [0, 2, 1, 2]
    ids, mask = pad_batch(sequences)
    loss, grads = model.loss(Batch(ids, mask, np.array(labels)))
    singles = [model.loss(Batch(np.array([seq]), np.ones((1, len(seq)), bool), np.array([label])))
               for seq, label in zip(sequences, labels, strict=True)]
    assert abs(loss - np.mean([single[0] for single in singles])) < 1e-12
    for name in model.params:
        np.testing.assert_allclose(grads[name], np.mean([single[1][name] for single in singles], axis=0),
                                   rtol=0, atol=1e-12, err_msg=name)


# --- Vocabulary.from_itos -------------------------------------------------------------------------

def test_from_itos_rebuilds_a_vocabulary_exactly():
    vocab = Vocabulary.from_texts([TEXT], level="char")
    again = Vocabulary.from_itos(vocab.itos, level="char")
    assert again.itos == vocab.itos and again.stoi == vocab.stoi and again.level == "char"
    assert again.encode("a hat") == vocab.encode("a hat")


@pytest.mark.parametrize("itos, error, message", [
    (["a", "<pad>", "<unk>"], ValueError, "must start with"),
    (["<pad>", "<unk>", "a", "a"], ValueError, "lists a token twice"),
    ("<pad><unk>", TypeError, "list of token strings"),
    (["<pad>", "<unk>", 3], TypeError, "list of token strings"),
])
def test_from_itos_refuses_lists_that_are_no_vocabulary(itos, error, message):
    with pytest.raises(error, match=message):
        Vocabulary.from_itos(itos)


# --- the carried state ----------------------------------------------------------------------------

def test_the_carried_state_is_a_copy_not_a_view_of_the_chunk(char_model):
    # A view would keep the whole chunk's (N, T, H) states alive and change if they were edited.
    ids = np.array([char_model.vocab.encode("the cat sat")])
    _, _, state = char_model.loss((ids[:, :-1], ids[:, 1:]))
    assert state.flags.owndata and state.shape == (1, 12)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_non_finite_initial_state_is_refused(char_model, bad):
    h0 = np.zeros((1, 12))
    h0[0, 3] = bad
    with pytest.raises(ValueError, match="the hidden state h0 holds NaN or inf"):
        char_model.forward(np.array([[2, 3]]), h0)
