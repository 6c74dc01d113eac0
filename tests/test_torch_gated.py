"""The LSTM and GRU layers against PyTorch: same weights, same outputs and gradients, in float64.

Layouts: ``torch.nn.LSTMCell`` computes ``x W_ih^T + b_ih + h W_hh^T + b_hh`` with rows stacked input,
forget, cell, output, so ``Wx <-> weight_ih``, ``Wh <-> weight_hh``, ``b <-> bias_ih`` with ``bias_hh = 0``
(the library keeps one bias; only the sum matters). ``torch.nn.GRUCell`` has rows reset, update, new and
needs both biases, so ``bx <-> bias_ih``, ``bh <-> bias_hh``. Tolerance 1e-10: both sides do the same
float64 arithmetic in a different order, which moves results by about 1e-15.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from rnn_lib.layers import (  # noqa: E402
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)

ATOL = 1e-10
N, T, D, H = 3, 7, 5, 4


def same(name, ours, theirs):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert np.shape(ours) == theirs.shape, f"{name}: shape {np.shape(ours)} here, {theirs.shape} in torch"
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL, err_msg=f"{name} differs from torch")


def leaf(array):
    return torch.from_numpy(np.array(array)).requires_grad_()


@pytest.fixture(autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def lstm_weights(rng, D=D):
    return rng.normal(scale=0.6, size=(4 * H, D)), rng.normal(scale=0.6, size=(4 * H, H)), rng.normal(size=4 * H)


def gru_weights(rng, D=D):
    return (rng.normal(scale=0.6, size=(3 * H, D)), rng.normal(scale=0.6, size=(3 * H, H)),
            rng.normal(size=3 * H), rng.normal(size=3 * H))


def load(module, Wx, Wh, b_ih, b_hh=None, suffix=""):
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(Wx))
        getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(Wh))
        getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(b_ih))
        bias_hh = getattr(module, "bias_hh" + suffix)
        bias_hh.zero_() if b_hh is None else bias_hh.copy_(torch.from_numpy(b_hh))
    return module


def test_lstm_step_matches_lstm_cell(rng):
    Wx, Wh, b = lstm_weights(rng)
    x, h, c = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    h_new, c_new, cache = lstm_step_forward(x, h, c, Wx, Wh, b)
    cell = load(nn.LSTMCell(D, H).double(), Wx, Wh, b)
    xt, ht, ct = leaf(x), leaf(h), leaf(c)
    h_t, c_t = cell(xt, (ht, ct))
    same("h", h_new, h_t)
    same("c", c_new, c_t)
    ((h_t * torch.from_numpy(dh)).sum() + (c_t * torch.from_numpy(dc)).sum()).backward()
    dx, dh_prev, dc_prev, dWx, dWh, db = lstm_step_backward(dh, dc, cache)
    same("dx", dx, xt.grad)
    same("dh_prev", dh_prev, ht.grad)
    same("dc_prev", dc_prev, ct.grad)
    same("dWx", dWx, cell.weight_ih.grad)
    same("dWh", dWh, cell.weight_hh.grad)
    same("db", db, cell.bias_ih.grad)


def test_gru_step_matches_gru_cell(rng):
    Wx, Wh, bx, bh = gru_weights(rng)
    x, h, dh = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    h_new, cache = gru_step_forward(x, h, Wx, Wh, bx, bh)
    cell = load(nn.GRUCell(D, H).double(), Wx, Wh, bx, bh)
    xt, ht = leaf(x), leaf(h)
    h_t = cell(xt, ht)
    same("h", h_new, h_t)
    (h_t * torch.from_numpy(dh)).sum().backward()
    dx, dh_prev, dWx, dWh, dbx, dbh = gru_step_backward(dh, cache)
    same("dx", dx, xt.grad)
    same("dh_prev", dh_prev, ht.grad)
    same("dWx", dWx, cell.weight_ih.grad)
    same("dWh", dWh, cell.weight_hh.grad)
    same("dbx", dbx, cell.bias_ih.grad)
    same("dbh", dbh, cell.bias_hh.grad)


@pytest.mark.parametrize("ids", [False, True], ids=["floats", "token ids"])
def test_lstm_sequence_matches_nn_lstm(rng, ids):
    Wx, Wh, b = lstm_weights(rng)
    token_ids = rng.integers(D, size=(N, T))
    x = token_ids if ids else rng.normal(size=(N, T, D))
    h0, c0, dhs = rng.normal(size=(N, H)), rng.normal(size=(N, H)), rng.normal(size=(N, T, H))
    hs, cache = lstm_forward(x, h0, c0, Wx, Wh, b)
    lstm = load(nn.LSTM(D, H, batch_first=True).double(), Wx, Wh, b, suffix="_l0")
    xt = leaf(np.eye(D)[token_ids] if ids else x)
    h0t, c0t = leaf(h0[None]), leaf(c0[None])
    out, (h_last, c_last) = lstm(xt, (h0t, c0t))
    same("hs", hs, out)
    same("last c", cache.cs[-1], c_last[0])
    (out * torch.from_numpy(dhs)).sum().backward()
    dx, dh0, dc0, dWx, dWh, db = lstm_backward(dhs, cache)
    if ids:
        assert dx is None
    else:
        same("dx", dx, xt.grad)
    same("dh0", dh0, h0t.grad[0])
    same("dc0", dc0, c0t.grad[0])
    same("dWx", dWx, lstm.weight_ih_l0.grad)
    same("dWh", dWh, lstm.weight_hh_l0.grad)
    same("db", db, lstm.bias_ih_l0.grad)


@pytest.mark.parametrize("ids", [False, True], ids=["floats", "token ids"])
def test_gru_sequence_matches_nn_gru(rng, ids):
    Wx, Wh, bx, bh = gru_weights(rng)
    token_ids = rng.integers(D, size=(N, T))
    x = token_ids if ids else rng.normal(size=(N, T, D))
    h0, dhs = rng.normal(size=(N, H)), rng.normal(size=(N, T, H))
    hs, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
    gru = load(nn.GRU(D, H, batch_first=True).double(), Wx, Wh, bx, bh, suffix="_l0")
    xt, h0t = leaf(np.eye(D)[token_ids] if ids else x), leaf(h0[None])
    out, _ = gru(xt, h0t)
    same("hs", hs, out)
    (out * torch.from_numpy(dhs)).sum().backward()
    dx, dh0, dWx, dWh, dbx, dbh = gru_backward(dhs, cache)
    if ids:
        assert dx is None
    else:
        same("dx", dx, xt.grad)
    same("dh0", dh0, h0t.grad[0])
    same("dWx", dWx, gru.weight_ih_l0.grad)
    same("dWh", dWh, gru.weight_hh_l0.grad)
    same("dbx", dbx, gru.bias_ih_l0.grad)
    same("dbh", dbh, gru.bias_hh_l0.grad)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_masked_last_state_matches_packed_sequences(rng, cell):
    # torch runs each sequence only over its real length when packed: the same as the library's mask.
    lengths = np.array([T, 4, 2])
    mask = np.arange(T)[None, :] < lengths[:, None]
    x, h0, dlast = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    packed = nn.utils.rnn.pack_padded_sequence(leaf(x), torch.from_numpy(lengths), batch_first=True,
                                               enforce_sorted=False)
    dhs = np.zeros((N, T, H))
    dhs[:, -1] = dlast
    if cell == "lstm":
        Wx, Wh, b = lstm_weights(rng)
        c0 = rng.normal(size=(N, H))
        hs, cache = lstm_forward(x, h0, c0, Wx, Wh, b, mask=mask)
        module = load(nn.LSTM(D, H, batch_first=True).double(), Wx, Wh, b, suffix="_l0")
        _, (h_last, _) = module(packed, (leaf(h0[None]), leaf(c0[None])))
        grads = lstm_backward(dhs, cache)
        dWx, dWh = grads[3], grads[4]
    else:
        Wx, Wh, bx, bh = gru_weights(rng)
        hs, cache = gru_forward(x, h0, Wx, Wh, bx, bh, mask=mask)
        module = load(nn.GRU(D, H, batch_first=True).double(), Wx, Wh, bx, bh, suffix="_l0")
        _, h_last = module(packed, leaf(h0[None]))
        grads = gru_backward(dhs, cache)
        dWx, dWh = grads[2], grads[3]
    same("last real state", hs[:, -1], h_last[0])
    (h_last[0] * torch.from_numpy(dlast)).sum().backward()
    same("dWx", dWx, module.weight_ih_l0.grad)
    same("dWh", dWh, module.weight_hh_l0.grad)
