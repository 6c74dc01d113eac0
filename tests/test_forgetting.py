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
    except ValueError:
        pytest.skip(f"no {cell!r} cell in this checkout")


def _last_state(model, x):
    """The last hidden state for float inputs x (N, T, V), from the public sequence functions."""
    weights = [model.params[name] for name in model.cell.param_names]
    h0 = np.zeros((x.shape[0], model.hidden_size))
    if model.cell_name == "lstm":
        hs, _ = lstm_forward(x, h0, h0.copy(), *weights)
    elif model.cell_name == "gru":
        hs, _ = gru_forward(x, h0, *weights)
    else:
        hs, _ = rnn_forward(x, h0, *weights)
    return hs[:, -1]


def _texts(distance, n):
    train, _, vocab = memory_data(distance, n_train=n, n_test=2)
    return [text for text, _ in train], np.array([label for _, label in train]), vocab


@pytest.mark.parametrize("cell", CELLS)
def test_input_gradients_match_numerical_ones(cell):
    texts, labels, vocab = _texts(4, 3)
    model = _model(cell, vocab)
    trace = gradients_through_time(model, texts, labels)
    for n, text in enumerate(texts):
        x = np.eye(model.vocab_size)[vocab.encode(text)][None]      # (1, T, V) one-hot rows

        def own_loss(x=x, n=n):
            logits = _last_state(model, x) @ model.params["Why"].T + model.params["by"]
            return cross_entropy(logits, labels[n:n + 1])[0]

        numeric = np.linalg.norm(numerical_gradient(own_loss, x)[0], axis=1)     # (T,)
        assert rel_error(trace.inputs[n, -len(numeric):], numeric) < 1e-7, cell
        assert np.isnan(trace.inputs[n, :-len(numeric)]).all()


@pytest.mark.parametrize("cell", CELLS)
def test_the_last_step_gradient_is_the_output_layer_pulled_back(cell):
    texts, labels, vocab = _texts(3, 4)
    model = _model(cell, vocab)
    trace = gradients_through_time(model, texts, labels)
    for n, text in enumerate(texts):
        x = np.eye(model.vocab_size)[vocab.encode(text)][None]
        logits = _last_state(model, x)[0] @ model.params["Why"].T + model.params["by"]
        p = np.exp(logits - logits.max())
        p /= p.sum()
        p[labels[n]] -= 1                                              # this text's own dL/dlogits
        assert np.isclose(trace.hidden[n, -1], np.linalg.norm(p @ model.params["Why"]))
    assert np.isclose(trace.steps_back()[0], trace.hidden[:, -1].mean())


def test_texts_of_different_lengths_line_up_by_their_last_word():
    _, _, vocab = _texts(3, 4)
    model = SentimentRNN(vocab, hidden_size=4)
    trace = gradients_through_time(model, ["red a", "blue a a a"], [0, 1])
    assert trace.hidden.shape == (2, 4) and np.isnan(trace.hidden[0, :2]).all()
    assert not np.isnan(trace.steps_back()).any()
    with pytest.raises(ValueError, match="one label per text"):
        gradients_through_time(model, ["red a", "blue a"], [0])


def test_the_table_rounds_means_and_ranges():
    result = MemoryResult({"rnn": {1: [1.0, 0.5], 5: [0.5, 0.5]}, "lstm": {1: [1.0, 1.0], 5: [0.75, 1.0]}}, {})
    lines = result.table().splitlines()
    assert lines[0].split() == ["distance", "RNN", "LSTM"]
    assert lines[1].split() == ["1", "0.75", "(0.50-1.00)", "1.00", "(1.00-1.00)"]
    assert lines[2].split() == ["5", "0.50", "(0.50-0.50)", "0.88", "(0.75-1.00)"]
