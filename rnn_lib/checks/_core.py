"""What every check shares: running the student's function safely and comparing its answer.

A check body raises ``Mistake`` at the first thing that is wrong; ``checker`` turns that into one printed
sentence and a False result, so a check never raises in a student's notebook.

When nbgrader grades or validates a notebook (it sets ``NBGRADER_EXECUTION``), a test cell scores zero only
if it raises: there a failing check raises ``AssertionError`` carrying its one sentence instead of printing
it, so the feedback shows the diagnosis once. ``RNN_LIB_CHECKS_RAISE=1`` does the same outside nbgrader.
"""

from __future__ import annotations

import copy
import functools
import os
import sysconfig
import traceback
import warnings
from pathlib import Path

import numpy as np

RTOL, ATOL = 1e-6, 1e-8
NOT_IMPLEMENTED = "Not implemented yet: replace `raise NotImplementedError()` with your code."


class Mistake(Exception):
    """Stops a check at the first thing that is wrong; its text is what the student reads."""


def grading() -> bool:
    """True while nbgrader autogrades or validates (or RNN_LIB_CHECKS_RAISE=1): failing checks raise."""
    return bool(os.environ.get("NBGRADER_EXECUTION")) or os.environ.get("RNN_LIB_CHECKS_RAISE") == "1"


def report(ok: bool, message: str) -> bool | None:
    """Print the message and return ``ok``; while grading, raise on a failure and return None on a success.

    (nbgrader reads a test cell's displayed value as a partial-credit score, and `True` is no number.)
    """
    __tracebackhide__ = True    # IPython leaves this frame out of tracebacks: the grader sees fail() only
    if not ok and grading():
        fail(message.strip())
    print(message.strip())
    return None if grading() else ok


# When grading, a failed check ends in this frame: the AssertionError's message says what is wrong.
def fail(message: str):
    raise AssertionError(message) from None


def checker(success: str):
    """Turn ``body(student_function)``, which raises Mistake on a wrong answer, into a check.

    The check prints and returns; ``check.verdict(student_function)`` returns ``(ok, message)`` instead of
    printing it or raising, whatever the environment (for code that uses a check's answer, like rnn_lib.classroom).
    """
    def decorate(body):
        def verdict(student_function) -> tuple[bool, str]:
            if not callable(student_function):
                return False, (f"{body.__name__} expects your function itself (without calling it), "
                               f"got {type(student_function).__name__}.")
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    body(student_function)
            except Mistake as mistake:
                return False, str(mistake)
            except Exception as error:  # an answer so unexpected that comparing it failed
                return False, (f"The check could not use what your function returned "
                               f"({type(error).__name__}: {safe_str(error)}).")
            return True, "Correct! " + success

        @functools.wraps(body)
        def check(student_function) -> bool:
            __tracebackhide__ = True
            return report(*verdict(student_function))

        check.verdict = verdict
        return check
    return decorate


LIBRARY_DIRS = tuple({str(Path(np.__file__).parent), str(Path(__file__).parent.parent),
                      sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]})


#: A hint is (text of the error, hint), or (text, hint, True) for a hint about matrix products, given only
#: when the failing line has a product in it (a broadcasting error in `a + b` needs another fix), or
#: (text, hint, code) for a hint given only when the failing line contains ``code``.
PRODUCT_OPERATORS = ("@", "dot(", "matmul(", "einsum(")


def safe_str(value, limit: int = 200) -> str:
    """str(value), shortened, and never an exception (a student's exception may have a broken __str__)."""
    try:
        text = str(value)
    except Exception:   # noqa: BLE001 - whatever a broken __str__ raises
        text = f"<{type(value).__name__} that cannot be printed>"
    return text if len(text) <= limit else text[:limit] + "..."


def describe_error(error: Exception, hints) -> str:
    """One line for an exception: its type and message, and the line of the student's code it came from."""
    frames = traceback.extract_tb(error.__traceback__)[1:]   # the first frame is run's own call
    frame = next((f for f in reversed(frames) if not f.filename.startswith(LIBRARY_DIRS)),
                 frames[-1] if frames else None)
    if isinstance(error, NotImplementedError):
        called = f" (in `{frame.name}`, which your function calls)" if frame and frame.name != frames[0].name else ""
        return NOT_IMPLEMENTED[:-1] + called + "."
    text = safe_str(error)
    where = ""
    if frame is not None:
        where = f" at line {frame.lineno}" + (f": `{frame.line.strip()}`" if frame.line else "")
    message = f"Your function raised {type(error).__name__}{where}: {text}"
    line = frame.line if frame is not None and frame.line else ""
    has_product = any(op in line for op in PRODUCT_OPERATORS)
    # the student's own lines on the way to the error: a wrong index may sit in the caller of the failing line
    own_lines = " ".join(f.line or "" for f in frames if not f.filename.startswith(LIBRARY_DIRS))

    def applies(entry) -> bool:
        needs = entry[2] if len(entry) > 2 else None
        return entry[0] in text and (needs is None or (has_product if needs is True else needs in own_lines))

    hint = next((entry[1] for entry in hints if applies(entry)), None)
    return message + (f"\nHint: {hint}" if hint else "")


