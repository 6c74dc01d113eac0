"""Saving and loading models: exact round trips, and clear errors for missing or damaged files."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.text import Vocabulary

TEXTS = ["the film was good", "the meal was bad", "not bad at all", "never good"]


def perturbed(model, seed=0):
    """Move every weight (biases included) away from its initial value, so a load that re-initialises shows."""
    rng = np.random.default_rng(seed)
    for value in model.params.values():
        value += rng.normal(scale=0.1, size=value.shape).astype(value.dtype)
    return model


def assert_same_model(loaded, original):
    assert type(loaded) is type(original)
    assert loaded.hidden_size == original.hidden_size
    assert loaded.output_size == original.output_size
    assert loaded.vocab_size == original.vocab_size
    assert loaded.seed == original.seed
    assert loaded.dtype == original.dtype
    assert set(loaded.params) == set(original.params)
    for name, value in original.params.items():
        assert loaded.params[name].dtype == value.dtype, name
        np.testing.assert_array_equal(loaded.params[name], value, err_msg=name)
    if original.vocab is None:
        assert loaded.vocab is None
    else:
        assert loaded.vocab.itos == original.vocab.itos
        assert loaded.vocab.stoi == original.vocab.stoi
        assert loaded.vocab.level == original.vocab.level


def test_sentiment_round_trip(tmp_path):
    model = perturbed(SentimentRNN(Vocabulary.from_texts(TEXTS), hidden_size=6, num_classes=3, seed=11))
    path = tmp_path / "sentiment.npz"
    model.save(path)
    loaded = SentimentRNN.load(path)
    assert_same_model(loaded, model)
    assert loaded.num_classes == 3
    queries = TEXTS + ["good good bad", "an unseen word"]
    np.testing.assert_array_equal(loaded.predict_proba(queries), model.predict_proba(queries))
    np.testing.assert_array_equal(loaded.predict(queries), model.predict(queries))


def test_char_rnn_round_trip(tmp_path):
    model = perturbed(CharRNN(Vocabulary.from_texts(TEXTS, level="char"), hidden_size=7, seed=3))
    path = tmp_path / "chars.npz"
    model.save(str(path))
    loaded = CharRNN.load(str(path))
    assert_same_model(loaded, model)
    assert loaded.perplexity("the meal was good") == model.perplexity("the meal was good")
    assert (loaded.sample("th", 40, rng=np.random.default_rng(1))
            == model.sample("th", 40, rng=np.random.default_rng(1)))


def test_round_trip_of_a_model_without_vocabulary(tmp_path):
    model = perturbed(SentimentRNN(15, hidden_size=4))
    model.save(tmp_path / "ids_only.npz")
    loaded = SentimentRNN.load(tmp_path / "ids_only.npz")
    assert_same_model(loaded, model)
    ids = np.array([[3, 14, 2]])
    np.testing.assert_array_equal(loaded.forward(ids)[0], model.forward(ids)[0])


def test_round_trip_keeps_float32(tmp_path):
    model = perturbed(CharRNN(9, hidden_size=3, dtype=np.float32))
    model.save(tmp_path / "small.npz")
    assert_same_model(CharRNN.load(tmp_path / "small.npz"), model)


def test_load_reads_back_the_path_given_to_save_without_suffix(tmp_path):
    # numpy adds ".npz" to a name without it; loading by the name given to save must still work.
    model = perturbed(SentimentRNN(Vocabulary.from_texts(TEXTS), hidden_size=4))
    model.save(tmp_path / "model")
    assert_same_model(SentimentRNN.load(tmp_path / "model"), model)
    assert_same_model(SentimentRNN.load(tmp_path / "model.npz"), model)


# --- missing and damaged files --------------------------------------------------------------------

def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere" / "model.npz"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        SentimentRNN.load(path)


def test_random_bytes_give_a_clear_value_error(tmp_path):
    rng = np.random.default_rng(0)
    for i, size in enumerate([0, 1, 10, 300, 5000]):
        path = tmp_path / f"noise{i}.npz"
        path.write_bytes(rng.bytes(size))
        with pytest.raises(ValueError, match="not a model saved by rnn_lib, or it is damaged"):
            SentimentRNN.load(path)


def test_truncated_files_give_a_clear_value_error(tmp_path):
    good = tmp_path / "good.npz"
    SentimentRNN(Vocabulary.from_texts(TEXTS), hidden_size=4).save(good)
    data = good.read_bytes()
    for cut in [0, 4, 30, len(data) // 3, len(data) // 2, len(data) - 30, len(data) - 1]:
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="not a model saved by rnn_lib, or it is damaged"):
            SentimentRNN.load(path)


def test_a_file_of_the_other_model_class_is_refused(tmp_path):
    path = tmp_path / "chars.npz"
    CharRNN(Vocabulary.from_texts(TEXTS, level="char"), hidden_size=4).save(path)
    with pytest.raises(ValueError, match="holds a CharRNN, not a SentimentRNN; load it with CharRNN.load"):
        SentimentRNN.load(path)
    path = tmp_path / "sentiment.npz"
    SentimentRNN(12, hidden_size=4).save(path)
    with pytest.raises(ValueError, match="holds a SentimentRNN, not a CharRNN"):
        CharRNN.load(path)


def test_an_unrelated_npz_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.ones(3))
    with pytest.raises(ValueError, match="not a model saved by rnn_lib"):
        SentimentRNN.load(path)


def test_a_plain_npy_array_is_refused(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.arange(4.0))
    with pytest.raises(ValueError, match="not a model saved by rnn_lib"):
        SentimentRNN.load(path)


def test_a_zip_that_is_not_npz_is_refused(tmp_path):
    path = tmp_path / "notes.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="not a model saved by rnn_lib"):
        SentimentRNN.load(path)


def test_a_weight_of_the_wrong_shape_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    SentimentRNN(12, hidden_size=4).save(path)
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["Whh"] = np.zeros((3, 3))
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"damaged: Whh has shape \(3, 3\), expected \(4, 4\)"):
        SentimentRNN.load(path)


@pytest.mark.parametrize("meta", ['[1, 2]', '{"class": "SentimentRNN"}', '"SentimentRNN"'])
def test_metadata_of_the_wrong_form_is_refused(tmp_path, meta):
    path = tmp_path / "model.npz"
    SentimentRNN(12, hidden_size=4).save(path)
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["meta"] = np.array(meta)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="not a model saved by rnn_lib, or it is damaged"):
        SentimentRNN.load(path)
