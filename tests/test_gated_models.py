"""Both models with cell="lstm" and cell="gru": gradient checks, carried state, save/load, training, torch.

Gradient checks in float64 with centred differences (step 1e-5) through ``check_gradients``; tolerance
1e-7 as everywhere in the library.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.gated import FORGET_BIAS
from rnn_lib.gradcheck import check_gradients
from rnn_lib.models import Batch, CharRNN, SentimentRNN
from rnn_lib.text import Vocabulary, pad_batch
from rnn_lib.training import train_classifier, train_language_model

GRAD_TOLERANCE = 1e-7
CELLS = ["lstm", "gru"]


def random_biases(model, seed):
    # Zero biases hide mistakes that only show when every gate is away from its starting point.
    rng = np.random.default_rng(seed)
    for value in model.params.values():
        if value.ndim == 1:
            value[...] = rng.normal(scale=0.5, size=value.shape)
    return model


@pytest.mark.parametrize("cell", CELLS)
def test_sentiment_gradients(cell):
    model = random_biases(SentimentRNN(9, hidden_size=4, seed=3, cell=cell), 1)
    ids, mask = pad_batch([[2, 3, 4, 5], [6, 2], [7, 8, 3]])
    errors = check_gradients(model, Batch(ids, mask, np.array([0, 1, 1])))
    assert set(errors) == set(model.params)
    assert max(errors.values()) < GRAD_TOLERANCE, errors


@pytest.mark.parametrize("cell", CELLS)
def test_char_gradients_with_a_carried_state(cell):
    model = random_biases(CharRNN(7, hidden_size=4, seed=4, cell=cell), 2)
    rng = np.random.default_rng(0)
    inputs, targets = rng.integers(7, size=(2, 5)), rng.integers(7, size=(2, 5))
    _, _, state = model.loss((rng.integers(7, size=(2, 3)), rng.integers(7, size=(2, 3))))

    class FromState:                        # check_gradients calls loss(batch); this one starts from `state`
        params = model.params

        @staticmethod
        def loss(batch):
            return model.loss(batch, state)

    errors = check_gradients(FromState, (inputs, targets))
    assert max(errors.values()) < GRAD_TOLERANCE, errors


def test_initial_gate_biases():
    H = 3
    lstm = SentimentRNN(5, hidden_size=H, cell="lstm")
    assert list(lstm.params) == ["Wx", "Wh", "b", "Why", "by"]
    assert lstm.params["Wx"].shape == (4 * H, 5) and lstm.params["Wh"].shape == (4 * H, H)
    np.testing.assert_array_equal(lstm.params["b"], [0] * H + [FORGET_BIAS] * H + [0] * 2 * H)
    gru = SentimentRNN(5, hidden_size=H, cell="gru")
    assert list(gru.params) == ["Wx", "Wh", "bx", "bh", "Why", "by"]
    np.testing.assert_array_equal(gru.params["bx"], [0] * H + [FORGET_BIAS] * H + [0] * H)
    assert FORGET_BIAS == 1.0


@pytest.mark.parametrize("cell", CELLS)
def test_chunked_state_equals_one_long_pass(cell):
    # Carrying the state between chunks must give the same scores as reading the text in one go.
    model = CharRNN(6, hidden_size=5, seed=5, cell=cell)
    ids = np.random.default_rng(1).integers(6, size=(2, 8))
    whole, _ = model.forward(ids)
    first, (_, state, _, _) = model.forward(ids[:, :3])
    second, _ = model.forward(ids[:, 3:], state)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=0, atol=1e-13)


def test_lstm_state_must_be_a_pair():
    model = CharRNN(6, hidden_size=5, cell="lstm")
    ids = np.zeros((2, 3), dtype=int)
    with pytest.raises(TypeError, match=r"pair \(h, c\)"):
        model.forward(ids, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="c0"):
        model.forward(ids, (np.zeros((2, 5)), np.zeros((2, 4))))
    with pytest.raises(ValueError, match="h0"):
        CharRNN(6, hidden_size=5, cell="gru").forward(ids, np.zeros((3, 5)))


@pytest.mark.parametrize("cell", CELLS)
def test_save_and_load_keep_the_cell(cell, tmp_path):
    vocab = Vocabulary.from_texts(["red cat", "blue dog"])
    model = random_biases(SentimentRNN(vocab, hidden_size=4, seed=6, cell=cell), 3)
    model.save(tmp_path / "m.npz")
    loaded = SentimentRNN.load(tmp_path / "m.npz")
    assert loaded.cell_name == cell and loaded.config() == model.config()
    for name, value in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], value)
    np.testing.assert_array_equal(loaded.predict_proba(["red cat dog"]), model.predict_proba(["red cat dog"]))
    assert f"cell={cell!r}" in repr(model)


@pytest.mark.parametrize("cell", CELLS)
def test_training_loops_run_every_cell(cell):
    train = [("red cat", 0), ("blue dog", 1), ("red dog", 0), ("blue cat", 1)]
    model = SentimentRNN(Vocabulary.from_texts([t for t, _ in train]), hidden_size=6, seed=0, cell=cell)
    history = train_classifier(model, train, train, epochs=30, batch_size=4)
    assert history.test_accuracy[-1] == 1.0
    assert history.train_loss[-1] < history.train_loss[0]
    text = "the cat sat on the mat. " * 8
    char_model = CharRNN(Vocabulary.from_texts([text], level="char"), hidden_size=8, seed=0, cell=cell)
    lm_history = train_language_model(char_model, text, epochs=3, seq_length=10, batch_size=2)
    assert lm_history.train_loss[-1] < lm_history.train_loss[0]
    assert len(char_model.sample("th", 5, rng=np.random.default_rng(0))) == 5
    assert np.isfinite(char_model.perplexity(text[:40], seq_length=7))


@pytest.mark.parametrize("cell", CELLS)
def test_sentiment_model_matches_torch(cell):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = random_biases(SentimentRNN(8, hidden_size=4, seed=7, cell=cell), 4)
    p = model.params
    ids, mask = pad_batch([[2, 3, 4, 5], [6, 2], [7, 3, 3]])
    labels = np.array([0, 1, 1])
    loss, grads = model.loss(Batch(ids, mask, labels))
    module = (nn.LSTM if cell == "lstm" else nn.GRU)(8, 4, batch_first=True).double()
    head = nn.Linear(4, 2).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(p["Wx"]))
        module.weight_hh_l0.copy_(torch.from_numpy(p["Wh"]))
        module.bias_ih_l0.copy_(torch.from_numpy(p["b"] if cell == "lstm" else p["bx"]))
        module.bias_hh_l0.copy_(torch.zeros(len(p["Wh"])) if cell == "lstm" else torch.from_numpy(p["bh"]))
        head.weight.copy_(torch.from_numpy(p["Why"]))
        head.bias.copy_(torch.from_numpy(p["by"]))
    states, _ = module(nn.functional.one_hot(torch.from_numpy(ids), 8).double())
    lengths = torch.from_numpy(mask.sum(axis=1))
    scores = head(states[torch.arange(3), lengths - 1])
    torch_loss = nn.functional.cross_entropy(scores, torch.from_numpy(labels))
    torch_loss.backward()
    assert abs(loss - torch_loss.item()) < 1e-10
    pairs = {"Wx": module.weight_ih_l0, "Wh": module.weight_hh_l0, "Why": head.weight, "by": head.bias,
             "b" if cell == "lstm" else "bx": module.bias_ih_l0}
    if cell == "gru":
        pairs["bh"] = module.bias_hh_l0
    for name, tensor in pairs.items():
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("cell", CELLS)
def test_float32_models_keep_float32(cell):
    model = CharRNN(7, hidden_size=5, seed=0, dtype=np.float32, cell=cell)
    _, grads, state = model.loss((np.zeros((2, 3), dtype=int), np.ones((2, 3), dtype=int)))
    assert all(grad.dtype == np.float32 for grad in grads.values())
    assert all(part.dtype == np.float32 for part in (state if isinstance(state, tuple) else (state,)))
