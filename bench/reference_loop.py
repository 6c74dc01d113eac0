"""The baseline the benchmarks divide by: a plain, per-example, per-step numpy RNN.

This is the way most first tutorials write a vanilla RNN, kept deliberately simple so that it is a
fair picture of "the loop you would write by hand", not a straw man:

* every vector is a column, shape (H, 1); every input word is a one-hot column, shape (V, 1),
  built afresh each time the example is read;
* a Python loop walks over the words of one sentence (forward), then back over them (BPTT);
* weights start as ``standard_normal / 1000``, biases at zero;
* after each example the gradients are clipped to [-1, 1] and applied by plain SGD, lr 0.02.

One thing differs from the usual tutorial code: the gradient flowing to the previous hidden state
is ``Whh.T @ dpre`` (many copies of that tutorial multiply by ``Whh`` without the transpose, which
is only right for a symmetric matrix). The baseline is therefore a correct implementation.

The second half is the character-level counterpart in the style of the classic minimal char-RNN:
one stream of text, chunks of ``seq_length`` characters, one-hot columns, a per-step loop,
gradients clipped to [-5, 5] and an Adagrad update after each chunk.

Dimensions: V vocabulary, H hidden size, K classes, T steps in a sentence or chunk.
"""

from __future__ import annotations

import numpy as np


def one_hot_column(index: int, size: int) -> np.ndarray:
    """A (size, 1) column of zeros with a single 1 at ``index``."""
    column = np.zeros((size, 1))
    column[index] = 1.0
    return column


def softmax_column(scores: np.ndarray) -> np.ndarray:
    """Probabilities (K, 1) from scores (K, 1)."""
    exps = np.exp(scores - scores.max())
    return exps / exps.sum()


