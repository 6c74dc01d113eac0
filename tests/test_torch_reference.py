"""Both models against PyTorch: the same weights must give the same states, scores, loss and gradients.

torch.nn.RNN computes ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``. With ``b_hh = 0`` and
``b_ih = bh`` that is exactly this library's step, so ``Wxh <-> weight_ih_l0``, ``Whh <-> weight_hh_l0``,
``bh <-> bias_ih_l0``, and the output layer is an ``nn.Linear`` with ``Why`` and ``by``. Everything runs
in float64, where both sides should agree to rounding error.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from rnn_lib.layers import rnn_backward, rnn_forward  # noqa: E402
from rnn_lib.models import CharRNN, SentimentRNN  # noqa: E402
from rnn_lib.text import Vocabulary  # noqa: E402

# float64 on both sides: only summation order differs, which moves results by ~1e-15.
ATOL = 1e-12


def assert_same(name: str, ours, theirs) -> None:
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert np.shape(ours) == theirs.shape, f"{name}: shape {np.shape(ours)} here, {theirs.shape} in torch"
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL, err_msg=f"{name} differs from torch")


def torch_rnn(Wxh, Whh, bh):
    """A float64 torch RNN computing exactly ``h = tanh(x Wxh^T + h_prev Whh^T + bh)``."""
    H, D = Wxh.shape
    rnn = nn.RNN(input_size=D, hidden_size=H, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wxh))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Whh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(bh))
        rnn.bias_hh_l0.zero_()                     # the library has one bias; torch's second one stays 0
    return rnn


def torch_twin(model):
    """A torch RNN + Linear holding exactly ``model``'s weights, in float64."""
    p = model.params
    rnn = torch_rnn(p["Wxh"], p["Whh"], p["bh"])
    head = nn.Linear(p["Why"].shape[1], p["Why"].shape[0]).double()
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(p["Why"]))
        head.bias.copy_(torch.from_numpy(p["by"]))
    return rnn, head


def assert_same_gradients(grads, rnn, head) -> None:
    assert_same("dWxh (weight_ih_l0.grad)", grads["Wxh"], rnn.weight_ih_l0.grad)
    assert_same("dWhh (weight_hh_l0.grad)", grads["Whh"], rnn.weight_hh_l0.grad)
    assert_same("dbh (bias_ih_l0.grad)", grads["bh"], rnn.bias_ih_l0.grad)
    assert_same("dWhy (Linear.weight.grad)", grads["Why"], head.weight.grad)
    assert_same("dby (Linear.bias.grad)", grads["by"], head.bias.grad)
    # torch's unused second bias gets the same gradient as the first: a sanity check of the twin.
    assert_same("bias_hh_l0.grad vs bias_ih_l0.grad", rnn.bias_hh_l0.grad.numpy(), rnn.bias_ih_l0.grad)


def randomise_biases(model, seed):
    rng = np.random.default_rng(seed)
    for name in ("bh", "by"):
        model.params[name][...] = rng.normal(scale=0.3, size=model.params[name].shape)
    return model


def one_hot(ids, size):
    return torch.from_numpy(np.eye(size)[ids])


