"""Two vanilla RNNs that share one BPTT core.

- ``SentimentRNN``: many-to-one. Reads a sentence word by word and classifies it from the last
  hidden state.
- ``CharRNN``: many-to-many. Reads text character by character and predicts the next character at
  every step.

Both keep their weights in ``model.params`` (a dict of arrays) and return gradients as a dict with
the same keys. Dimensions: N batch, T steps, V vocabulary, H hidden size, K outputs.

Initialisation: every weight matrix starts uniform in [-1/sqrt(H), 1/sqrt(H)], as ``torch.nn.RNN``
does, and biases start at zero. Each weight then has variance 1/(3H), so ``Whh h`` and ``Why h`` (sums
of H terms with every entry of h in [-1, 1]) stay below unit size whatever H is: tanh starts in its
near-linear range, neither saturated nor flat. ``Whh``'s largest |eigenvalue| comes out near
1/sqrt(3), about 0.6, for any H: below 1, so at the start a gradient shrinks rather than explodes as
it travels back through time. A one-hot input adds one column of ``Wxh`` per step, entries of size
about 1/sqrt(3H).
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from numbers import Real
from typing import NamedTuple

import numpy as np

from ._validate import positive_int
from .layers import affine_backward, affine_forward, rnn_backward, rnn_forward
from .losses import cross_entropy, softmax
from .text import Vocabulary, pad_batch


class Batch(NamedTuple):
    """A padded batch for the classifier: ids (N, T), mask (N, T), labels (N,)."""

    ids: np.ndarray
    mask: np.ndarray
    labels: np.ndarray


class RecurrentModel:
    """What both models share: parameters, the recurrent core, the vocabulary, save and load."""

    def __init__(self, vocab: Vocabulary | int, hidden_size: int, output_size: int, seed: int = 0, dtype=np.float64):
        if isinstance(vocab, Vocabulary):
            self.vocab, vocab_size = vocab, len(vocab)
        else:
            self.vocab, vocab_size = None, positive_int(vocab, "vocab (the vocabulary size)")
        self.vocab_size = vocab_size
        self.hidden_size = positive_int(hidden_size, "hidden_size")
        self.output_size = positive_int(output_size, "output_size")
        self.seed = seed
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.hidden_size)
        V, H, K = vocab_size, self.hidden_size, self.output_size

        def uniform(*shape):
            return rng.uniform(-bound, bound, size=shape).astype(self.dtype)

        self.params: dict[str, np.ndarray] = {
            "Wxh": uniform(H, V),
            "Whh": uniform(H, H),
            "bh": np.zeros(H, dtype=self.dtype),
            "Why": uniform(K, H),
            "by": np.zeros(K, dtype=self.dtype),
        }

    # --- the shared core ---------------------------------------------------------------------

    def _initial_state(self, N: int, h0=None) -> np.ndarray:
        if h0 is None:
            return np.zeros((N, self.hidden_size), dtype=self.dtype)
        return np.asarray(h0, dtype=self.dtype)

    def _check_ids(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"token ids must be integers, got dtype {ids.dtype}.")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"token ids must lie in 0..{self.vocab_size - 1} for this model, "
                             f"got values from {ids.min()} to {ids.max()}.")
        return ids

    def _hidden(self, ids, h0=None, mask=None):
        """Every hidden state for a batch of id sequences: (N, T, H), and the cache."""
        ids = self._check_ids(ids)
        p = self.params
        return rnn_forward(ids, self._initial_state(len(ids), h0), p["Wxh"], p["Whh"], p["bh"], mask)

    def _hidden_backward(self, dh, cache, grads):
        _, dh0, grads["Wxh"], grads["Whh"], grads["bh"] = rnn_backward(dh, cache)
        return dh0

    def _require_vocab(self) -> Vocabulary:
        if self.vocab is None:
            raise TypeError(f"this {type(self).__name__} was built from a vocabulary size, not a Vocabulary, "
                            "so it cannot read text; build it with Vocabulary.from_texts(...) instead.")
        return self.vocab

    def num_parameters(self) -> int:
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, "
                f"output_size={self.output_size}, parameters={self.num_parameters()})")

    # --- save and load -----------------------------------------------------------------------

    def _config(self) -> dict:
        return {"hidden_size": self.hidden_size, "seed": self.seed, "dtype": self.dtype.name}

    def save(self, path) -> None:
        """Write the weights, the vocabulary and the hyper-parameters to one ``.npz`` file."""
        meta = {"class": type(self).__name__, "config": self._config(), "vocab_size": self.vocab_size,
                "vocab": None if self.vocab is None else {"itos": self.vocab.itos, "level": self.vocab.level}}
        np.savez(path, meta=np.array(json.dumps(meta)), **self.params)

    @classmethod
    def load(cls, path):
        """Read a model written by ``save``. Raises a clear error for a missing or damaged file."""
        path = os.fspath(path)
        if not os.path.isfile(path) and os.path.isfile(path + ".npz"):
            path += ".npz"                  # np.savez appended the suffix to the name save() was given
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no saved model at {path!r}; check the path (save() writes a .npz file).")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if not isinstance(meta, dict) or not {"class", "config", "vocab", "vocab_size"} <= set(meta):
                    raise ValueError("its metadata lacks the class, config and vocabulary entries")
                arrays = {name: data[name] for name in ("Wxh", "Whh", "bh", "Why", "by")}
        # An empty or cut-short file raises EOFError, a plain .npy array TypeError (it is no archive),
        # a damaged zip header NotImplementedError or zlib.error: all mean "not a model file".
        except (OSError, ValueError, KeyError, TypeError, EOFError, NotImplementedError, zlib.error,
                zipfile.BadZipFile, json.JSONDecodeError) as err:
            raise ValueError(f"{path!r} is not a model saved by rnn_lib, or it is damaged ({err}).") from None
        if meta.get("class") != cls.__name__:
            raise ValueError(f"{path!r} holds a {meta.get('class')}, not a {cls.__name__}; "
                             f"load it with {meta.get('class')}.load.")
        if meta["vocab"] is None:
            vocab = meta["vocab_size"]
        else:
            vocab = Vocabulary([], level=meta["vocab"]["level"])
            vocab.itos = list(meta["vocab"]["itos"])
            vocab.stoi = {token: i for i, token in enumerate(vocab.itos)}
        model = cls(vocab, **meta["config"])
        for name, value in arrays.items():
            if value.shape != model.params[name].shape:
                raise ValueError(f"{path!r} is damaged: {name} has shape {value.shape}, "
                                 f"expected {model.params[name].shape}.")
            model.params[name][...] = value
        return model


class SentimentRNN(RecurrentModel):
    """Many-to-one RNN: the last hidden state of a sentence decides its class.

    ``h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)`` for each word, then ``y = Why h_T + by`` and
    ``p = softmax(y)``. Batches are right-padded and masked, so sentences of any length share a batch.
    """

    def __init__(self, vocab: Vocabulary | int, hidden_size: int = 64, num_classes: int = 2, seed: int = 0,
                 dtype=np.float64):
        super().__init__(vocab, hidden_size, positive_int(num_classes, "num_classes"), seed, dtype)
        self.num_classes = self.output_size

    def _config(self) -> dict:
        return {**super()._config(), "num_classes": self.num_classes}

    def make_batch(self, examples) -> Batch:
        """A padded ``Batch`` from a list of ``(text, label)`` pairs."""
        self._require_vocab()
        if len(examples) == 0:
            raise ValueError("examples is empty; pass a list of (text, label) pairs.")
        texts, labels = [], []
        for i, example in enumerate(examples):
            if not (isinstance(example, (tuple, list)) and len(example) == 2):
                raise TypeError(f"examples[{i}] should be a (text, label) pair, got {example!r}.")
            text, label = example
            if isinstance(label, (bool, np.bool_)):
                label = int(label)
            if not isinstance(label, (int, np.integer)) or not 0 <= label < self.num_classes:
                raise ValueError(f"examples[{i}] has label {label!r}; labels must be whole numbers "
                                 f"0..{self.num_classes - 1}.")
            texts.append(text)
            labels.append(int(label))
        ids, mask = self.encode(texts)
        return Batch(ids, mask, np.array(labels))

    def encode(self, texts) -> tuple[np.ndarray, np.ndarray]:
        """Padded ids (N, T) and mask (N, T) for a list of texts."""
        vocab = self._require_vocab()
        if isinstance(texts, str):
            texts = [texts]
        return pad_batch([vocab.encode(text) for text in texts], vocab.pad_id)

    def forward(self, ids, mask=None):
        """Class scores (N, K) for ids (N, T), and the cache for ``backward``."""
        hs, rnn_cache = self._hidden(ids, mask=mask)
        logits, out_cache = affine_forward(hs[:, -1], self.params["Why"], self.params["by"])
        return logits, (hs, rnn_cache, out_cache)

    def backward(self, dlogits, cache) -> dict[str, np.ndarray]:
        """Gradients of every parameter, from the gradient of the class scores (N, K)."""
        hs, rnn_cache, out_cache = cache
        grads = {}
        dh_last, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
        dh = np.zeros_like(hs)
        dh[:, -1] = dh_last                 # only the last hidden state reaches the loss
        self._hidden_backward(dh, rnn_cache, grads)
        return {name: grads[name] for name in self.params}

    def loss(self, batch: Batch) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy over the batch and the gradient of every parameter."""
        ids, mask, labels = batch
        logits, cache = self.forward(ids, mask)
        loss, dlogits = cross_entropy(logits, labels)
        return loss, self.backward(dlogits, cache)

    def predict_proba(self, texts) -> np.ndarray:
        """Class probabilities (N, K) for a list of texts (or one text)."""
        logits, _ = self.forward(*self.encode(texts))
        return softmax(logits)

    def predict(self, texts) -> np.ndarray:
        """The most likely class (N,) for each text: 1 = positive, 0 = negative."""
        return self.predict_proba(texts).argmax(axis=1)

    def hidden_states(self, text: str) -> np.ndarray:
        """The hidden state after each token of one text, shape (T, H): one row per token (word or character)."""
        ids, mask = self.encode([text])
        hs, _ = self._hidden(ids, mask=mask)
        return hs[0]

    def evaluate(self, examples) -> tuple[float, float]:
        """Mean loss and accuracy (fraction correct) on a list of ``(text, label)`` pairs."""
        batch = self.make_batch(examples)
        logits, _ = self.forward(batch.ids, batch.mask)
        loss, _ = cross_entropy(logits, batch.labels)
        return loss, float(np.mean(logits.argmax(axis=1) == batch.labels))