class ReferenceSentimentRNN:
    """Many-to-one RNN trained one example at a time.

    Weights: Wxh (H, V), Whh (H, H), Why (K, H); biases bh (H, 1), by (K, 1).
    """

    def __init__(self, vocab_size: int, hidden_size: int = 64, num_classes: int = 2, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.vocab_size = vocab_size
        self.Wxh = rng.standard_normal((hidden_size, vocab_size)) / 1000
        self.Whh = rng.standard_normal((hidden_size, hidden_size)) / 1000
        self.Why = rng.standard_normal((num_classes, hidden_size)) / 1000
        self.bh = np.zeros((hidden_size, 1))
        self.by = np.zeros((num_classes, 1))

    def columns(self, word_ids: list[int]) -> list[np.ndarray]:
        """One one-hot column (V, 1) per word, as the tutorials build them for every pass."""
        return [one_hot_column(i, self.vocab_size) for i in word_ids]

    def forward(self, inputs: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Scores (K, 1) for one sentence of T one-hot columns, and the T + 1 hidden states (H, 1)."""
        h = np.zeros((self.Whh.shape[0], 1))
        states = [h]
        for x in inputs:
            h = np.tanh(self.Wxh @ x + self.Whh @ h + self.bh)
            states.append(h)
        return self.Why @ h + self.by, states

    def backward_and_update(self, dscores: np.ndarray, inputs, states, learning_rate: float = 0.02) -> None:
        """BPTT for one sentence from dscores (K, 1), then a clipped SGD step on every weight."""
        last = states[-1]
        dWhy = dscores @ last.T
        dby = dscores
        dWxh = np.zeros_like(self.Wxh)
        dWhh = np.zeros_like(self.Whh)
        dbh = np.zeros_like(self.bh)
        dh = self.Why.T @ dscores
        for t in reversed(range(len(inputs))):
            dpre = (1.0 - states[t + 1] ** 2) * dh      # back through tanh
            dbh += dpre
            dWhh += dpre @ states[t].T
            dWxh += dpre @ inputs[t].T
            dh = self.Whh.T @ dpre                      # the transpose the tutorial code leaves out
        for grad in (dWxh, dWhh, dWhy, dbh, dby):
            np.clip(grad, -1.0, 1.0, out=grad)
        self.Wxh -= learning_rate * dWxh
        self.Whh -= learning_rate * dWhh
        self.Why -= learning_rate * dWhy
        self.bh -= learning_rate * dbh
        self.by -= learning_rate * dby

    def train_epoch(self, examples: list[tuple[list[int], int]], rng: np.random.Generator,
                    learning_rate: float = 0.02) -> float:
        """One shuffled pass of per-example SGD over (word ids, label) pairs; returns the mean loss."""
        total = 0.0
        for index in rng.permutation(len(examples)):
            word_ids, label = examples[index]
            inputs = self.columns(word_ids)
            scores, states = self.forward(inputs)
            probs = softmax_column(scores)
            total -= float(np.log(probs[label, 0]))
            dscores = probs.copy()
            dscores[label] -= 1.0
            self.backward_and_update(dscores, inputs, states, learning_rate)
        return total / len(examples)

    def accuracy(self, examples: list[tuple[list[int], int]]) -> float:
        """Fraction of (word ids, label) pairs classified correctly, one example at a time."""
        correct = 0
        for word_ids, label in examples:
            scores, _ = self.forward(self.columns(word_ids))
            correct += int(np.argmax(scores) == label)
        return correct / len(examples)


class ReferenceCharRNN:
    """Next-character RNN trained on one stream of text with a per-step loop and Adagrad.

    Weights: Wxh (H, V), Whh (H, H), Why (V, H); biases bh (H, 1), by (V, 1).
    """

    def __init__(self, vocab_size: int, hidden_size: int = 100, seed: int = 0, learning_rate: float = 0.1):
        rng = np.random.default_rng(seed)
        self.vocab_size = vocab_size
        self.learning_rate = learning_rate
        self.params = {
            "Wxh": rng.standard_normal((hidden_size, vocab_size)) * 0.01,
            "Whh": rng.standard_normal((hidden_size, hidden_size)) * 0.01,
            "Why": rng.standard_normal((vocab_size, hidden_size)) * 0.01,
            "bh": np.zeros((hidden_size, 1)),
            "by": np.zeros((vocab_size, 1)),
        }
        self.sum_sq = {name: np.zeros_like(value) for name, value in self.params.items()}

    def loss_and_grads(self, inputs: list[int], targets: list[int], h_prev: np.ndarray):
        """Summed cross-entropy of one chunk of T ids, the gradients, and the last hidden state (H, 1)."""
        p = self.params
        xs, hs, probs = {}, {-1: h_prev}, {}
        loss = 0.0
        for t, (i, target) in enumerate(zip(inputs, targets, strict=True)):
            xs[t] = one_hot_column(i, self.vocab_size)
            hs[t] = np.tanh(p["Wxh"] @ xs[t] + p["Whh"] @ hs[t - 1] + p["bh"])
            probs[t] = softmax_column(p["Why"] @ hs[t] + p["by"])
            loss -= float(np.log(probs[t][target, 0]))
        grads = {name: np.zeros_like(value) for name, value in p.items()}
        dh_next = np.zeros_like(h_prev)
        for t in reversed(range(len(inputs))):
            dy = probs[t].copy()
            dy[targets[t]] -= 1.0
            grads["Why"] += dy @ hs[t].T
            grads["by"] += dy
            dh = p["Why"].T @ dy + dh_next
            dpre = (1.0 - hs[t] ** 2) * dh
            grads["bh"] += dpre
            grads["Wxh"] += dpre @ xs[t].T
            grads["Whh"] += dpre @ hs[t - 1].T
            dh_next = p["Whh"].T @ dpre
        for grad in grads.values():
            np.clip(grad, -5.0, 5.0, out=grad)
        return loss, grads, hs[len(inputs) - 1]

    def train_pass(self, ids: list[int], seq_length: int = 25) -> tuple[int, float]:
        """One pass over the id stream in chunks; returns (characters trained on, mean loss per character)."""
        h = np.zeros((self.params["Whh"].shape[0], 1))
        seen, total = 0, 0.0
        for start in range(0, len(ids) - seq_length, seq_length):
            inputs = ids[start : start + seq_length]
            targets = ids[start + 1 : start + seq_length + 1]
            loss, grads, h = self.loss_and_grads(inputs, targets, h)
            for name, value in self.params.items():
                self.sum_sq[name] += grads[name] * grads[name]
                value -= self.learning_rate * grads[name] / np.sqrt(self.sum_sq[name] + 1e-8)
            seen += seq_length
            total += loss
        return seen, total / seen
