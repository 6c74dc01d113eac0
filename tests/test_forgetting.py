"""The measurements of notebook 07: per-step gradients agree with numerical ones, the experiment's bookkeeping."""

import numpy as np
import pytest

from rnn_lib import SentimentRNN, Vocabulary
from rnn_lib.experiments import memory_data
from rnn_lib.forgetting import gate_values, gradients_through_time
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
    train, _ = memory_data(distance, n_train=n, n_test=2)
    texts = [text for text, _ in train]
    return texts, np.array([label for _, label in train]), Vocabulary.from_texts(texts + ["red blue"])


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
    assert trace.steps_back().shape == (2,) and np.allclose(trace.steps_back(), trace.hidden[:, :-3:-1].mean(axis=0))
    with pytest.raises(ValueError, match="one label per text"):
        gradients_through_time(model, ["red a", "blue a"], [0])


@pytest.mark.parametrize("cell, names", [("lstm", ["input", "forget", "cell", "output", "c"]),
                                         ("gru", ["reset", "update", "new"])])
def test_gate_values_are_the_gates_of_each_step(cell, names):
    texts, _, vocab = _texts(3, 2)
    model = _model(cell, vocab)
    gates = gate_values(model, texts[0])
    T = len(texts[0].split())
    assert list(gates) == names and all(values.shape == (T, 5) for values in gates.values())
    sigmoid_gates = [name for name in names if name not in ("cell", "c", "new")]
    assert all(((gates[name] > 0) & (gates[name] < 1)).all() for name in sigmoid_gates)
    last = _last_state(model, np.eye(model.vocab_size)[vocab.encode(texts[0])][None])[0]
    if cell == "lstm":           # h = o * tanh(c) at the last step
        assert np.allclose(last, gates["output"][-1] * np.tanh(gates["c"][-1]))
    else:                        # h = (1 - z) n + z h_prev: at step 0, h_prev = 0
        first = _last_state(model, np.eye(model.vocab_size)[vocab.encode(texts[0].split()[0])][None])[0]
        assert np.allclose(first, (1 - gates["update"][0]) * gates["new"][0])
    with pytest.raises(ValueError, match="LSTM or a GRU"):
        gate_values(SentimentRNN(vocab, hidden_size=3), texts[0])


def test_the_figures_draw_without_error():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_lib.experiments import MemoryResults
    from rnn_lib.plots_gated import plot_gates, plot_gradient_through_time, plot_influence, plot_memory_results

    plot_gradient_through_time({"rnn": [1.0, 0.1, 0.01], "lstm": [1.0, 0.9, 0.8]})
    plot_influence(["red", "a", "dog"], [0.2, 0.0, 1.0])
    results = MemoryResults(("rnn", "lstm"), (1, 5), (0, 1), np.array([[[1, 1], [0.5, 0.6]], [[1, 1], [1, 0.9]]]),
                            np.ones((2, 2, 2), dtype=int))
    plot_memory_results(results)
    plot_gates({"forget": np.full((3, 4), 0.5), "c": np.zeros((3, 4)) - 0.2}, ["red", "a", "dog"], units=[0, 2])
    with pytest.raises(ValueError, match="one value per token"):
        plot_influence(["red", "a"], [0.2])
    plt.close("all")


def test_the_explorer_trains_and_redraws():
    import matplotlib

    matplotlib.use("Agg")
    from rnn_lib.widgets_gated import memory_explorer, train_and_trace

    figure, summary = train_and_trace("gru", 3, n_traced=5)
    assert "GRU at distance 3: test accuracy" in summary and figure.axes
    with pytest.raises(ValueError, match="cell must be one of"):
        train_and_trace("transformer", 3)
    box = memory_explorer("rnn", 2)
    assert "RNN at distance 2" in box.children[1].value
    chooser, slider, _ = box.children[0].children
    chooser.value, slider.value = "lstm", 3
    box.retrain()
    assert "LSTM at distance 3" in box.children[1].value


def test_the_explorer_says_what_it_is_where_widgets_do_not_run():
    from rnn_lib.widgets_gated import MemoryExplorer

    box = MemoryExplorer([])
    assert repr(box).startswith("Memory explorer") and "Train" in repr(box) and len(repr(box)) <= 110
    assert box._repr_mimebundle_()["text/plain"].startswith("Memory explorer")
