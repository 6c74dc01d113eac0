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
    if isinstance(value, bool) or not isinstance(value, Integral):
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
