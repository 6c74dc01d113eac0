"""Saving a model to one ``.npz`` file and reading it back (``model.save(path)``, ``CharRNN.load(path)``).

The file holds every array of ``model.params`` under its own name, plus one JSON string ``meta``:
the class name, the constructor settings (hidden size, seed, dtype, cell, ...), the vocabulary size
and the vocabulary itself (``itos`` and ``level``), or null for a model built from a size.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib

import numpy as np

from .text import Vocabulary


def save_model(model, path) -> None:
    """Write ``model``'s weights, vocabulary and settings to ``path`` (numpy adds ``.npz`` if missing)."""
    vocab = None if model.vocab is None else {"itos": model.vocab.itos, "level": model.vocab.level}
    meta = {"class": type(model).__name__, "config": model.config(), "vocab_size": model.vocab_size, "vocab": vocab}
    np.savez(path, meta=np.array(json.dumps(meta)), **model.params)


def _read(path: str) -> tuple[dict, dict]:
    """The metadata dict and every array of the file, or a ValueError saying the file is no model."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if not hasattr(data, "files"):          # a plain .npy array, not an archive
                raise TypeError("it holds a single array, not an archive")
            meta = json.loads(str(data["meta"]))
            if not isinstance(meta, dict) or not {"class", "config", "vocab", "vocab_size"} <= set(meta):
                raise ValueError("its metadata lacks the class, config and vocabulary entries")
            arrays = {name: data[name] for name in data.files if name != "meta"}
    # An empty or cut-short file raises EOFError, a damaged zip header NotImplementedError or
    # zlib.error: all mean "not a model file".
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, NotImplementedError, zlib.error,
            zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise ValueError(f"{path!r} is not a model saved by rnn_lib, or it is damaged ({err}).") from None
    return meta, arrays


def load_model(cls, path):
    """Read a model of class ``cls`` written by ``save_model``; clear errors for a missing or damaged file."""
    path = os.fspath(path)
    if not os.path.isfile(path) and os.path.isfile(path + ".npz"):
        path += ".npz"                      # np.savez appended the suffix to the name save() was given
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no saved model at {path!r}; check the path (save() writes a .npz file).")
    meta, arrays = _read(path)
    if meta.get("class") != cls.__name__:
        raise ValueError(f"{path!r} holds a {meta.get('class')}, not a {cls.__name__}; "
                         f"load it with {meta.get('class')}.load.")
    try:
        saved_vocab = meta["vocab"]
        vocab = (meta["vocab_size"] if saved_vocab is None
                 else Vocabulary.from_itos(saved_vocab["itos"], level=saved_vocab["level"]))
        model = cls(vocab, **meta["config"])
    except (TypeError, ValueError, KeyError) as err:
        raise ValueError(f"{path!r} is damaged: its settings do not build a {cls.__name__} ({err}).") from None
    for name, target in model.params.items():
        value = arrays.get(name)
        if value is None or value.shape != target.shape:
            found = "is missing" if value is None else f"has shape {value.shape}"
            raise ValueError(f"{path!r} is damaged: {name} {found}, expected {target.shape}.")
        if value.dtype.kind not in "fiu" or not np.isfinite(value).all():
            raise ValueError(f"{path!r} holds NaN, inf or non-numbers in {name}: the model it saved had diverged "
                             "or the file is damaged. Re-train and save again.")
        target[...] = value
    return model
