"""The same two models in PyTorch (``torch.nn.RNN`` + ``torch.nn.Linear``), for comparison only.

Import this module only when torch is installed (``common.import_torch()`` tells). Inputs are one-hot
floats (N, T, V), the literal form of the equations; rnn_lib gathers columns of ``Wxh`` instead,
which gives the same numbers. Dimensions: N batch, T steps, V vocabulary, H hidden, K classes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from rnn_lib.training import char_batches

DTYPES = {"float64": torch.float64, "float32": torch.float32}


class TorchSentiment(nn.Module):
    """Many-to-one: the hidden state after each sentence's last real word goes through a linear layer."""

    def __init__(self, vocab_size: int, hidden_size: int, num_classes: int = 2):
        super().__init__()
        self.rnn = nn.RNN(vocab_size, hidden_size, nonlinearity="tanh", batch_first=True)
        self.out = nn.Linear(hidden_size, num_classes)

    def forward(self, one_hot: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Scores (N, K) from one-hot inputs (N, T, V) right-padded to T, and true lengths (N,)."""
        states, _ = self.rnn(one_hot)                                   # (N, T, H)
        last = states[torch.arange(states.shape[0]), lengths - 1]       # (N, H)
        return self.out(last)


class TorchCharRNN(nn.Module):
    """Many-to-many: next-character scores at every step."""

    def __init__(self, vocab_size: int, hidden_size: int):
        super().__init__()
        self.rnn = nn.RNN(vocab_size, hidden_size, nonlinearity="tanh", batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, one_hot: torch.Tensor, h0: torch.Tensor | None):
        """Scores (N, T, V) and the last hidden state (1, N, H) from one-hot inputs (N, T, V)."""
        states, h_last = self.rnn(one_hot, h0)
        return self.out(states), h_last


def _one_hot(ids: np.ndarray, size: int, dtype) -> torch.Tensor:
    return nn.functional.one_hot(torch.from_numpy(np.asarray(ids, dtype=np.int64)), size).to(dtype)


def train_sentiment(vocab, train, test=None, *, hidden_size: int, epochs: int, seed: int, batch_size: int,
                    learning_rate: float = 0.01, clip: float = 5.0, dtype: str = "float64",
                    stop_at_accuracy: float | None = None,
                    on_epoch: Callable[[int, float], object] | None = None) -> None:
    """Adam on shuffled minibatches with global-norm clipping, and the test accuracy after every epoch.

    ``on_epoch(epoch, test_accuracy)`` runs after each epoch (the caller records the time there);
    without ``test`` the accuracy passed is NaN and nothing is evaluated.
    """
    torch.manual_seed(seed)
    torch_dtype = DTYPES[dtype]
    model = TorchSentiment(len(vocab), hidden_size).to(torch_dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    loss_fn = nn.CrossEntropyLoss()

    def tensors(examples):
        encoded = [vocab.encode(text) for text, _ in examples]
        width = max(len(ids) for ids in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)
        for row, sentence in enumerate(encoded):
            ids[row, : len(sentence)] = sentence
        lengths = torch.tensor([len(sentence) for sentence in encoded])
        labels = torch.tensor([label for _, label in examples])
        return _one_hot(ids, len(vocab), torch_dtype), lengths, labels

    train_x, train_len, train_y = tensors(train)
    test_tensors = tensors(test) if test else None
    rng = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        order = torch.from_numpy(rng.permutation(len(train)))
        for start in range(0, len(train), batch_size):
            rows = order[start : start + batch_size]
            lengths = train_len[rows]
            width = int(lengths.max())
            scores = model(train_x[rows, :width], lengths)
            loss = loss_fn(scores, train_y[rows])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
        accuracy = float("nan")
        if test_tensors is not None:
            test_x, test_len, test_y = test_tensors
            with torch.no_grad():
                accuracy = float((model(test_x, test_len).argmax(dim=1) == test_y).double().mean())
        if on_epoch is not None:
            on_epoch(epoch, accuracy)
        if stop_at_accuracy is not None and accuracy >= stop_at_accuracy:
            break


def train_chars(ids: np.ndarray, vocab_size: int, *, hidden_size: int, epochs: int, batch_size: int,
                seq_length: int = 25, learning_rate: float = 0.1, clip: float = 5.0, dtype: str = "float64",
                seed: int = 0) -> tuple[int, float]:
    """Truncated BPTT with Adagrad over ``epochs`` passes; returns (characters trained on, seconds)."""
    torch.manual_seed(seed)
    torch_dtype = DTYPES[dtype]
    model = TorchCharRNN(vocab_size, hidden_size).to(torch_dtype)
    optimizer = torch.optim.Adagrad(model.parameters(), lr=learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    chunks = [(_one_hot(x, vocab_size, torch_dtype), torch.from_numpy(np.asarray(y, dtype=np.int64)))
              for x, y in char_batches(ids, batch_size, seq_length)]
    seen = 0
    start = time.perf_counter()
    for _ in range(epochs):
        h = None
        for inputs, targets in chunks:
            scores, h = model(inputs, h)
            h = h.detach()
            loss = loss_fn(scores.reshape(-1, vocab_size), targets.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            seen += targets.numel()
    return seen, time.perf_counter() - start
