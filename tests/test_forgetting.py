"""The measurements of notebook 07: per-step gradients agree with numerical ones, the experiment's bookkeeping."""

import numpy as np
import pytest

from rnn_lib import SentimentRNN
from rnn_lib.forgetting import MemoryResult, gradients_through_time, memory_data
from rnn_lib.gradcheck import numerical_gradient, rel_error
from rnn_lib.gru import gru_forward
from rnn_lib.layers import rnn_forward
from rnn_lib.losses import cross_entropy
from rnn_lib.lstm import lstm_forward

CELLS = ["rnn", "lstm", "gru"]


def _model(cell, vocab):
    try:
        return SentimentRNN(vocab, hidden_size=5, seed=3, cell=cell)
    except TypeError:
        if cell == "rnn":
            return SentimentRNN(vocab, hidden_size=5, seed=3)
        pytest.skip("SentimentRNN has no cell argument in this checkout")


def _last_state(model, x):
    """The last hidden state for float inputs x (N, T, V), from the public sequence functions."""
    p, N = model.params, x.shape[0]
    h0 = np.zeros((N, model.hidden_size))
    if getattr(model, "cell", "rnn") == "lstm":
        hs, _ = lstm_forward(x, h0, h0.copy(), p["Wx"], p["Wh"], p["b"])
    elif getattr(model, "cell", "rnn") == "gru":
        hs, _ = gru_forward(x, h0, p["Wx"], p["Wh"], p["bx"], p["bh"])
    else:
        hs, _ = rnn_forward(x, h0, p["Wxh"], p["Whh"], p["bh"])
    return hs[:, -1]


@pytest.mark.parametrize("cell", CELLS)
def test_input_gradients_match_numerical_ones(cell):
    train, _, vocab = memory_data(4, n_train=6, n_test=2)
    model = _model(cell, vocab)
    texts, labels = [t for t, _ in train[:2]], np.array([label for _, label in train[:2]])
    trace = gradients_through_time(model, texts, labels)
    ids, _ = model.encode(texts)
    x = np.eye(model.vocab_size)[ids]                     # (N, T, V) one-hot rows
    for n in range(len(texts)):
        def own_loss(n=n):
            logits = _last_state(model, x) @ model.params["Why"].T + model.params["by"]
            return cross_entropy(logits[n:n + 1], labels[n:n + 1])[0]

        numeric = np.linalg.norm(numerical_gradient(own_loss, x)[n], axis=1)   # (T,)
        assert rel_error(trace.inputs[n], numeric) < 1e-7, cell


@pytest.mark.parametrize("cell", CELLS)
def test_the_last_step_gradient_is_the_output_layer_pulled_back(cell):
    train, _, vocab = memory_data(3, n_train=4, n_test=2)
    model = _model(cell, vocab)
    texts, labels = [t for t, _ in train], np.array([label for _, label in train])
    trace = gradients_through_time(model, texts, labels)
    ids, _ = model.encode(texts)
    logits = _last_state(model, np.eye(model.vocab_size)[ids]) @ model.params["Why"].T + model.params["by"]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1                  # each text's own dL/dlogits
    assert np.allclose(trace.hidden[:, -1], np.linalg.norm(p @ model.params["Why"], axis=1))
    assert np.allclose(trace.steps_back()[0], trace.hidden[:, -1].mean())


def test_texts_of_different_lengths_are_refused():
    _, _, vocab = memory_data(3, n_train=4, n_test=2)
    model = SentimentRNN(vocab, hidden_size=4)
    with pytest.raises(ValueError, match="same length"):
        gradients_through_time(model, ["red a", "blue a a"], [0, 1])
    with pytest.raises(ValueError, match="one label per text"):
        gradients_through_time(model, ["red a", "blue a"], [0])


def test_the_table_rounds_means_and_ranges():
    result = MemoryResult({"rnn": {1: [1.0, 0.5], 5: [0.5, 0.5]}, "lstm": {1: [1.0, 1.0], 5: [0.75, 1.0]}}, {})
    lines = result.table().splitlines()
    assert lines[0].split() == ["distance", "RNN", "LSTM"]
    assert lines[1].split() == ["1", "0.75", "(0.50-1.00)", "1.00", "(1.00-1.00)"]
    assert lines[2].split() == ["5", "0.50", "(0.50-0.50)", "0.88", "(0.75-1.00)"]
