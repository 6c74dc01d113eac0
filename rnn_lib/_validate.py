"""Small argument checks shared by the library, so every bad input gets a message a student can act on."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__}).")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}.")
    return int(value)


def positive_float(value, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value}.")
    return float(value)


def shape_is(array: np.ndarray, expected: tuple, name: str) -> None:
    """Raise a ValueError naming both shapes unless ``array.shape`` matches ``expected``.

    ``None`` in ``expected`` matches any size along that axis.
    """
    shape = np.shape(array)
    if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected, shape, strict=True)):
        sizes = ", ".join("any" if e is None else str(e) for e in expected)
        wanted = "(" + sizes + ("," if len(expected) == 1 else "") + ")"
        raise ValueError(f"{name} should have shape {wanted}, but it has shape {tuple(shape)}.")


def float_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a float array (floats keep their precision, integers become float64).

    Raises a TypeError for non-numeric input.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":                   # booleans (kind "b") are refused too
        raise TypeError(f"{name} must be an array of numbers, got dtype {array.dtype}.")
    return array if array.dtype.kind == "f" else array.astype(np.float64)


# --- checks used by optim, training, text and the command line -----------------------------------

def fraction_below_one(value, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a number in [0, 1) (like Adam's betas)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r} ({type(value).__name__}).")
    if not 0.0 <= value < 1.0:                          # NaN fails this comparison too
        raise ValueError(f"{name} must be at least 0 and below 1, got {value}.")
    return float(value)


def seed_value(value, name: str = "seed") -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= 0 (what default_rng accepts)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a whole number >= 0, got {value!r} ({type(value).__name__}).")
    if value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value}.")
    return int(value)


def optional_positive_float(value, name: str, none_means: str) -> float | None:
    """``None`` (which means ``none_means``), or ``value`` as a finite float > 0."""
    if value is None:
        return None
    try:
        return positive_float(value, name)
    except (TypeError, ValueError) as err:
        raise type(err)(f"{err} Pass None for {none_means}.") from None


# --- checks used by the models (models.py, serialisation.py) -------------------------------------

MAX_PARAMETERS = 200_000_000        # 1.6 GB of float64 weights: far beyond any model these notebooks train




def float_dtype(dtype) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is a floating-point type, else raise a TypeError."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating-point type such as np.float64 or np.float32, got {dtype!r}.") \
            from None
    if result.kind != "f":
        raise TypeError(f"dtype must be a floating-point type such as np.float64 or np.float32, got {result} "
                        "(weights of that type could not learn).")
    return result


def parameter_budget(count: int, what: str) -> None:
    """Refuse a model whose weights would not fit in a laptop's memory, before allocating them."""
    if count > MAX_PARAMETERS:
        raise ValueError(f"{what} would need {count:,} parameters ({count * 8 / 1e9:,.1f} GB as float64); "
                         f"the limit is {MAX_PARAMETERS:,}. Use a smaller hidden_size or vocabulary.")


def finite_params(params: dict, owner: str) -> None:
    """Raise a ValueError naming the first parameter that holds NaN or inf."""
    for name, value in params.items():
        if not np.isfinite(value).all():
            raise ValueError(f"{owner}'s parameter {name} holds NaN or inf, so every prediction would be "
                             "meaningless. Training diverged (try a lower learning rate) or the weights were "
                             "damaged; re-train or load a saved model.")


