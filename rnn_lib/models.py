"""Two recurrent models on one shared core: token ids -> recurrent cell -> output layer.

- ``SentimentRNN``: many-to-one. Reads a sentence word by word and classifies it from the hidden
  state after its last word.
- ``CharRNN``: many-to-many. Reads text character by character and predicts the next character at
  every step.

Both keep their weights in ``model.params`` (a dict of arrays) and return gradients as a dict with
the same keys. The recurrent part is a *cell* chosen by name (``cell="rnn"``, see ``cells.py``); the
models reach it only through ``_recurrence_forward`` and ``_recurrence_backward``. The output layer
is always ``y = Why h + by``. Dimensions: N batch, T steps, V vocabulary, H hidden size, K outputs.

Initialisation: every weight matrix starts uniform in [-1/sqrt(H), 1/sqrt(H)], as ``torch.nn.RNN``
does, and biases start at zero. Each weight then has variance 1/(3H), so ``Whh h`` and ``Why h`` (sums
of H terms with every entry of h in [-1, 1]) stay below unit size whatever H is: tanh starts in its
near-linear range, neither saturated nor flat. ``Whh``'s largest |eigenvalue| comes out near
1/sqrt(3), about 0.6, for any H: below 1, so at the start a gradient shrinks rather than explodes as
it travels back through time. A one-hot input adds one column of ``Wxh`` per step, entries of size
about 1/sqrt(3H).
"""

from __future__ import annotations

from numbers import Real
from typing import NamedTuple

import numpy as np

from ._validate import (
    finite_params,
    float_dtype,
    id_batch,
    labelled_examples,
    parameter_budget,
    positive_int,
    seed_value,
    sequence_lengths,
    token_ids,
)
from .cells import get_cell
from .layers import affine_backward, affine_forward
from .losses import cross_entropy, softmax, softmax_with_temperature
from .serialisation import load_model, save_model
from .text import Vocabulary, pad_batch


class Batch(NamedTuple):
    """A padded batch for the classifier: ids (N, T), mask (N, T), labels (N,)."""

    ids: np.ndarray
    mask: np.ndarray
    labels: np.ndarray


class RecurrentModel:
    """What both models share: parameters, the recurrent cell, the vocabulary, save and load."""

    def __init__(self, vocab: Vocabulary | int, hidden_size: int, output_size: int, seed: int = 0,
                 dtype=np.float64, cell: str = "rnn"):
        if isinstance(vocab, Vocabulary):
            self.vocab, vocab_size = vocab, len(vocab)
        else:
            self.vocab, vocab_size = None, positive_int(vocab, "vocab (the vocabulary size)")
        self.vocab_size = vocab_size
        self.hidden_size = positive_int(hidden_size, "hidden_size")
        self.output_size = positive_int(output_size, "output_size")
        self.seed = seed_value(seed)
        self.dtype = float_dtype(dtype)
        self.cell_name, self.cell = cell, get_cell(cell)
        V, H, K = vocab_size, self.hidden_size, self.output_size
        parameter_budget(H * (V + H) + K * H, f"{type(self).__name__}(vocab of {V}, hidden_size={H})")
        rng = np.random.default_rng(self.seed)
        bound = 1.0 / np.sqrt(H)

        def uniform(*shape):
            return rng.uniform(-bound, bound, size=shape).astype(self.dtype)

        self.params: dict[str, np.ndarray] = self.cell.init_params(V, H, uniform, self.dtype)
        self.params["Why"] = uniform(K, H)
        self.params["by"] = np.zeros(K, dtype=self.dtype)

    # --- the seam to the recurrent cell --------------------------------------------------------

    def _recurrence_forward(self, ids: np.ndarray, state0=None):
        """Run the cell over ids (N, T): ``(hs (N, T, H), final_state, cache)``; state0 None means zeros."""
        N = len(ids)
        state0 = (self.cell.initial_state(N, self.hidden_size, self.dtype) if state0 is None
                  else self.cell.as_state(state0, N, self.hidden_size, self.dtype))
        return self.cell.forward(ids, state0, self.params)

    def _recurrence_backward(self, dhs: np.ndarray, cache, grads: dict):
        """Add the cell's parameter gradients to ``grads`` from dhs (N, T, H); return the initial state's gradient."""
        dstate0, cell_grads = self.cell.backward(dhs, cache)
        grads.update(cell_grads)
        return dstate0

    # --- shared helpers ------------------------------------------------------------------------

    def require_vocab(self) -> Vocabulary:
        """The model's ``Vocabulary``; a TypeError if it was built from a vocabulary size only."""
        if self.vocab is None:
            raise TypeError(f"this {type(self).__name__} was built from a vocabulary size, not a Vocabulary, "
                            "so it cannot read text; build it with Vocabulary.from_texts(...) instead.")
        return self.vocab

    _require_vocab = require_vocab          # the old name, kept so existing callers keep working

    def require_finite(self) -> None:
        """Raise a ValueError naming the first parameter that holds NaN or inf."""
        finite_params(self.params, type(self).__name__)

    def num_parameters(self) -> int:
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        cell = "" if self.cell_name == "rnn" else f"cell={self.cell_name!r}, "
        return (f"{type(self).__name__}({cell}vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, "
                f"output_size={self.output_size}, parameters={self.num_parameters()})")

    # --- save and load -----------------------------------------------------------------------

    def config(self) -> dict:
        """The constructor settings besides the vocabulary, as saved with the model."""
        return {"hidden_size": self.hidden_size, "seed": self.seed, "dtype": self.dtype.name, "cell": self.cell_name}

    def save(self, path) -> None:
        """Write the weights, the vocabulary and the settings to one ``.npz`` file."""
        save_model(self, path)

    @classmethod
    def load(cls, path):
        """Read a model written by ``save``. Raises a clear error for a missing or damaged file."""
        return load_model(cls, path)


