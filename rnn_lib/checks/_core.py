"""What every check shares: running the student's function safely and comparing its answer.

A check body raises ``Mistake`` at the first thing that is wrong; ``checker`` turns that into one printed
sentence and a False result, so a check never raises.
"""

from __future__ import annotations

import copy
import functools
import sysconfig
import traceback
import warnings
from pathlib import Path

import numpy as np

RTOL, ATOL = 1e-6, 1e-8
NOT_IMPLEMENTED = "Not implemented yet: replace `raise NotImplementedError()` with your code."


class Mistake(Exception):
    """Stops a check at the first thing that is wrong; its text is what the student reads."""


def report(ok: bool, message: str) -> bool:
    print(message.strip())
    return ok


def checker(success: str):
    """Turn ``body(student_function)``, which raises Mistake on a wrong answer, into a check."""
    def decorate(body):
        @functools.wraps(body)
        def check(student_function) -> bool:
            if not callable(student_function):
                return report(False, f"{body.__name__} expects your function itself (without calling it), "
                                     f"got {type(student_function).__name__}.")
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    body(student_function)
            except Mistake as mistake:
                return report(False, str(mistake))
            except Exception as error:  # an answer so unexpected that comparing it failed
                return report(False, f"The check could not use what your function returned "
                                     f"({type(error).__name__}: {error}).")
            return report(True, "Correct! " + success)
        return check
    return decorate


LIBRARY_DIRS = tuple({str(Path(np.__file__).parent), str(Path(__file__).parent.parent),
                      sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]})


def describe_error(error: Exception, hints) -> str:
    """One line for an exception: its type and message, and the line of the student's code it came from."""
    frames = traceback.extract_tb(error.__traceback__)[1:]   # the first frame is run's own call
    frame = next((f for f in reversed(frames) if not f.filename.startswith(LIBRARY_DIRS)),
                 frames[-1] if frames else None)
    if isinstance(error, NotImplementedError):
        called = f" (in `{frame.name}`, which your function calls)" if frame and frame.name != frames[0].name else ""
        return NOT_IMPLEMENTED[:-1] + called + "."
    text = str(error)
    text = text if len(text) <= 200 else text[:200] + "..."
    where = ""
    if frame is not None:
        where = f" at line {frame.lineno}" + (f": `{frame.line.strip()}`" if frame.line else "")
    message = f"Your function raised {type(error).__name__}{where}: {text}"
    hint = next((hint for needle, hint in hints if needle in str(error)), None)
    return message + (f"\nHint: {hint}" if hint else "")


def run(function, args: dict, hints=(), may_change=()):
    """Call ``function(*args.values())``; a raised exception or a changed input becomes a Mistake."""
    before = {name: copy.deepcopy(value) for name, value in args.items() if name not in may_change}
    try:
        result = function(*args.values())
    except Exception as error:
        raise Mistake(describe_error(error, hints)) from None
    for name, value in before.items():
        if not equal(value, args[name]):
            raise Mistake(f"Your function changed its input `{name}` in place; compute new arrays instead "
                          f"(e.g. `a = a * 2`, not `a *= 2`), so the caller's data stays as it was.")
    return result


def equal(a, b) -> bool:
    """Exact equality of (nested tuples/dicts of) arrays and plain values."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    return a == b


def close(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def as_array(value, name: str) -> np.ndarray:
    if value is None:
        raise Mistake(f"{name} is None: did you forget the `return` line?")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Mistake(f"{name} should be an array of numbers, got {type(value).__name__}.") from None


def compare(got, expected, name: str, variants=(), hint: str = "") -> None:
    """Raise a Mistake unless ``got`` equals ``expected``; name the mistake when ``got`` equals a variant."""
    got = as_array(got, name)
    for mistake, wrong in variants:
        if not close(wrong, expected) and close(got, wrong):
            raise Mistake(f"{name} is wrong: {mistake[0].lower()}{mistake[1:]}")
    if got.shape != expected.shape:
        transposed = " It looks transposed." if got.shape == expected.shape[::-1] and got.ndim > 1 else ""
        raise Mistake(f"{name} has shape {got.shape}, but it should have shape {expected.shape}.{transposed} {hint}")
    if not np.all(np.isfinite(got)):
        raise Mistake(f"{name} contains nan or inf values. {hint}")
    if not close(got, expected):
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape) if got.ndim else ()
        index = f" at index {tuple(int(i) for i in worst)}" if got.ndim else ""
        raise Mistake(f"{name} has the right shape but wrong values: got {got[worst]:.4f}{index}, "
                      f"expected {expected[worst]:.4f}. {hint}".rstrip())


def compare_outputs(got, expected: tuple, names: tuple, variants=(), hints=None) -> None:
    """Compare a tuple of outputs; a variant that explains every output at once is named first."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        kind = f"a tuple of {len(got)}" if isinstance(got, (tuple, list)) else type(got).__name__
        raise Mistake(f"Your function should return a tuple of {len(expected)} values ({', '.join(names)}), "
                      f"got {kind}.")
    arrays = [as_array(value, name) for value, name in zip(got, names, strict=True)]
    for mistake, wrong in variants:
        if not all(close(w, e) for w, e in zip(wrong, expected, strict=True)) and all(map(close, arrays, wrong)):
            raise Mistake(mistake)
    for i, name in enumerate(names):
        single = [(m, w[i]) for m, w in variants]
        compare(arrays[i], np.asarray(expected[i], dtype=float), name, single, (hints or {}).get(name, ""))


def require_no_tuple(result, name: str, what: str) -> None:
    if isinstance(result, tuple):
        raise Mistake(f"Your function returned a tuple of {len(result)} values; return only {name}. {what}")


def random_grads(rng, scale):
    """A dict shaped like RNN parameters (H = 4, D = 3): Wxh (4, 3), Whh (4, 4), bh (4,), entries N(0, scale**2)."""
    return {"Wxh": scale * rng.normal(size=(4, 3)), "Whh": scale * rng.normal(size=(4, 4)),
            "bh": scale * rng.normal(size=4)}


def compare_dicts(got, expected: dict, name: str, variants=()) -> None:
    if got is None:
        raise Mistake(f"Your function returned None: return {name}, a dict with the same keys as grads.")
    if isinstance(got, tuple):
        raise Mistake(f"Your function returned a tuple; return only {name}, a dict with the same keys as grads.")
    if not isinstance(got, dict) or set(got) != set(expected):
        keys = sorted(got) if isinstance(got, dict) else type(got).__name__
        raise Mistake(f"{name} should be a dict with the keys {sorted(expected)}, got {keys}.")
    for mistake, wrong in variants:
        if not all(close(wrong[k], expected[k]) for k in expected) and all(close(got[k], wrong[k]) for k in got):
            raise Mistake(mistake)
    for key in expected:
        compare(got[key], expected[key], f"{name}[{key!r}]")


def require_in_place(params: dict, originals: dict, name: str) -> None:
    for key, array in originals.items():
        if params.get(key) is not array:
            raise Mistake(f"{name}[{key!r}] was replaced by a new array; update it in place "
                          f"({name}[{key!r}] -= ... or [...] = ...) so every reference to the array sees the change.")
