"""Turning text into numbers: tokenising, a vocabulary, one-hot vectors and padded batches.

Dimensions used below: N sentences in a batch, T the longest sentence, V the vocabulary size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

PAD = "<pad>"
UNK = "<unk>"

# A word is a run of letters, digits or apostrophes; any other visible character stands alone.
# ([^\W_] is "a letter or digit" in any alphabet, so "café" stays one word.)
_TOKEN = re.compile(r"(?:[^\W_]|')+|\S")


def _require_text(text, what: str = "text", level: str = "word") -> str:
    """Return ``text`` if it holds at least one token at ``level``, else raise.

    A space or a newline is a real token for a character-level vocabulary, so at that level only
    the empty string is empty; for words, whitespace alone holds nothing.
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string, got {type(text).__name__}: {text!r}.")
    if not (text if level == "char" else text.strip()):
        raise ValueError(f"{what} is empty; give at least one word or character.")
    return text


def tokenize(text: str) -> list[str]:
    """Split ``text`` into lower-case word tokens; punctuation marks become tokens of their own.

    >>> tokenize("Not bad, really!")
    ['not', 'bad', ',', 'really', '!']
    """
    return _TOKEN.findall(_require_text(text).lower())


class Vocabulary:
    """A two-way map between tokens and integer ids.

    Ids 0 and 1 are reserved for ``<pad>`` (filler after a short sentence) and ``<unk>`` (any token
    not seen when the vocabulary was built). The other tokens follow in sorted order, so the same
    texts always give the same ids on every machine.
    """

    def __init__(self, tokens: Iterable[str], level: str = "word"):
        if level not in ("word", "char"):
            raise ValueError(f'level must be "word" or "char", got {level!r}.')
        self.level = level
        self.itos: list[str] = [PAD, UNK] + sorted(set(tokens) - {PAD, UNK})
        self.stoi: dict[str, int] = {token: i for i, token in enumerate(self.itos)}

    @classmethod
    def from_texts(cls, texts: Iterable[str], level: str = "word", min_freq: int = 1) -> Vocabulary:
        """Build a vocabulary from the tokens of ``texts`` that occur at least ``min_freq`` times."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not a single string; wrap it: [text].")
        if level not in ("word", "char"):
            raise ValueError(f'level must be "word" or "char", got {level!r}.')
        if isinstance(min_freq, bool) or not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"min_freq must be a whole number >= 1, got {min_freq!r}.")
        counts: Counter[str] = Counter()
        for i, text in enumerate(texts):
            counts.update(_split(text, level, f"texts[{i}]"))
        if not counts:
            raise ValueError("cannot build a vocabulary from no texts; pass at least one non-empty string.")
        kept = [token for token, count in counts.items() if count >= min_freq]
        if not kept:
            raise ValueError(f"no token occurs at least min_freq={min_freq} times; lower min_freq.")
        return cls(kept, level=level)

    @classmethod
    def from_itos(cls, itos: Sequence[str], level: str = "word") -> Vocabulary:
        """The vocabulary whose id ``i`` is ``itos[i]``, e.g. as saved with a model (``vocab.itos``).

        ``itos`` must start with ``<pad>``, ``<unk>`` and hold each token once.
        """
        if isinstance(itos, str) or not all(isinstance(token, str) for token in itos):
            raise TypeError("itos must be a list of token strings, id 0 first.")
        itos = list(itos)
        if itos[:2] != [PAD, UNK]:
            raise ValueError(f"itos must start with {PAD!r} and {UNK!r} (ids 0 and 1), got {itos[:2]!r}.")
        if len(set(itos)) != len(itos):
            raise ValueError("itos lists a token twice; every token needs exactly one id.")
        vocab = cls([], level=level)
        vocab.itos = itos
        vocab.stoi = {token: i for i, token in enumerate(itos)}
        return vocab

    @property
    def pad_id(self) -> int:
        return self.stoi[PAD]

    @property
    def unk_id(self) -> int:
        return self.stoi[UNK]

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        preview = ", ".join(self.itos[2:8])
        return f"Vocabulary({len(self)} tokens, level={self.level!r}: {preview}, ...)"

    def tokens(self, text: str) -> list[str]:
        """The tokens of ``text`` at this vocabulary's level (words or characters)."""
        return _split(text, self.level, "text")

    def encode(self, text: str, strict: bool = False) -> list[int]:
        """Token ids of ``text``, shape (T,). Unknown tokens map to ``<unk>``, or raise with ``strict``."""
        ids = []
        for token in self.tokens(text):
            if token in self.stoi:
                ids.append(self.stoi[token])
            elif strict:
                raise KeyError(f"{token!r} is not in the vocabulary ({len(self)} tokens); "
                               "add it to the training texts or call encode with strict=False to use <unk>.")
            else:
                ids.append(self.unk_id)
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text for a sequence of ids (padding dropped); words are joined by spaces."""
        tokens = []
        for i in np.asarray(list(ids)).reshape(-1):
            if not 0 <= i < len(self):
                raise KeyError(f"id {i} is outside this vocabulary (valid ids: 0 to {len(self) - 1}).")
            if i != self.pad_id:
                tokens.append(self.itos[int(i)])
        return ("" if self.level == "char" else " ").join(tokens)

    def one_hot(self, ids) -> np.ndarray:
        """One-hot rows for ``ids``: ids of shape S give an array of shape S + (V,)."""
        return one_hot(ids, len(self))


def _split(text, level: str, what: str) -> list[str]:
    text = _require_text(text, what, level)
    return list(text) if level == "char" else tokenize(text)


def one_hot(ids, size: int) -> np.ndarray:
    """Rows of the identity matrix: ``one_hot(ids, V)[..., k] == (ids == k)``, shape ids.shape + (V,)."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"ids must be whole numbers, got dtype {ids.dtype}.")
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"ids must lie in 0..{size - 1}, got values from {ids.min()} to {ids.max()}.")
    return np.eye(size)[ids]


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stack variable-length id sequences into one right-padded batch.

    Returns ``ids`` of shape (N, T) with ``pad_id`` after each sequence ends, and ``mask`` of shape
    (N, T), True where a real token stands.
    """
    if len(sequences) == 0:
        raise ValueError("pad_batch needs at least one sequence.")
    lengths = [len(seq) for seq in sequences]
    if min(lengths) == 0:
        raise ValueError(f"sequence {lengths.index(0)} is empty; every sequence needs at least one token.")
    ids = np.full((len(sequences), max(lengths)), pad_id, dtype=np.int64)
    mask = np.zeros(ids.shape, dtype=bool)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = True
    return ids, mask