class CharRNN(RecurrentModel):
    """Many-to-many RNN: after every character it predicts the next one.

    Trained with truncated BPTT: the text is cut into chunks of T characters, gradients flow back
    only inside a chunk, and the hidden state at the end of a chunk starts the next one.
    """

    def __init__(self, vocab: Vocabulary | int, hidden_size: int = 100, seed: int = 0, dtype=np.float64):
        size = len(vocab) if isinstance(vocab, Vocabulary) else vocab
        super().__init__(vocab, hidden_size, positive_int(size, "vocab (the vocabulary size)"), seed, dtype)

    def forward(self, inputs, h0=None):
        """Next-character scores (N, T, V) for input ids (N, T); also the cache."""
        hs, rnn_cache = self._hidden(inputs, h0)
        logits, out_cache = affine_forward(hs, self.params["Why"], self.params["by"])
        return logits, (hs, rnn_cache, out_cache)

    def loss(self, batch, h0=None) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Mean per-character cross-entropy of ``batch = (inputs, targets)``, both ids of shape (N, T).

        h0: the hidden state (N, H) carried over from the previous chunk (zeros if None).
        Returns ``(loss, grads, h_last)``; pass ``h_last`` as the next chunk's ``h0``.
        """
        inputs, targets = batch
        logits, (hs, rnn_cache, out_cache) = self.forward(inputs, h0)
        loss, dlogits = cross_entropy(logits, self._check_ids(targets))
        grads = {}
        dh, grads["Why"], grads["by"] = affine_backward(dlogits, out_cache)
        self._hidden_backward(dh, rnn_cache, grads)
        return loss, {name: grads[name] for name in self.params}, hs[:, -1].copy()

    def sample(self, start: str, n: int, temperature: float = 1.0, rng: np.random.Generator | None = None) -> str:
        """Generate ``n`` characters after the prompt ``start``, one at a time.

        Each step divides the scores by ``temperature`` before the softmax: below 1 the model picks
        its favourite characters more often (safer, more repetitive), above 1 it takes more risks.
        Pass ``rng`` (a ``np.random.Generator``) for repeatable samples.
        """
        vocab = self._require_vocab()
        n = positive_int(n, "n")
        if isinstance(temperature, bool) or not isinstance(temperature, Real) or not temperature > 0:
            raise ValueError(f"temperature must be a number greater than 0, got {temperature!r}.")
        rng = np.random.default_rng() if rng is None else rng
        p = self.params
        ids = vocab.encode(start)
        h = np.zeros(self.hidden_size, dtype=self.dtype)
        for i in ids[:-1]:                  # read the prompt; its last character starts the loop
            h = np.tanh(p["Wxh"][:, i] + p["Whh"] @ h + p["bh"])
        current, out = ids[-1], []
        for _ in range(n):
            h = np.tanh(p["Wxh"][:, current] + p["Whh"] @ h + p["bh"])
            scores = (p["Why"] @ h + p["by"]) / temperature
            scores[[vocab.pad_id, vocab.unk_id]] = -np.inf  # never emit the reserved tokens
            probs = softmax(scores)
            current = int(rng.choice(self.vocab_size, p=probs))
            out.append(current)
        return vocab.decode(out)

    def perplexity(self, text: str, seq_length: int = 100) -> float:
        """``exp(mean cross-entropy per character)`` of predicting ``text``; 1 is perfect, V is guessing."""
        seq_length = positive_int(seq_length, "seq_length")
        ids = np.asarray(self._require_vocab().encode(text))
        if len(ids) < 2:
            raise ValueError("perplexity needs a text of at least two characters.")
        total, count, h = 0.0, 0, None
        for start in range(0, len(ids) - 1, seq_length):
            chunk = ids[start : start + seq_length + 1]
            logits, (hs, _, _) = self.forward(chunk[None, :-1], h)
            loss, _ = cross_entropy(logits, chunk[None, 1:])
            total += loss * (len(chunk) - 1)
            count += len(chunk) - 1
            h = hs[:, -1]
        return float(np.exp(total / count))
