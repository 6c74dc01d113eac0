"""The seam between the models and their recurrent cell: a cell with a non-array state plugs in unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.cells import CELLS, VanillaRNNCell, get_cell
from rnn_lib.models import Batch, CharRNN, SentimentRNN
from rnn_lib.text import Vocabulary, pad_batch


class PairStateCell(VanillaRNNCell):
    """The vanilla recurrence, but carrying its state as a tuple (h, steps seen), as an LSTM carries (h, c)."""

    name = "pair"
    param_names = ("Wxh", "Whh", "bh")

    @staticmethod
    def initial_state(N, hidden_size, dtype):
        return (np.zeros((N, hidden_size), dtype=dtype), 0)

    @staticmethod
    def as_state(state, N, hidden_size, dtype):
        assert isinstance(state, tuple), "the model must hand the cell's own state back unchanged"
        return state

    @staticmethod
    def detach(state):
        return (state[0].copy(), state[1])

    @staticmethod
    def forward(ids, state0, params):
        hs, _, cache = VanillaRNNCell.forward(ids, state0[0], params)
        return hs, (hs[:, -1], state0[1] + ids.shape[1]), cache


@pytest.fixture
def pair_cell(monkeypatch):
    monkeypatch.setitem(CELLS, "pair", PairStateCell)


def test_unknown_cell_names_the_choices():
    with pytest.raises(ValueError, match=r"cell must be one of \['rnn'\], got 'lstmm'"):
        CharRNN(10, 4, cell="lstmm")
    assert get_cell("rnn") is VanillaRNNCell


def test_a_cell_with_a_tuple_state_runs_every_model_method(pair_cell, tmp_path):
    vocab = Vocabulary.from_texts(["the cat sat on the mat"], level="char")
    plain, pair = CharRNN(vocab, 6, seed=2), CharRNN(vocab, 6, seed=2, cell="pair")
    ids = np.array([vocab.encode("the cat sat")])
    loss, grads, state = pair.loss((ids[:, :5], ids[:, 1:6]))
    assert isinstance(state, tuple) and state[1] == 5
    loss2, _, state = pair.loss((ids[:, 5:-1], ids[:, 6:]), state)
    assert state[1] == 10
    expected, expected_grads, h = plain.loss((ids[:, :5], ids[:, 1:6]))
    assert loss == expected
    for name in grads:
        np.testing.assert_array_equal(grads[name], expected_grads[name])
    np.testing.assert_array_equal(state[0], plain.loss((ids[:, 5:-1], ids[:, 6:]), h)[2])
    assert pair.sample("th", 10, rng=np.random.default_rng(0)) == plain.sample("th", 10, rng=np.random.default_rng(0))
    assert pair.perplexity("the cat sat", seq_length=3) == plain.perplexity("the cat sat", seq_length=3)
    pair.save(tmp_path / "pair.npz")
    loaded = CharRNN.load(tmp_path / "pair.npz")
    assert loaded.cell_name == "pair" and loaded.cell is PairStateCell


def test_the_classifier_goes_through_the_seam(pair_cell):
    ids, mask = pad_batch([[2, 3, 4], [5, 2]])
    batch = Batch(ids, mask, np.array([0, 1]))
    plain, pair = SentimentRNN(8, 5, seed=1), SentimentRNN(8, 5, seed=1, cell="pair")
    assert plain.loss(batch)[0] == pair.loss(batch)[0]


def test_the_cell_name_is_saved_and_old_files_load_as_rnn(tmp_path):
    model = CharRNN(9, hidden_size=3)
    assert model.config()["cell"] == "rnn"
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        arrays = dict(data)
    meta = str(arrays.pop("meta")).replace(', "cell": "rnn"', "")
    assert "cell" not in meta
    np.savez(tmp_path / "old.npz", meta=np.array(meta), **arrays)
    assert CharRNN.load(tmp_path / "old.npz").cell_name == "rnn"
