"""A character n-gram language model: counting with interpolated Kneser-Ney smoothing.

This is the baseline a character RNN has to beat. It predicts the next character from the previous
``order - 1`` characters only, by counting how often each character followed that context in the
training text. Unseen contexts and characters get probability from shorter contexts
(interpolation), so nothing has probability zero:

    P(c | h) = max(count(h c) - d, 0) / count(h)  +  d * types(h) / count(h) * P(c | h minus its first character)

``d`` (the discount, 0 < d < 1) is taken from every seen count and handed to the shorter context;
``types(h)`` is how many different characters followed ``h``. The shorter contexts count in how many
different contexts a string occurs rather than how often (Kneser and Ney's idea), and the shortest
level falls back to the uniform distribution over the vocabulary. An order-1 model is a smoothed
character frequency table.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from numbers import Real

import numpy as np

from ._validate import positive_int

UNKNOWN = "\x00"  # stands for any character the training text did not contain


class NGramModel:
    """Character n-gram model with interpolated Kneser-Ney smoothing.

    >>> model = NGramModel(order=3).fit("the cat sat on the mat")
    >>> round(model.prob("t", "the ma"), 3)     # only "ma" counts: it was followed by "t" once
    0.837
    >>> round(model.perplexity("the rat sat"), 3)
    2.884
    """

    def __init__(self, order: int = 3, discount: float = 0.75):
        self.order = positive_int(order, "order")
        if isinstance(discount, bool) or not isinstance(discount, Real) or not 0 < discount < 1:
            raise ValueError(f"discount must be a number strictly between 0 and 1, got {discount!r}.")
        self.discount = float(discount)
        self.vocab: list[str] | None = None

    def fit(self, text: str, vocab=None) -> NGramModel:
        """Count the n-grams of ``text`` and return the model. ``vocab``: the characters to spread
        probability over (default: those of ``text``); one extra symbol stands for every other character."""
        if not isinstance(text, str) or len(text) < 2:
            raise ValueError(f"text must be a string of at least 2 characters, got {text!r:.40}.")
        chars = set(text) if vocab is None else set(vocab)
        if not chars or not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise TypeError(f"vocab must be an iterable of single characters (a string works), got {vocab!r:.60}.")
        self.vocab = sorted(chars - {UNKNOWN}) + [UNKNOWN]
        text = self._encode(text)
        # raw[k][h][c]: how often c followed the k-character context h; the longest context uses these.
        # cont[k][h][c]: after how many *different* characters the string h + c occurs (the shorter contexts).
        self.raw = [defaultdict(Counter) for _ in range(self.order)]
        self.cont = [defaultdict(Counter) for _ in range(self.order)]
        for k in range(self.order):
            for i in range(k, len(text)):
                self.raw[k][text[i - k : i]][text[i]] += 1
            for gram in {text[i - k - 1 : i + 1] for i in range(k + 1, len(text))}:
                self.cont[k][gram[1:-1]][gram[-1]] += 1
        return self

    def _encode(self, text: str) -> str:
        known = set(self.vocab)
        return "".join(c if c in known else UNKNOWN for c in text)

    def _require_fit(self) -> None:
        if self.vocab is None:
            raise RuntimeError("this NGramModel has not been fitted; call model.fit(text) first.")

    def _stats(self, text: str, order: int, positions=None) -> np.ndarray:
        """For each predicted position t (default 1 .. len - 1) and each context length k < order: the
        count of (context, text[t]), the context's total count and its number of distinct next
        characters. Shape (order, positions, 3); zeros where the context never occurred."""
        positions = range(1, len(text)) if positions is None else positions
        stats = np.zeros((order, len(positions), 3))
        for k in range(order):
            table = self.raw[k] if k == order - 1 else self.cont[k]
            for row, t in enumerate(positions):
                seen = table.get(text[t - k : t]) if t >= k else None   # no context of length k before t = k
                if seen is not None:
                    stats[k, row] = seen.get(text[t], 0), seen.total(), len(seen)
        return stats

    def _log_probs(self, stats: np.ndarray, discount: float) -> np.ndarray:
        p = np.full(stats.shape[1], 1.0 / len(self.vocab))
        for count, total, types in stats.transpose(0, 2, 1):   # from the empty context to the longest one
            seen = total > 0                       # an unseen context hands its share on unchanged
            safe = np.where(seen, total, 1.0)
            p = np.where(seen, np.maximum(count - discount, 0.0) / safe + discount * types / safe * p, p)
        return np.log(p)

    def prob(self, char: str, context: str = "") -> float:
        """P(char | context); only the last ``order - 1`` characters of ``context`` count."""
        self._require_fit()
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError(f"char must be a single character, got {char!r}.")
        if not isinstance(context, str):
            raise TypeError(f"context must be a string, got {type(context).__name__}.")
        context = context[max(0, len(context) - self.order + 1) :] if self.order > 1 else ""
        text = self._encode(context + char)
        return float(np.exp(self._log_probs(self._stats(text, self.order, [len(text) - 1]), self.discount)[0]))

    def log_probs(self, text: str) -> np.ndarray:
        """ln P(text[t] | the characters before it in ``text``) for t = 1 .. len(text) - 1, shape (len - 1,).

        The first character is not predicted, as in ``CharRNN.perplexity``.
        """
        self._require_fit()
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}.")
        if len(text) < 2:
            raise ValueError("log_probs needs a text of at least two characters.")
        return self._log_probs(self._stats(self._encode(text), self.order), self.discount)

    def perplexity(self, text: str) -> float:
        """``exp(mean negative log-probability per character)`` on ``text``, like ``CharRNN.perplexity``."""
        return float(np.exp(-self.log_probs(text).mean()))

    def sample(self, start: str, n: int, rng: np.random.Generator | None = None) -> str:
        """Draw ``n`` characters after ``start``, one at a time (the unknown symbol is never drawn)."""
        self._require_fit()
        n = positive_int(n, "n")
        rng = np.random.default_rng() if rng is None else rng
        text, chars = start, self.vocab[:-1]
        for _ in range(n):
            probs = np.array([self.prob(c, text) for c in chars])
            text += chars[rng.choice(len(chars), p=probs / probs.sum())]
        return text[len(start) :]


def best_ngram(train_text: str, valid_text: str, orders=range(1, 8), discounts=(0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95),
               vocab=None) -> tuple[NGramModel, dict[tuple[int, float], float]]:
    """Fit every (order, discount) pair on ``train_text`` and keep the one with the lowest perplexity
    on ``valid_text``. Returns ``(best_model, {(order, discount): perplexity})``.

    Choosing on the text you then report is optimistic for the counting model: it is tuned on its test.
    """
    orders = [positive_int(order, "orders (each)") for order in orders]
    for d in discounts:
        NGramModel(1, d)                               # validates each discount
    counts = NGramModel(max(orders)).fit(train_text, vocab)   # one set of counts serves every shorter order
    valid = counts._encode(valid_text)
    if len(valid) < 2:
        raise ValueError("valid_text needs at least two characters.")
    results = {}
    for order in orders:
        stats = counts._stats(valid, order)
        for d in discounts:
            results[order, d] = float(np.exp(-counts._log_probs(stats, d).mean()))
    order, d = min(results, key=results.get)
    return NGramModel(order, d).fit(train_text, vocab), results
