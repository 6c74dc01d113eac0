"""Turning text into numbers: tokenising, a vocabulary, one-hot vectors and padded batches.

Dimensions used below: N sentences in a batch, T the longest sentence, V the vocabulary size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from numbers import Integral

import numpy as np

from ._validate import positive_int

# one_hot refuses to build arrays larger than this (a one-hot of a huge vocabulary is mostly zeros).
ONE_HOT_MAX_BYTES = 2**30

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
        if isinstance(tokens, str) or not isinstance(tokens, Iterable):
            raise TypeError(f"tokens must be a list of token strings, got {type(tokens).__name__}; for the tokens "
                            "of a text use Vocabulary.from_texts([text]).")
        tokens = list(tokens)
        for i, token in enumerate(tokens):
            if not isinstance(token, str) or not token:
                raise TypeError(f"tokens[{i}] must be a non-empty string, got {token!r}.")
        self.level = level
        self.itos: list[str] = [PAD, UNK] + sorted(set(tokens) - {PAD, UNK})
        self.stoi: dict[str, int] = {token: i for i, token in enumerate(self.itos)}

    @classmethod
    def from_texts(cls, texts: Iterable[str], level: str = "word", min_freq: int = 1) -> Vocabulary:
        """Build a vocabulary from the tokens of ``texts`` that occur at least ``min_freq`` times."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not a single string; wrap it: [text].")
        if not isinstance(texts, Iterable):
            raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}.")
        if level not in ("word", "char"):
            raise ValueError(f'level must be "word" or "char", got {level!r}.')
        if isinstance(min_freq, bool) or not isinstance(min_freq, Integral):
            raise TypeError(f"min_freq must be a whole number >= 1, got {min_freq!r} ({type(min_freq).__name__}).")
        if min_freq < 1:
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
        if not isinstance(strict, (bool, np.bool_)):
            raise TypeError(f"strict must be True or False, got {strict!r}.")
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
        """The text for a sequence of ids, shape (T,) (padding dropped); words are joined by spaces.

        ids must be whole numbers (a list or an integer array; a batch of one, shape (1, T), is read as
        its one row); an empty sequence gives "".
        """
        if isinstance(ids, (str, bytes)) or not isinstance(ids, (Iterable, np.ndarray)):
            raise TypeError(f"ids must be a sequence of token ids, got {type(ids).__name__}: {ids!r}"
                            + ("; wrap a single id: [id]." if isinstance(ids, Integral) else "."))
        array = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids)
        if array.size and array.dtype.kind not in "iu":
            raise TypeError(f"ids must be whole numbers, got dtype {array.dtype} ({array.reshape(-1)[:3].tolist()}"
                            f"{'...' if array.size > 3 else ''}); a float id such as 2.7 is no token.")
        if array.ndim > 1 and any(n != 1 for n in array.shape[:-1]):   # (1, T), a batch of one, is one sequence
            raise ValueError(f"ids must be one sequence, shape (T,), got shape {array.shape}; decode each row.")
        tokens = []
        for i in array.reshape(-1):
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
    """Rows of the identity matrix: ``one_hot(ids, V)[..., k] == (ids == k)``, shape ids.shape + (V,).

    Refuses (ValueError) to build more than ``ONE_HOT_MAX_BYTES`` (1 GiB): for a large vocabulary,
    look the ids up instead (a column gather of the weights), which is what the layers do.
    """
    ids = np.asarray(ids)
    size = positive_int(size, "size")
    if ids.dtype.kind not in "iu":
        raise TypeError(f"ids must be whole numbers, got dtype {ids.dtype}.")
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"ids must lie in 0..{size - 1}, got values from {ids.min()} to {ids.max()}.")
    nbytes = ids.size * size * 8
    if nbytes > ONE_HOT_MAX_BYTES:
        raise ValueError(f"one_hot of {ids.size} ids with size={size} would take {nbytes / 2**30:.1f} GiB "
                         f"(limit {ONE_HOT_MAX_BYTES / 2**30:g} GiB); use the ids directly instead.")
    out = np.zeros(ids.shape + (size,))
    np.put_along_axis(out, ids[..., None], 1.0, axis=-1)   # no size x size identity matrix needed
    return out


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stack variable-length id sequences into one right-padded batch.

    Returns ``ids`` of shape (N, T) with ``pad_id`` after each sequence ends, and ``mask`` of shape
    (N, T), True where a real token stands.
    """
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, (Iterable, np.ndarray)):
        raise TypeError(f"sequences must be a list of id sequences, got {type(sequences).__name__}.")
    if isinstance(pad_id, bool) or not isinstance(pad_id, Integral) or pad_id < 0:
        raise TypeError(f"pad_id must be a whole number >= 0, got {pad_id!r}.")
    sequences = [np.asarray(seq) if not isinstance(seq, (str, bytes)) else seq for seq in sequences]
    if len(sequences) == 0:
        raise ValueError("pad_batch needs at least one sequence.")
    for i, seq in enumerate(sequences):
        if not isinstance(seq, np.ndarray) or seq.ndim != 1:
            raise TypeError(f"sequences[{i}] must be a 1-D sequence of token ids, got {seq!r}.")
        if seq.size and seq.dtype.kind not in "iu":
            raise TypeError(f"sequences[{i}] must hold whole-number ids, got dtype {seq.dtype}.")
        if seq.size and seq.min() < 0:
            raise ValueError(f"sequences[{i}] holds the id {seq.min()}; ids are >= 0.")
    lengths = [len(seq) for seq in sequences]
    if min(lengths) == 0:
        raise ValueError(f"sequence {lengths.index(0)} is empty; every sequence needs at least one token.")
    ids = np.full((len(sequences), max(lengths)), pad_id, dtype=np.int64)
    mask = np.zeros(ids.shape, dtype=bool)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = True
    return ids, mask