@pytest.fixture(autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# --- SentimentRNN ---------------------------------------------------------------------------------

def test_sentiment_rnn_matches_torch_on_equal_length_sentences():
    pairs = [("the film was good", 1), ("the meal was bad", 0), ("not bad at all", 1)]
    vocab = Vocabulary.from_texts([text for text, _ in pairs])
    model = randomise_biases(SentimentRNN(vocab, hidden_size=6, num_classes=2, seed=1), 1)
    batch = model.make_batch(pairs)
    assert batch.mask.all(), "this test wants sentences of one length"

    logits, (hs, *_) = model.forward(batch.ids, batch.mask)
    loss, grads = model.loss(batch)

    rnn, head = torch_twin(model)
    states, h_n = rnn(one_hot(batch.ids, len(vocab)))
    torch_logits = head(h_n[0])
    torch_loss = F.cross_entropy(torch_logits, torch.from_numpy(batch.labels))
    torch_loss.backward()

    assert_same("hidden states", hs, states)
    assert_same("logits", logits, torch_logits)
    assert_same("loss", loss, torch_loss)
    assert_same_gradients(grads, rnn, head)


def test_sentiment_rnn_matches_torch_packed_sequences_of_different_lengths():
    pairs = [("the film was not bad at all", 1), ("bad", 0), ("never good", 0), ("the meal was great !", 1)]
    vocab = Vocabulary.from_texts([text for text, _ in pairs])
    model = randomise_biases(SentimentRNN(vocab, hidden_size=5, num_classes=3, seed=2), 2)
    batch = model.make_batch(pairs)
    lengths = batch.mask.sum(axis=1)
    assert len(set(lengths)) > 1

    logits, _ = model.forward(batch.ids, batch.mask)
    loss, grads = model.loss(batch)

    rnn, head = torch_twin(model)
    packed = nn.utils.rnn.pack_padded_sequence(one_hot(batch.ids, len(vocab)), torch.from_numpy(lengths),
                                               batch_first=True, enforce_sorted=False)
    _, h_n = rnn(packed)                          # h_n: each sequence's last real state, in batch order
    torch_logits = head(h_n[0])
    torch_loss = F.cross_entropy(torch_logits, torch.from_numpy(batch.labels))
    torch_loss.backward()

    hidden_last = np.stack([model.hidden_states(text)[-1] for text, _ in pairs])
    assert_same("last real hidden state", hidden_last, h_n[0])
    assert_same("logits", logits, torch_logits)
    assert_same("loss", loss, torch_loss)
    assert_same_gradients(grads, rnn, head)


# --- CharRNN --------------------------------------------------------------------------------------

def test_char_rnn_matches_torch_many_to_many_with_an_initial_state():
    vocab = Vocabulary.from_texts(["hello world, hello rnn"], level="char")
    model = randomise_biases(CharRNN(vocab, hidden_size=7, seed=3), 3)
    ids = np.array([vocab.encode("hello world"), vocab.encode("world hello")])
    inputs, targets = ids[:, :-1], ids[:, 1:]
    h0 = np.random.default_rng(3).uniform(-0.8, 0.8, size=(2, 7))

    logits, (hs, *_) = model.forward(inputs, h0)
    loss, grads, h_last = model.loss((inputs, targets), h0)

    rnn, head = torch_twin(model)
    states, h_n = rnn(one_hot(inputs, len(vocab)), torch.from_numpy(h0)[None])
    torch_logits = head(states)
    torch_loss = F.cross_entropy(torch_logits.reshape(-1, len(vocab)), torch.from_numpy(targets).reshape(-1))
    torch_loss.backward()

    assert_same("hidden states", hs, states)
    assert_same("last hidden state (h_last)", h_last, h_n[0])
    assert_same("logits", logits, torch_logits)
    assert_same("loss", loss, torch_loss)
    assert_same_gradients(grads, rnn, head)


# --- the recurrent layer with float inputs: dx and dh0 too ----------------------------------------

def test_rnn_layer_matches_torch_including_dx_and_dh0():
    rng = np.random.default_rng(4)
    N, T, D, H = 3, 5, 4, 6
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(scale=0.5, size=(N, H))
    Wxh, Whh, bh = (rng.normal(scale=0.5, size=(H, D)), rng.normal(scale=0.5, size=(H, H)),
                    rng.normal(scale=0.5, size=H))
    dh = rng.normal(size=(N, T, H))
    hs, cache = rnn_forward(x, h0, Wxh, Whh, bh)
    dx, dh0, dWxh, dWhh, dbh = rnn_backward(dh, cache)

    rnn = torch_rnn(Wxh, Whh, bh)
    x_t = torch.from_numpy(x).requires_grad_()
    h0_t = torch.from_numpy(h0)[None].clone().requires_grad_()
    states, _ = rnn(x_t, h0_t)
    states.backward(torch.from_numpy(dh))

    assert_same("hidden states", hs, states)
    assert_same("dx (input.grad)", dx, x_t.grad)
    assert_same("dh0 (h0.grad)", dh0, h0_t.grad[0])
    assert_same("dWxh (weight_ih_l0.grad)", dWxh, rnn.weight_ih_l0.grad)
    assert_same("dWhh (weight_hh_l0.grad)", dWhh, rnn.weight_hh_l0.grad)
    assert_same("dbh (bias_ih_l0.grad)", dbh, rnn.bias_ih_l0.grad)
