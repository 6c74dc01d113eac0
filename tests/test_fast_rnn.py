"""The speed path (fast_rnn.py) must give exactly the readable loop's numbers: equal bits, not just close."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_lib.fast_rnn import rnn_backward_ids, rnn_forward_ids
from rnn_lib.layers import rnn_backward, rnn_forward


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 17), st.integers(1, 26), st.integers(2, 60), st.integers(1, 130), st.integers(0, 2**16),
       st.sampled_from([np.float64, np.float32]))
def test_fast_path_equals_the_readable_loop_bit_for_bit(N, T, V, H, seed, dtype):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size=(N, T))
    ids[0, : min(T, 3)] = ids[-1, 0]                 # repeated ids in one step: their gradients add up
    h0 = rng.normal(size=(N, H)).astype(dtype)
    Wxh, Whh, bh = (0.3 * rng.normal(size=shape).astype(dtype) for shape in ((H, V), (H, H), (H,)))
    dhs = rng.normal(size=(N, T, H)).astype(dtype)
    hs, cache = rnn_forward(ids, h0, Wxh, Whh, bh)
    fast_hs, fast_cache = rnn_forward_ids(ids, h0, Wxh, Whh, bh)
    assert fast_hs.dtype == hs.dtype
    np.testing.assert_array_equal(fast_hs, hs)
    _, *grads = rnn_backward(dhs, cache)
    for name, slow, fast in zip(("dh0", "dWxh", "dWhh", "dbh"), grads, rnn_backward_ids(dhs, fast_cache), strict=True):
        assert fast.dtype == slow.dtype, name
        np.testing.assert_array_equal(fast, slow, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_models_train_on_the_fast_path_with_the_readable_numbers(dtype):
    from rnn_lib.models import CharRNN

    model = CharRNN(12, hidden_size=5, seed=3, dtype=dtype)
    ids = np.random.default_rng(0).integers(0, 12, size=(3, 8))
    p = model.params
    hs, cache = rnn_forward(ids[:, :-1], np.zeros((3, 5), dtype), p["Wxh"], p["Whh"], p["bh"])
    logits, _ = model.forward(ids[:, :-1])
    np.testing.assert_array_equal(logits, hs @ p["Why"].T + p["by"])