class SentimentRNN(RecurrentModel):
    """Many-to-one RNN: the hidden state after a sentence's last word decides its class.

    ``h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)`` for each word, then ``y = Why h_T + by`` and
    ``p = softmax(y)``, with T each sentence's own length. Batches are right-padded: the cell runs
    over every step and each sentence is read at its last real word (index length - 1), so the
    padding after it changes nothing.
    """

    def __init__(self, vocab: Vocabulary | int, hidden_size: int = 64, num_classes: int = 2, seed: int = 0,
                 dtype=np.float64, cell: str = "rnn"):
        if positive_int(num_classes, "num_classes") < 2:
            raise ValueError("num_classes must be at least 2: with one class there is nothing to decide.")
        super().__init__(vocab, hidden_size, num_classes, seed, dtype, cell)
        self.num_classes = self.output_size

    def config(self) -> dict:
        return {**super().config(), "num_classes": self.num_classes}

    def make_batch(self, examples) -> Batch:
        """A padded ``Batch`` from a list of ``(text, label)`` pairs."""
        self.require_vocab()
        texts, labels = labelled_examples(examples, self.num_classes)
        ids, mask = self.encode(texts)
        return Batch(ids, mask, np.array(labels))

    def encode(self, texts) -> tuple[np.ndarray, np.ndarray]:
        """Padded ids (N, T) and mask (N, T) for a list of texts."""
        vocab = self.require_vocab()
        if isinstance(texts, str):
            texts = [texts]
        return pad_batch([vocab.encode(text) for text in texts], vocab.pad_id)

    def forward(self, ids, mask=None):
        """Class scores (N, K) for ids (N, T), and the cache for ``backward``.

        mask: (N, T) booleans from ``pad_batch``, True on real tokens; None means no padding.
        cache: ``(hs (N, T, H), lengths (N,), recurrence cache, output-layer cache)``.
        """
        ids = id_batch(ids, self.vocab_size, "ids")
        N, T = ids.shape
        lengths = np.full(N, T) if mask is None else sequence_lengths(mask, (N, T))
        hs, _, recurrence_cache = self._recurrence_forward(ids)
        h_last = hs[np.arange(N), lengths - 1]              # each sentence's state after its last real word
        logits, out_cache = affine_forward(h_last, self.params["Why"], self.params["by"])
        return logits, (hs, lengths, recurrence_cache, out_cache)

    def backward(self, dlogits, cache) -> dict[str, np.ndarray]:
        """Gradients of every parameter, from the gradient of the class scores (N, K)."""
        hs, lengths, recurrence_cache, out_cache = cache
        grads = {}
        dh_last, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
        dhs = np.zeros_like(hs)
        dhs[np.arange(len(hs)), lengths - 1] = dh_last      # only each sentence's last real state reaches the loss
        self._recurrence_backward(dhs, recurrence_cache, grads)
        return {name: grads[name] for name in self.params}

    def loss(self, batch: Batch) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy over the batch and the gradient of every parameter."""
        ids, mask, labels = batch
        logits, cache = self.forward(ids, mask)
        loss, dlogits = cross_entropy(logits, labels)
        return loss, self.backward(dlogits, cache)

    def predict_proba(self, texts) -> np.ndarray:
        """Class probabilities (N, K) for a list of texts (or one text)."""
        self.require_finite()
        logits, _ = self.forward(*self.encode(texts))
        return softmax(logits)

    def predict(self, texts) -> np.ndarray:
        """The most likely class (N,) for each text: 1 = positive, 0 = negative."""
        return self.predict_proba(texts).argmax(axis=1)

    def hidden_states(self, text: str) -> np.ndarray:
        """The hidden state after each token of one text, shape (T, H): one row per token (word or character)."""
        self.require_finite()
        ids, _ = self.encode([text])
        hs, _, _ = self._recurrence_forward(ids)
        return hs[0]

    def evaluate(self, examples) -> tuple[float, float]:
        """Mean loss and accuracy (fraction correct) on a list of ``(text, label)`` pairs."""
        self.require_finite()
        batch = self.make_batch(examples)
        logits, _ = self.forward(batch.ids, batch.mask)
        loss, _ = cross_entropy(logits, batch.labels)
        return loss, float(np.mean(logits.argmax(axis=1) == batch.labels))


class CharRNN(RecurrentModel):
    """Many-to-many RNN: after every character it predicts the next one.

    Trained with truncated BPTT: the text is cut into chunks of T characters, gradients flow back
    only inside a chunk, and the state at the end of a chunk starts the next one.
    """

    def __init__(self, vocab: Vocabulary | int, hidden_size: int = 100, seed: int = 0, dtype=np.float64,
                 cell: str = "rnn"):
        size = len(vocab) if isinstance(vocab, Vocabulary) else vocab
        super().__init__(vocab, hidden_size, positive_int(size, "vocab (the vocabulary size)"), seed, dtype, cell)

    def forward(self, inputs, h0=None):
        """Next-character scores (N, T, V) for input ids (N, T), and a cache.

        h0: the state carried over from the previous chunk (None: zeros). For the vanilla cell it is an
        (N, H) array; other cells may carry more (see ``cells.py``).
        cache: ``(hs (N, T, H), final_state, recurrence cache, output-layer cache)``.
        """
        inputs = id_batch(inputs, self.vocab_size, "inputs")
        hs, final_state, recurrence_cache = self._recurrence_forward(inputs, h0)
        logits, out_cache = affine_forward(hs, self.params["Why"], self.params["by"])
        return logits, (hs, final_state, recurrence_cache, out_cache)

    def loss(self, batch, h0=None):
        """Mean per-character cross-entropy of ``batch = (inputs, targets)``, both ids of shape (N, T).

        h0: the state carried over from the previous chunk (None: zeros).
        Returns ``(loss, grads, state)``; pass ``state`` as the next chunk's ``h0``.
        """
        inputs, targets = batch
        logits, (_, final_state, recurrence_cache, out_cache) = self.forward(inputs, h0)
        loss, dlogits = cross_entropy(logits, token_ids(targets, self.vocab_size, "targets"))
        grads = {}
        dhs, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
        self._recurrence_backward(dhs, recurrence_cache, grads)
        return loss, {name: grads[name] for name in self.params}, self.cell.detach(final_state)

    def sample(self, start: str, n: int, temperature: float = 1.0, rng: np.random.Generator | None = None) -> str:
        """Generate ``n`` characters after the prompt ``start``, one at a time.

        Each step divides the scores by ``temperature`` before the softmax: below 1 the model picks
        its favourite characters more often (safer, more repetitive), above 1 it takes more risks;
        a tiny temperature always picks the top character. Pass ``rng`` (a ``np.random.Generator``,
        e.g. ``np.random.default_rng(0)``) for repeatable samples.
        """
        vocab = self.require_vocab()
        n = positive_int(n, "n")
        if (isinstance(temperature, bool) or not isinstance(temperature, Real)
                or not (np.isfinite(temperature) and temperature > 0)):
            raise ValueError(f"temperature must be a number greater than 0 (and finite), got {temperature!r}.")
        if rng is None:
            rng = np.random.default_rng()
        elif not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a np.random.Generator such as np.random.default_rng(0), got {rng!r}.")
        self.require_finite()
        inputs, state, out = np.array([vocab.encode(start)]), None, []
        for _ in range(n):
            hs, state, _ = self._recurrence_forward(inputs, state)      # read the prompt, then each new character
            scores, _ = affine_forward(hs[0, -1], self.params["Why"], self.params["by"])    # (V,)
            scores = scores.astype(np.float64)                              # rng.choice wants float64 probabilities
            scores[[vocab.pad_id, vocab.unk_id]] = -np.inf                  # never emit the reserved tokens
            current = int(rng.choice(self.vocab_size, p=softmax_with_temperature(scores, temperature)))
            out.append(current)
            inputs = np.array([[current]])
        return vocab.decode(out)

    def perplexity(self, text: str, seq_length: int = 100) -> float:
        """``exp(mean cross-entropy per character)`` of predicting ``text``; 1 is perfect, V is guessing."""
        seq_length = positive_int(seq_length, "seq_length")
        ids = np.asarray(self.require_vocab().encode(text))
        if len(ids) < 2:
            raise ValueError("perplexity needs a text of at least two characters.")
        self.require_finite()
        total, count, state = 0.0, 0, None
        for start in range(0, len(ids) - 1, seq_length):
            chunk = ids[start : start + seq_length + 1]
            logits, (_, state, _, _) = self.forward(chunk[None, :-1], state)
            loss, _ = cross_entropy(logits, chunk[None, 1:])
            total += loss * (len(chunk) - 1)
            count += len(chunk) - 1
        return float(np.exp(total / count))