def token_ids(ids, vocab_size: int, name: str) -> np.ndarray:
    """Return ``ids`` as an integer array of ids in 0..vocab_size-1 with at least one axis, or raise."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{name}: token ids must be integers, got dtype {ids.dtype}.")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{name}: token ids must lie in 0..{vocab_size - 1} for this model, "
                         f"got values from {ids.min()} to {ids.max()}.")
    return ids


def id_batch(ids, vocab_size: int, name: str) -> np.ndarray:
    """Return ``ids`` as an (N, T) batch of token ids with N >= 1 and T >= 1, or raise."""
    ids = token_ids(ids, vocab_size, name)
    if ids.ndim != 2:
        raise ValueError(f"{name} should have shape (N, T), one row of token ids per sequence, "
                         f"but it has shape {ids.shape}.")
    if 0 in ids.shape:
        raise ValueError(f"{name} has shape {ids.shape}: it needs at least one sequence of at least one token.")
    return ids


def labelled_examples(examples, num_classes: int) -> tuple[list, list[int]]:
    """Split a list of ``(text, label)`` pairs into texts and int labels in 0..num_classes-1, or raise."""
    if isinstance(examples, (str, bytes)) or not hasattr(examples, "__len__"):
        raise TypeError(f"examples must be a list of (text, label) pairs, got {type(examples).__name__}.")
    if len(examples) == 0:
        raise ValueError("examples is empty; pass a list of (text, label) pairs.")
    texts, labels = [], []
    for i, example in enumerate(examples):
        if not (isinstance(example, (tuple, list)) and len(example) == 2):
            raise TypeError(f"examples[{i}] should be a (text, label) pair, got {example!r}.")
        text, label = example
        if isinstance(label, (bool, np.bool_)):
            label = int(label)
        if not isinstance(label, (int, np.integer)) or not 0 <= label < num_classes:
            raise ValueError(f"examples[{i}] has label {label!r}; labels must be whole numbers 0..{num_classes - 1}.")
        texts.append(text)
        labels.append(int(label))
    return texts, labels


def sequence_lengths(mask, shape: tuple[int, int]) -> np.ndarray:
    """The length (N,) of each row of a right-padded boolean mask (N, T): True on tokens, then False.

    Raises unless the mask is boolean, has ``shape``, starts every row with a real token and never
    turns back to True after padding begins.
    """
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must hold booleans (True on real tokens, False on padding), got dtype {mask.dtype}.")
    shape_is(mask, shape, "mask")
    lengths = mask.sum(axis=1)
    if not (mask == (np.arange(shape[1]) < lengths[:, None])).all():
        raise ValueError("mask must be right-padded: each row True on its tokens, then False to the end "
                         "(as pad_batch makes it).")
    if (lengths == 0).any():
        raise ValueError(f"row {int(np.argmin(lengths))} of mask is all False: "
                         "every sequence needs at least one token.")
    return lengths


# --- checks used by the layers (layers.py): each runs once per public call ------------------------

def is_token_ids(x) -> bool:
    """True when ``x`` holds integer token ids, False for float input vectors; a TypeError for anything else."""
    kind = np.asarray(x).dtype.kind
    if kind not in "fiu":
        raise TypeError(f"x must hold float inputs or integer token ids, got dtype {np.asarray(x).dtype}.")
    return kind in "iu"


def id_range(ids: np.ndarray, vocab_size: int, weight: str = "Wxh") -> None:
    """Raise unless every id is a column of ``weight``: without this a negative id would silently pick from the end."""
    if ids.dtype.kind not in "iu":
        raise TypeError(f"token ids must be integers, got dtype {ids.dtype}.")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"token ids must lie in 0..{vocab_size - 1} (one per column of {weight}), "
                         f"got values from {ids.min()} to {ids.max()}.")


def finite(array, name: str) -> None:
    """Raise a ValueError if ``array`` holds NaN or inf: the RNN would turn it into NaN everywhere."""
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or inf; every number going into the RNN must be finite.")


def rnn_weights(Wxh, Whh, bh) -> tuple[int, int]:
    """``(H, D)`` from finite Wxh (H, D), Whh (H, H) and bh (H,), or a ValueError naming the misfit."""
    H = np.shape(Whh)[0] if np.ndim(Whh) == 2 else None
    shape_is(Whh, (H, H), "Whh")
    shape_is(Wxh, (H, None), "Wxh")
    shape_is(bh, (H,), "bh")
    for array, name in ((Wxh, "Wxh"), (Whh, "Whh"), (bh, "bh")):
        float_array(array, name)
        finite(array, name)
    return H, np.shape(Wxh)[1]


def rnn_step_inputs(x, h_prev, Wxh, Whh, bh) -> None:
    """Check one step's inputs: x (N, D) floats or (N,) ids, h_prev (N, H), and the weights."""
    H, D = rnn_weights(Wxh, Whh, bh)
    N = np.shape(h_prev)[0] if np.ndim(h_prev) == 2 else None
    shape_is(h_prev, (N, H), "h_prev")
    finite(float_array(h_prev, "h_prev"), "h_prev")
    step_input(x, N, D)


def step_input(x, N, D: int, weight: str = "Wxh") -> None:
    """Check one step's input x: (N, D) finite floats, or (N,) token ids that are columns of ``weight``."""
    if is_token_ids(x):
        shape_is(x, (N,), "x (token ids)")
        id_range(x, D, weight)
    else:
        shape_is(x, (N, D), "x")
        finite(x, "x")


def rnn_sequence_inputs(x, h0, Wxh, Whh, bh) -> None:
    """Check a sequence's inputs: x (N, T, D) floats or (N, T) ids, h0 (N, H), and the weights."""
    H, D = rnn_weights(Wxh, Whh, bh)
    N, _ = sequence_input(x, D)
    shape_is(h0, (N, H), "h0")
    finite(float_array(h0, "h0"), "h0")


def sequence_input(x, D: int, weight: str = "Wxh") -> tuple[int, int]:
    """Check a batch of sequences x: (N, T, D) finite floats or (N, T) ids (columns of ``weight``), T >= 1.

    Returns ``(N, T)``.
    """
    if np.ndim(x) < 2:
        raise ValueError(f"x should have shape (N, T) of ids or (N, T, D) of floats, but it has shape {np.shape(x)}.")
    N, T = np.shape(x)[:2]
    if T == 0:
        raise ValueError(f"x has shape {np.shape(x)}: no time steps (T=0); a sequence needs at least one step.")
    if is_token_ids(x):
        shape_is(x, (N, T), "x (token ids)")
        id_range(x, D, weight)
    else:
        shape_is(x, (N, T, D), "x")
        finite(x, "x")
    return N, T