def run(function, args: dict, hints=(), may_change=()):
    """Call ``function(*args.values())``; a raised exception or a changed input becomes a Mistake."""
    before = {name: copy.deepcopy(value) for name, value in args.items() if name not in may_change}
    try:
        result = function(*args.values())
    except (Exception, SystemExit) as error:     # SystemExit: a stray exit() must not stop the notebook
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


def as_array(value, name: str, scalar: bool = False) -> np.ndarray:
    """``value`` as a float64 array, or a Mistake if it is None, not a numpy array (or, for a ``scalar``, a
    number) or not of a floating-point dtype."""
    if value is None:
        raise Mistake(f"{name} is None: did you forget the `return` line?")
    if scalar and isinstance(value, (float, np.floating)) or isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.asarray(value, dtype=float)
    if isinstance(value, (list, tuple)):
        raise Mistake(f"{name} is a Python {type(value).__name__}; return a numpy array "
                      f"(np.array(...) or build it with numpy operations).")
    if isinstance(value, (np.ndarray, np.generic, int, float, bool)) and np.asarray(value).dtype.kind in "biu":
        raise Mistake(f"{name} has dtype {np.asarray(value).dtype}; it should hold floats (float64), e.g. start "
                      f"from np.zeros(...) or multiply by a float, not an integer array.")
    if isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind == "f":
        return np.asarray(value, dtype=float)
    if scalar and isinstance(value, np.ndarray):
        raise Mistake(f"{name} should be one number, got an array of shape {value.shape}.")
    raise Mistake(f"{name} should be {'a number' if scalar else 'a numpy array of floats'}, "
                  f"got {type(value).__name__}.")


def _scale_of(got: np.ndarray, expected: np.ndarray) -> float | None:
    """The number r with got == expected * r, if there is one (and expected is not all zeros)."""
    denominator = float((expected * expected).sum())
    if got.shape != expected.shape or denominator == 0 or not np.all(np.isfinite(got)):
        return None
    r = float((got * expected).sum()) / denominator
    return r if close(got, expected * r) and not np.isclose(r, 1.0) else None


def _scale_message(name: str, r: float, n: int | None) -> str:
    if n and n > 1 and np.isclose(r, 1 / n):
        return f"{name} is 1/N of the expected value (N = {n}): it is divided by N once too often."
    if n and n > 1 and np.isclose(r, n):
        return f"{name} is N times the expected value (N = {n}): divide by N (the loss is a mean over the batch)."
    if np.isclose(r, -1.0):
        return f"{name} has the right size but the opposite sign."
    return f"{name} is the expected value times {r:.4g}: a factor is wrong or missing."


def _steps_message(got: np.ndarray, expected: np.ndarray, name: str) -> str | None:
    """For (N, T, ...) results: name a wrong first or last time step (the off-by-one loops)."""
    if got.shape != expected.shape or got.ndim < 3 or got.shape[1] < 2:
        return None
    wrong = [t for t in range(got.shape[1]) if not close(got[:, t], expected[:, t])]
    if wrong == [0]:
        return (f"{name}[:, 0] is wrong and every other step is right: the first time step is missing or "
                "handled differently; loop over every t in range(T) (at t = 0 the previous state is h0).")
    if wrong == [got.shape[1] - 1]:
        return (f"{name}[:, -1] is wrong and every other step is right: the last time step is missing; "
                "loop over every t in range(T), including T - 1.")
    return None


def compare(got, expected, name: str, variants=(), hint: str = "", n: int | None = None, scalar=False,
            extra=()) -> None:
    """Raise a Mistake unless ``got`` equals ``expected``; name the mistake when ``got`` equals a variant.

    ``n`` is the batch size N, when a result 1/N or N times the expected is a likely mistake; each
    ``extra(got, name)`` may raise a targeted Mistake once the shape is right, before the generic message.
    """
    got = as_array(got, name, scalar)
    for mistake, wrong in variants:
        if not close(wrong, expected) and close(got, wrong):
            raise Mistake(f"{name} is wrong: {mistake[0].lower()}{mistake[1:]}")
    if got.shape != expected.shape:
        transposed = " It looks transposed." if got.shape == expected.shape[::-1] and got.ndim > 1 else ""
        raise Mistake(f"{name} has shape {got.shape}, but it should have shape {expected.shape}.{transposed} {hint}")
    if not np.all(np.isfinite(got)):
        raise Mistake(f"{name} contains nan or inf values. {hint}".rstrip())
    if not close(got, expected):
        for diagnose in extra:
            diagnose(got, name)
        steps = _steps_message(got, expected, name)
        if steps:
            raise Mistake(steps)
        r = _scale_of(got, expected)
        if r is not None:
            raise Mistake(_scale_message(name, r, n))
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape) if got.ndim else ()
        index = f" at index {tuple(int(i) for i in worst)}" if got.ndim else ""
        raise Mistake(f"{name} has the right shape but wrong values: got {got[worst]:.4f}{index}, "
                      f"expected {expected[worst]:.4f}. {hint}".rstrip())


def compare_outputs(got, expected: tuple, names: tuple, variants=(), hints=None, n: int | None = None) -> None:
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
        compare(got[i], np.asarray(expected[i], dtype=float), name, single, (hints or {}).get(name, ""), n=n)


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
