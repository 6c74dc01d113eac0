"""Tests for rnn_lib.models: SentimentRNN and CharRNN on hand-set weights whose outputs we can work out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib.models import Batch, CharRNN, SentimentRNN
from rnn_lib.text import Vocabulary, pad_batch

# --- a SentimentRNN small enough to follow on paper -----------------------------------------------


@pytest.fixture
def tiny_classifier():
    vocab = Vocabulary.from_texts(["good film", "bad"])
    assert vocab.itos == ["<pad>", "<unk>", "bad", "film", "good"]
    model = SentimentRNN(vocab, hidden_size=2, num_classes=2)
    model.params["Wxh"][...] = [[0.0, 0.0, -1.0, 0.2, 1.0],      # one column per token id
                                [0.0, 0.0, 0.5, 0.1, -0.5]]
    model.params["Whh"][...] = [[0.5, 0.0], [0.25, -0.5]]
    model.params["bh"][...] = [0.0, 0.1]
    model.params["Why"][...] = [[1.0, 0.0], [0.0, 2.0]]
    model.params["by"][...] = [0.0, 0.5]
    return model


def hand_states_good_film():
    a, b = math.tanh(1.0), math.tanh(-0.5 + 0.1)                                # "good"
    c, d = math.tanh(0.2 + 0.5 * a), math.tanh(0.1 + 0.25 * a - 0.5 * b + 0.1)   # "film"
    return [[a, b], [c, d]]


def hand_softmax(scores):
    exps = [math.exp(s) for s in scores]
    return [e / sum(exps) for e in exps]


def test_sentiment_hidden_states_golden(tiny_classifier):
    np.testing.assert_allclose(tiny_classifier.hidden_states("good film"), hand_states_good_film(), rtol=0, atol=1e-15)


def test_sentiment_forward_golden_on_a_padded_batch(tiny_classifier):
    (_, _), (c, d) = hand_states_good_film()
    e, f = math.tanh(-1.0), math.tanh(0.5 + 0.1)                                # "bad", then padding
    batch = tiny_classifier.make_batch([("good film", 1), ("bad", 0)])
    np.testing.assert_array_equal(batch.ids, [[4, 3], [2, 0]])
    np.testing.assert_array_equal(batch.mask, [[True, True], [True, False]])
    np.testing.assert_array_equal(batch.labels, [1, 0])
    logits, _ = tiny_classifier.forward(batch.ids, batch.mask)
    expected = [[c, 2 * d + 0.5], [e, 2 * f + 0.5]]
    np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-15)
    probs = tiny_classifier.predict_proba(["good film", "bad"])
    np.testing.assert_allclose(probs, [hand_softmax(row) for row in expected], rtol=1e-14)
    loss, grads = tiny_classifier.loss(batch)
    p = [hand_softmax(row) for row in expected]
    assert loss == pytest.approx(-(math.log(p[0][1]) + math.log(p[1][0])) / 2, rel=1e-14)
    assert set(grads) == set(tiny_classifier.params)


def test_sentiment_predict_evaluate_agree_with_probabilities(tiny_classifier):
    texts = ["good film", "bad", "film", "good good bad"]
    probs = tiny_classifier.predict_proba(texts)
    np.testing.assert_array_equal(tiny_classifier.predict(texts), probs.argmax(axis=1))
    labels = [1, 1, 0, 0]
    loss, accuracy = tiny_classifier.evaluate(list(zip(texts, labels, strict=True)))
    assert accuracy == pytest.approx(np.mean(probs.argmax(axis=1) == labels))
    assert loss == pytest.approx(-np.mean([math.log(probs[i, label]) for i, label in enumerate(labels)]), rel=1e-12)


def test_encode_pads_a_list_of_texts(tiny_classifier):
    ids, mask = tiny_classifier.encode(["good film", "bad", "great film !"])
    # good=4 film=3 bad=2; "great" and "!" are unknown (1); padding is 0.
    np.testing.assert_array_equal(ids, [[4, 3, 0], [2, 0, 0], [1, 3, 1]])
    np.testing.assert_array_equal(mask, [[True, True, False], [True, False, False], [True, True, True]])
    one_ids, one_mask = tiny_classifier.encode("bad film")
    np.testing.assert_array_equal(one_ids, [[2, 3]])
    assert one_mask.all()


def test_predict_proba_accepts_one_string(tiny_classifier):
    assert tiny_classifier.predict_proba("good film").shape == (1, 2)


def test_unknown_words_read_as_unk(tiny_classifier):
    # The <unk> column of Wxh is zero in the fixture, so "great" acts like a zero input.
    np.testing.assert_allclose(tiny_classifier.hidden_states("great")[0], np.tanh([0.0, 0.1]), rtol=0, atol=1e-15)


def test_make_batch_returns_a_batch_and_accepts_bool_labels(tiny_classifier):
    batch = tiny_classifier.make_batch([("good", True), ("bad", False)])
    assert isinstance(batch, Batch)
    np.testing.assert_array_equal(batch.labels, [1, 0])


# --- construction ---------------------------------------------------------------------------------

def test_init_follows_torch_rnn_bounds_and_zero_biases():
    model = SentimentRNN(50, hidden_size=16, num_classes=3, seed=1)
    bound = 1 / math.sqrt(16)
    assert model.params["Wxh"].shape == (16, 50)
    assert model.params["Whh"].shape == (16, 16)
    assert model.params["bh"].shape == (16,)
    assert model.params["Why"].shape == (3, 16)
    assert model.params["by"].shape == (3,)
    for name in ("Wxh", "Whh", "Why"):
        weights = model.params[name]
        assert np.abs(weights).max() <= bound
        assert np.abs(weights).max() > 0.8 * bound      # really uniform over the range, not squeezed
        assert abs(weights.mean()) < 0.1 * bound
    assert not model.params["bh"].any() and not model.params["by"].any()


def test_same_seed_same_weights_other_seed_other_weights():
    first, second, other = SentimentRNN(20, 8, seed=3), SentimentRNN(20, 8, seed=3), SentimentRNN(20, 8, seed=4)
    for name in first.params:
        np.testing.assert_array_equal(first.params[name], second.params[name])
    assert not np.array_equal(first.params["Whh"], other.params["Whh"])


def test_num_parameters_counts_every_weight():
    V, H, K = 30, 7, 3
    assert SentimentRNN(V, H, num_classes=K).num_parameters() == H * V + H * H + H + K * H + K
    assert CharRNN(V, H).num_parameters() == H * V + H * H + H + V * H + V


def test_repr_names_the_sizes():
    # 4*12 (Wxh) + 4*4 (Whh) + 4 (bh) + 12*4 (Why) + 12 (by) = 128
    assert repr(CharRNN(12, 4)) == "CharRNN(vocab_size=12, hidden_size=4, output_size=12, parameters=128)"


def test_float32_model_stays_float32():
    model = SentimentRNN(10, hidden_size=4, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in model.params.values())
    logits, _ = model.forward(np.array([[3, 4, 5]]))
    assert logits.dtype == np.float32


def test_model_from_a_vocabulary_size_works_on_ids():
    model = SentimentRNN(12, hidden_size=4)
    logits, cache = model.forward(np.array([[1, 5, 11], [2, 0, 0]]), np.array([[True] * 3, [True, False, False]]))
    assert logits.shape == (2, 2)
    grads = model.backward(np.ones_like(logits), cache)
    assert {name: g.shape for name, g in grads.items()} == {name: p.shape for name, p in model.params.items()}


# --- CharRNN --------------------------------------------------------------------------------------

@pytest.fixture
def char_model():
    vocab = Vocabulary.from_texts(["the cat sat on the mat"], level="char")
    return CharRNN(vocab, hidden_size=8, seed=0)


def test_char_forward_shapes(char_model):
    V = len(char_model.vocab)
    logits, (hs, *_) = char_model.forward(np.ones((3, 5), dtype=int))
    assert logits.shape == (3, 5, V)
    assert hs.shape == (3, 5, 8)


def test_char_loss_carries_the_state_between_chunks(char_model):
    ids = np.array([char_model.vocab.encode("the cat sat on")])
    inputs, targets = ids[:, :-1], ids[:, 1:]
    whole, _ = char_model.forward(inputs)
    loss1, _, h_mid = char_model.loss((inputs[:, :6], targets[:, :6]))
    second, _ = char_model.forward(inputs[:, 6:], h0=h_mid)
    np.testing.assert_allclose(second, whole[:, 6:], rtol=0, atol=1e-14)
    loss2, _, h_end = char_model.loss((inputs[:, 6:], targets[:, 6:]), h_mid)
    full_loss, _, h_full = char_model.loss((inputs, targets))
    n1, n2 = 6, inputs.shape[1] - 6
    assert full_loss == pytest.approx((loss1 * n1 + loss2 * n2) / (n1 + n2), rel=1e-13)
    np.testing.assert_allclose(h_end, h_full, rtol=0, atol=1e-14)


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size(char_model):
    for value in char_model.params.values():
        value[...] = 0.0                       # every score equal: each of the V symbols gets 1/V
    assert char_model.perplexity("the cat sat") == pytest.approx(len(char_model.vocab), rel=1e-12)


def test_perplexity_is_exp_of_the_mean_cross_entropy(char_model):
    text = "the cat sat on the mat"
    ids = np.array(char_model.vocab.encode(text))
    logits, _ = char_model.forward(ids[None, :-1])
    scores = logits[0]
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    expected = math.exp(-np.mean(log_probs[np.arange(len(ids) - 1), ids[1:]]))
    assert char_model.perplexity(text) == pytest.approx(expected, rel=1e-12)
    # Reading in short chunks carries the state over, so the answer does not change.
    assert char_model.perplexity(text, seq_length=4) == pytest.approx(expected, rel=1e-12)


def test_sample_emits_only_vocabulary_characters(char_model):
    allowed = set(char_model.vocab.itos[2:])
    text = char_model.sample("t", 200, rng=np.random.default_rng(0))
    assert len(text) == 200
    assert set(text) <= allowed


def test_sample_is_reproducible_with_the_same_rng_seed(char_model):
    first = char_model.sample("the", 50, rng=np.random.default_rng(5))
    again = char_model.sample("the", 50, rng=np.random.default_rng(5))
    other = char_model.sample("the", 50, rng=np.random.default_rng(6))
    assert first == again
    assert first != other


def test_sample_follows_a_dominant_score(char_model):
    vocab = char_model.vocab
    char_model.params["by"][vocab.stoi["m"]] = 50.0
    assert char_model.sample("c", 20, temperature=0.5, rng=np.random.default_rng(0)) == "m" * 20


def test_sample_never_emits_reserved_tokens_even_when_they_score_highest(char_model):
    vocab = char_model.vocab
    char_model.params["by"][[vocab.pad_id, vocab.unk_id]] = 30.0
    char_model.params["by"][vocab.stoi["a"]] = 1.0
    for temperature in (1.0, 0.01):
        text = char_model.sample("c", 20, temperature=temperature, rng=np.random.default_rng(0))
        assert len(text) == 20 and "<" not in text
    # At a low temperature the best real character wins.
    assert char_model.sample("c", 20, temperature=0.01, rng=np.random.default_rng(0)) == "a" * 20


def test_float32_models_keep_float32_gradients():
    # A float32 model must not silently promote its gradients (and optimizer state) to float64.
    ids, mask = pad_batch([[2, 3], [4, 5, 6]])
    classifier = SentimentRNN(10, hidden_size=4, dtype=np.float32)
    _, grads = classifier.loss(Batch(ids, mask, np.array([0, 1])))
    assert {name: g.dtype for name, g in grads.items()} == {name: np.dtype(np.float32) for name in grads}
    char_model = CharRNN(10, hidden_size=4, dtype=np.float32)
    _, grads, h_last = char_model.loss((ids, ids))
    assert {name: g.dtype for name, g in grads.items()} == {name: np.dtype(np.float32) for name in grads}
    assert h_last.dtype == np.float32
