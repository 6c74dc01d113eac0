"""Self-checks for the exercises in the notebooks: ``check_<exercise>(your_function)``.

Each check runs the student's function on fixed and seeded-random inputs, compares the answer with
rnn_lib's own code, and prints one or two sentences: "Correct! ..." or what is wrong and where to
look. It returns True or False and never raises, whatever the student's function does.

A wrong answer is compared with the answers that common mistakes would give (a missing transpose,
a missing ``1 - h**2`` factor, a sum instead of a mean, ...), so the message can name the mistake.
Values are compared with ``np.allclose(rtol=1e-6, atol=1e-8)``: everything here is float64.
"""

from __future__ import annotations

import copy
import functools
import sysconfig
import traceback
import warnings
from pathlib import Path

import numpy as np

from .layers import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from .losses import cross_entropy, log_softmax, softmax
from .optim import clip_by_global_norm
from .text import Vocabulary, one_hot

RTOL, ATOL = 1e-6, 1e-8
NOT_IMPLEMENTED = "Not implemented yet: replace `raise NotImplementedError()` with your code."

__all__ = [
    "check_build_vocabulary", "check_one_hot_encode", "check_rnn_step", "check_rnn_forward_loop", "check_softmax",
    "check_cross_entropy", "check_rnn_step_backward", "check_bptt", "check_clip_gradients", "check_sgd_step",
    "check_adagrad_step", "check_sample_with_temperature",
]


# --- shared machinery ---------------------------------------------------------------------------

class _Mistake(Exception):
    """Stops a check at the first thing that is wrong; its text is what the student reads."""


def _report(ok: bool, message: str) -> bool:
    print(message.strip())
    return ok


def _check(success: str):
    """Turn ``body(student_function)``, which raises _Mistake on a wrong answer, into a check."""
    def decorate(body):
        @functools.wraps(body)
        def check(student_function) -> bool:
            if not callable(student_function):
                return _report(False, f"{body.__name__} expects your function itself (without calling it), "
                                      f"got {type(student_function).__name__}.")
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    body(student_function)
            except _Mistake as mistake:
                return _report(False, str(mistake))
            except Exception as error:  # an answer so unexpected that comparing it failed
                return _report(False, f"The check could not use what your function returned "
                                      f"({type(error).__name__}: {error}).")
            return _report(True, "Correct! " + success)
        return check
    return decorate


_LIBRARY_DIRS = tuple({str(Path(np.__file__).parent), str(Path(__file__).parent),
                       sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]})


def _describe_error(error: Exception, hints) -> str:
    """One line for an exception: its type and message, and the line of the student's code it came from."""
    frames = traceback.extract_tb(error.__traceback__)[1:]   # the first frame is _run's own call
    frame = next((f for f in reversed(frames) if not f.filename.startswith(_LIBRARY_DIRS)),
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


def _run(function, args: dict, hints=(), may_change=()):
    """Call ``function(*args.values())``; a raised exception or a changed input becomes a _Mistake."""
    before = {name: copy.deepcopy(value) for name, value in args.items() if name not in may_change}
    try:
        result = function(*args.values())
    except Exception as error:
        raise _Mistake(_describe_error(error, hints)) from None
    for name, value in before.items():
        if not _equal(value, args[name]):
            raise _Mistake(f"Your function changed its input `{name}` in place; compute new arrays instead "
                           f"(e.g. `a = a * 2`, not `a *= 2`), so the caller's data stays as it was.")
    return result


def _equal(a, b) -> bool:
    """Exact equality of (nested tuples/dicts of) arrays and plain values."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    return a == b


def _close(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _as_array(value, name: str) -> np.ndarray:
    if value is None:
        raise _Mistake(f"{name} is None: did you forget the `return` line?")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _Mistake(f"{name} should be an array of numbers, got {type(value).__name__}.") from None


def _compare(got, expected, name: str, variants=(), hint: str = "") -> None:
    """Raise a _Mistake unless ``got`` equals ``expected``; name the mistake when ``got`` equals a variant."""
    got = _as_array(got, name)
    for mistake, wrong in variants:
        if not _close(wrong, expected) and _close(got, wrong):
            raise _Mistake(f"{name} is wrong: {mistake[0].lower()}{mistake[1:]}")
    if got.shape != expected.shape:
        transposed = " It looks transposed." if got.shape == expected.shape[::-1] and got.ndim > 1 else ""
        raise _Mistake(f"{name} has shape {got.shape}, but it should have shape {expected.shape}.{transposed} {hint}")
    if not np.all(np.isfinite(got)):
        raise _Mistake(f"{name} contains nan or inf values. {hint}")
    if not _close(got, expected):
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape) if got.ndim else ()
        index = f" at index {tuple(int(i) for i in worst)}" if got.ndim else ""
        raise _Mistake(f"{name} has the right shape but wrong values: got {got[worst]:.4f}{index}, "
                       f"expected {expected[worst]:.4f}. {hint}".rstrip())


def _compare_outputs(got, expected: tuple, names: tuple, variants=(), hints=None) -> None:
    """Compare a tuple of outputs; a variant that explains every output at once is named first."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        kind = f"a tuple of {len(got)}" if isinstance(got, (tuple, list)) else type(got).__name__
        raise _Mistake(f"Your function should return a tuple of {len(expected)} values ({', '.join(names)}), "
                       f"got {kind}.")
    arrays = [_as_array(value, name) for value, name in zip(got, names, strict=True)]
    for mistake, wrong in variants:
        if not all(_close(w, e) for w, e in zip(wrong, expected, strict=True)) and all(map(_close, arrays, wrong)):
            raise _Mistake(mistake)
    for i, name in enumerate(names):
        single = [(m, w[i]) for m, w in variants]
        _compare(arrays[i], np.asarray(expected[i], dtype=float), name, single, (hints or {}).get(name, ""))


def _require_no_tuple(result, name: str, what: str) -> None:
    if isinstance(result, tuple):
        raise _Mistake(f"Your function returned a tuple of {len(result)} values; return only {name}. {what}")


# --- 01 preprocessing ---------------------------------------------------------------------------

_TEXTS = ["The cat sat on the mat.", "A dog sat, and the cat ran!", "Zebras don't nap; 2 cats do."]
_WORDS = ["red", "fox", "jumps", "Over", "lazy", "dogs", "it's", "1999", "Bird", "sings", "apple", "zoo", "the"]


def _random_texts(rng) -> list[str]:
    return [" ".join(rng.choice(_WORDS, size=rng.integers(2, 7))) + rng.choice([".", "!", "?", ","])
            for _ in range(5)]


@_check("The vocabulary has <pad>=0, <unk>=1 and the sorted tokens from 2 on, as Vocabulary.from_texts does.")
def check_build_vocabulary(build_vocabulary) -> None:
    """Check ``build_vocabulary(texts) -> dict[str, int]`` against ``Vocabulary.from_texts(texts).stoi``."""
    for texts in (_TEXTS, _random_texts(np.random.default_rng(1))):
        expected = Vocabulary.from_texts(texts).stoi
        got = _run(build_vocabulary, {"texts": texts})
        if got is None:
            raise _Mistake("Your function returned None: did you forget `return vocab`?")
        if not isinstance(got, dict):
            raise _Mistake(f"Your function should return a dict that maps token -> id, got {type(got).__name__}.")
        if got.get("<pad>") != 0 or got.get("<unk>") != 1:
            raise _Mistake("The reserved tokens are missing or have the wrong ids: '<pad>' must be 0 and '<unk>' 1; "
                           "the real tokens start at id 2.")
        extra, missing = sorted(set(got) - set(expected)), sorted(set(expected) - set(got))
        if extra:
            if any(t != t.lower() for t in extra):
                why = "upper-case letters: use tokenize(text), which lower-cases"
            elif any(len(t) > 1 and not t.isalnum() and "'" not in t for t in extra):
                why = "punctuation stuck to words: split with tokenize(text), not text.split()"
            else:
                why = "tokens that tokenize(text) does not produce"
            raise _Mistake(f"The vocabulary has {why} (e.g. {extra[:3]}).")
        if missing:
            raise _Mistake(f"The vocabulary is missing tokens such as {missing[:3]}: every distinct token of "
                           "every text needs an id.")
        if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in got.values()):
            raise _Mistake("The ids should be whole numbers (int).")
        if sorted(got.values()) != list(range(len(expected))):
            raise _Mistake(f"The ids should be 0, 1, 2, ... {len(expected) - 1} with no gaps or repeats; did you "
                           "number every occurrence instead of every distinct token?")
        wrong = [t for t in expected if got[t] != expected[t]]
        if wrong:
            raise _Mistake(f"The ids are not in sorted token order (e.g. {wrong[0]!r} has id {got[wrong[0]]}, "
                           f"expected {expected[wrong[0]]}): number sorted(set(tokens)) from 2 on.")


@_check("Each row is a float one-hot vector with its 1 at column ids[t], as rnn_lib.text.one_hot.")
def check_one_hot_encode(one_hot_encode) -> None:
    """Check ``one_hot_encode(ids, vocab_size) -> (T, V)`` floats against ``rnn_lib.text.one_hot``."""
    rng = np.random.default_rng(2)
    for ids, size in (([3, 0, 2, 3, 1], 6), (rng.integers(0, 9, size=12), 9)):
        expected = one_hot(np.asarray(ids), size)
        got = _run(one_hot_encode, {"ids": ids, "vocab_size": size})
        if got is None:
            raise _Mistake("Your function returned None: did you forget the `return` line?")
        got = np.asarray(got)
        if got.shape != expected.shape:
            how = ("rows should be time steps and columns vocabulary entries"
                   if got.shape == expected.shape[::-1] else "one row per id and one column per vocabulary entry")
            raise _Mistake(f"The result has shape {got.shape}, expected (T, V) = {expected.shape}: {how}.")
        if not np.array_equal(got.sum(axis=1), np.ones(len(expected))) or not np.isin(got, (0, 1)).all():
            raise _Mistake("Every row needs exactly one 1 and zeros elsewhere.")
        if not np.array_equal(got, expected):
            t = int(np.argmax((got != expected).any(axis=1)))
            raise _Mistake(f"Row {t} has its 1 in column {int(np.argmax(got[t]))}, but ids[{t}] = {int(ids[t])}: "
                           "put the 1 at column ids[t].")
        if got.dtype.kind != "f":
            raise _Mistake(f"The values are right but the dtype is {got.dtype}; the rows should be floats "
                           "(np.zeros((T, V)) is float64 by default).")


# --- 02 forward pass ----------------------------------------------------------------------------

def _step(x, h_prev, Wxh, Whh, bh, wxh_t=True, whh_t=True, bias=True, tanh=True, h_term=True):
    """The forward step, with switches that reproduce common mistakes."""
    pre = x @ (Wxh.T if wxh_t else Wxh) + (h_prev @ (Whh.T if whh_t else Whh) if h_term else 0) + (bh if bias else 0)
    return np.tanh(pre) if tanh else pre


def _step_variants(*args):
    square = args[2].shape[0] == args[2].shape[1]
    variants = [("x @ Wxh multiplies by the transpose: Wxh has shape (H, D), so use x @ Wxh.T.", dict(wxh_t=False)),
                ("h_prev @ Whh multiplies by the transpose: use h_prev @ Whh.T.", dict(whh_t=False)),
                ("both products are off by a transpose: use x @ Wxh.T and h_prev @ Whh.T.",
                 dict(wxh_t=False, whh_t=False)),
                ("the bias bh is missing inside the tanh.", dict(bias=False)),
                ("the tanh is missing: h = np.tanh(x @ Wxh.T + h_prev @ Whh.T + bh).", dict(tanh=False)),
                ("the previous state's term h_prev @ Whh.T is missing.", dict(h_term=False))]
    return [(m, flags) for m, flags in variants if square or "wxh_t" not in flags]


def _rnn_inputs(rng, N, T, D, H):
    x = rng.normal(size=(N, T, D)) if T else rng.normal(size=(N, D))
    return x, 0.5 * rng.normal(size=(N, H)), 0.5 * rng.normal(size=(H, D)), 0.5 * rng.normal(size=(H, H)), \
        0.3 * rng.normal(size=H)


_BACK_SHAPE_HINT = [(needle, "dpre = dh * (1 - h**2) is (N, H): dx = dpre @ Wxh, dh_prev = dpre @ Whh, "
                              "dWxh = dpre.T @ x (H, D), dWhh = dpre.T @ h_prev (H, H).")
                    for needle in ("matmul", "broadcast", "shapes")]
_SHAPE_HINT = [("matmul", "Wxh is (H, D) and Whh is (H, H): the products are x @ Wxh.T and h_prev @ Whh.T."),
               ("broadcast", "Wxh is (H, D) and Whh is (H, H): the products are x @ Wxh.T and h_prev @ Whh.T.")]


@_check("h = tanh(x Wxh^T + h_prev Whh^T + bh) matches rnn_lib.layers.rnn_step_forward.")
def check_rnn_step(rnn_step) -> None:
    """Check ``rnn_step(x, h_prev, Wxh, Whh, bh) -> h (N, H)`` against ``rnn_step_forward``."""
    rng = np.random.default_rng(3)
    for N, D, H in ((3, 4, 4), (2, 3, 5)):    # square first, so a missing transpose gives numbers to compare
        args = _rnn_inputs(rng, N, 0, D, H)
        got = _run(rnn_step, dict(zip(("x", "h_prev", "Wxh", "Whh", "bh"), args, strict=True)), _SHAPE_HINT)
        _require_no_tuple(got, "h", "(rnn_lib's rnn_step_forward also returns a cache; the exercise does not.)")
        variants = [(m, _step(*args, **flags)) for m, flags in _step_variants(*args)]
        _compare(got, rnn_step_forward(*args)[0], "h", variants)


def _loop(x, h0, Wxh, Whh, bh, start_zero=False, carry=True, store_before=False, **flags):
    h, hs = (np.zeros_like(h0) if start_zero else h0), []
    for t in range(x.shape[1]):
        h_new = _step(x[:, t], h if carry else h0, Wxh, Whh, bh, **flags)
        hs.append(h if store_before else h_new)
        h = h_new
    return np.stack(hs, axis=1)


@_check("hs matches rnn_lib.layers.rnn_forward: every step starts from the previous state, beginning at h0.")
def check_rnn_forward_loop(rnn_forward_loop) -> None:
    """Check ``rnn_forward_loop(x, h0, Wxh, Whh, bh) -> hs (N, T, H)`` against ``rnn_forward``."""
    rng = np.random.default_rng(4)
    for N, T, D, H in ((2, 5, 4, 4), (3, 4, 2, 5)):
        args = _rnn_inputs(rng, N, T, D, H)
        got = _run(rnn_forward_loop, dict(zip(("x", "h0", "Wxh", "Whh", "bh"), args, strict=True)), _SHAPE_HINT)
        _require_no_tuple(got, "hs", "")
        expected = rnn_forward(*args)[0]
        step_args = (args[0][:, 0],) + args[1:]
        variants = [(m, _loop(*args, **flags)) for m, flags in _step_variants(*step_args)] + [
            ("the hidden state does not start at h0 (it starts at zeros): begin the loop with h = h0.",
             _loop(*args, start_zero=True)),
            ("every step starts from h0: carry the new state forward (h = rnn_step(x[:, t], h, ...)).",
             _loop(*args, carry=False)),
            ("hs[:, t] holds the state before step t: store the new h after computing it.",
             _loop(*args, store_before=True)),
            ("it has shape (T, N, H); the exercise wants (N, T, H): fill hs[:, t] or np.stack(..., axis=1).",
             expected.transpose(1, 0, 2))]
        _compare(got, expected, "hs", variants)


# --- 03 loss ------------------------------------------------------------------------------------

def _softmax_axis(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@_check("Probabilities over the last axis, and no overflow for z = 1000.")
def check_softmax(stable_softmax) -> None:
    """Check ``stable_softmax(z)`` against ``rnn_lib.losses.softmax`` (1-D, 2-D and 3-D, and huge scores)."""
    rng = np.random.default_rng(5)
    hints = [("broadcast", "Use keepdims=True in max and sum, so an (N, 1) column broadcasts "
                                             "against the (N, K) scores."),
             ("axis", "Use axis=-1 (the last axis), so the same code works for 1, 2 or 3 dimensions.")]
    for z in (3 * rng.normal(size=(3, 5)), rng.normal(size=6), rng.normal(size=(2, 3, 4))):
        got = _run(stable_softmax, {"z": z}, hints)
        variants = [("it normalises over axis 0 (columns); use the last axis: axis=-1, keepdims=True.",
                     _softmax_axis(z, 0)),
                    ("it normalises over the whole array; normalise each row: axis=-1, keepdims=True.",
                     _softmax_axis(z, None)),
                    ("it returns log-probabilities; return exp(...) / sum(exp(...)).", log_softmax(z)),
                    ("the exponentials are not divided by their sum.", np.exp(z - z.max(axis=-1, keepdims=True))),
                    ("the exponentials are not divided by their sum.", np.exp(z))]
        _compare(got, softmax(z), "p", variants)
    for z, mistake in (
            (np.array([[1000.0, 1001.0, 1002.0]]),
             "exp(1000) overflows to inf: subtract each row's maximum before exp (it cancels in the ratio)."),
            (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1003.0]]),
             "subtract each row's own maximum (z.max(axis=-1, keepdims=True)), not the maximum of the whole array.")):
        got = _as_array(_run(stable_softmax, {"z": z}, hints), "p")
        if got.shape == z.shape and not np.all(np.isfinite(got)):
            raise _Mistake(f"For z = {z.tolist()} the result contains nan or inf: {mistake}")
        _compare(got, softmax(z), "p")


@_check("The loss is the mean of -log p[target], and dlogits = (p - onehot(targets)) / N.")
def check_cross_entropy(cross_entropy_loss) -> None:
    """Check ``cross_entropy_loss(logits, targets) -> (loss, dlogits)`` against ``rnn_lib.losses.cross_entropy``."""
    rng = np.random.default_rng(6)
    cases = [(2 * rng.normal(size=(5, 4)), np.array([1, 3, 1, 0, 3])),
             (rng.normal(size=(3, 6)), rng.integers(0, 6, size=3)),
             (np.array([[1000.0, 1001.0, 1002.0], [1.0, -2.0, 0.5]]), np.array([0, 2]))]
    for logits, targets in cases:
        result = _run(cross_entropy_loss, {"logits": logits, "targets": targets})
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Mistake(f"Your function should return a tuple (loss, dlogits), got {type(result).__name__}.")
        loss, dlogits = result
        N = len(targets)
        expected_loss, expected_dlogits = cross_entropy(logits, targets)
        logp = log_softmax(logits)
        picked = -logp[np.arange(N), targets]
        if loss is not None and np.ndim(loss) != 0:
            raise _Mistake(f"The loss has shape {np.shape(loss)}; it should be one number, the mean over the "
                           "examples (e.g. losses.mean()).")
        if loss is not None and not np.isfinite(loss) and logits.max() >= 1000:
            raise _Mistake("For logits like 1000 the loss is nan or inf: use a stable softmax (subtract the row "
                           "maximum before exp) or log-softmax.")
        _compare(loss, np.asarray(expected_loss), "loss", [
            ("it is the sum over the examples, not the mean: divide by N.", picked.sum()),
            ("it has the wrong sign: the loss is -log p[target].", -picked.mean()),
            ("it uses p[target] instead of log p[target].", -np.exp(-picked).mean())])
        p = np.exp(logp)
        onehot = one_hot(targets, logits.shape[1])
        every_target = p.copy()
        every_target[:, targets] -= 1
        _compare(dlogits, expected_dlogits, "dlogits", [
            ("it is not divided by N: the loss is a mean, so dlogits = (p - onehot) / N.", p - onehot),
            ("the -1 at each target class is missing: dlogits = (p - onehot(targets)) / N.", p / N),
            ("it subtracts 1 in every row at every target column; subtract it once per row at that row's "
             "target: dlogits[np.arange(N), targets] -= 1.", every_target / N),
            ("its sign is flipped: dlogits = (p - onehot) / N.", (onehot - p) / N)])


# --- 04 backpropagation through time ------------------------------------------------------------

def _step_back(dh, x, h_prev, Wxh, Whh, h, tanh_grad="h", whh_t=False, wxh_t=False, dwhh_uses_h=False,
               dw_transposed=False, sum_bias=True):
    """The backward step, with switches that reproduce common mistakes."""
    local = {"h": 1 - h**2, "none": 1.0, "h_prev": 1 - h_prev**2, "1-h": 1 - h}[tanh_grad]
    dpre = dh * local
    dWxh, dWhh = dpre.T @ x, dpre.T @ (h if dwhh_uses_h else h_prev)
    if dw_transposed:
        dWxh, dWhh = dWxh.T, dWhh.T
    return (dpre @ (Wxh.T if wxh_t else Wxh), dpre @ (Whh.T if whh_t else Whh), dWxh, dWhh,
            dpre.sum(axis=0) if sum_bias else dpre)


_STEP_BACK_MISTAKES = [
    ("The tanh factor is missing: start with dpre = dh * (1 - h**2).", dict(tanh_grad="none")),
    ("The tanh derivative uses h_prev; it is 1 - h**2 with h the output of this step.", dict(tanh_grad="h_prev")),
    ("The tanh derivative is 1 - h**2, not 1 - h.", dict(tanh_grad="1-h")),
    ("dh_prev is off by a transpose: the forward pass uses h_prev @ Whh.T, so the backward pass is dpre @ Whh "
     "(not dpre @ Whh.T).", dict(whh_t=True)),
    ("dx is off by a transpose: the forward pass uses x @ Wxh.T, so dx = dpre @ Wxh.", dict(wxh_t=True)),
    ("dWhh uses h where it needs the previous state: dWhh = dpre.T @ h_prev.", dict(dwhh_uses_h=True)),
    ("The weight gradients are transposed: dWxh must have Wxh's shape (H, D), dWhh = dpre.T @ h_prev.",
     dict(dw_transposed=True)),
    ("dbh must be summed over the batch: dbh = dpre.sum(axis=0), shape (H,).", dict(sum_bias=False)),
]
_BACK_NAMES = ("dx", "dh_prev", "dWxh", "dWhh", "dbh")


@_check("All five gradients match rnn_lib.layers.rnn_step_backward.")
def check_rnn_step_backward(rnn_step_backward_by_hand) -> None:
    """Check ``rnn_step_backward_by_hand(dh, cache) -> (dx, dh_prev, dWxh, dWhh, dbh)`` against rnn_step_backward."""
    rng = np.random.default_rng(7)
    for N, D, H in ((3, 4, 4), (2, 3, 5)):
        x, h_prev, Wxh, Whh, bh = _rnn_inputs(rng, N, 0, D, H)
        h, cache = rnn_step_forward(x, h_prev, Wxh, Whh, bh)
        dh = rng.normal(size=(N, H))
        got = _run(rnn_step_backward_by_hand, {"dh": dh, "cache": cache}, _BACK_SHAPE_HINT)
        variants = [(m, _step_back(dh, *cache, **flags)) for m, flags in _STEP_BACK_MISTAKES
                    if D == H or not flags.keys() & {"wxh_t", "dw_transposed"}]
        _compare_outputs(got, rnn_step_backward(dh, cache), _BACK_NAMES, variants)


def _bptt(dhs, x, h0, hs, Wxh, Whh, carry=True, accumulate="all", wrap_h0=False, prev_is_h=False,
          init_last=False, forward_order=False, **step_flags):
    """Reference BPTT with switches that reproduce common mistakes."""
    N, T, H = hs.shape
    dx, grads = np.zeros(x.shape), [np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(H)]
    dh_next = dhs[:, -1].copy() if init_last else np.zeros((N, H))
    for t in (range(T) if forward_order else reversed(range(T))):
        h_prev = hs[:, t] if prev_is_h else hs[:, t - 1] if (t > 0 or wrap_h0) else h0
        dx[:, t], dh_prev, *step_grads = _step_back(dhs[:, t] + (dh_next if carry else 0), x[:, t], h_prev, Wxh,
                                                    Whh, hs[:, t], **step_flags)
        dh_next = dh_prev
        if accumulate == "all" or (accumulate == "first" and t == 0) or (accumulate == "last" and t == T - 1):
            grads = [g + s if accumulate == "all" else s for g, s in zip(grads, step_grads, strict=True)]
    return (dx, dh_next, *grads)


_BPTT_MISTAKES = [
    ("The gradient flowing back to the previous state is off by a transpose: the forward pass uses h_prev @ Whh.T, "
     "so dh_prev = dpre @ Whh (the Whh vs Whh.T bug).", dict(whh_t=True)),
    ("The tanh factor is missing: at each step dpre = dh * (1 - hs[:, t]**2).", dict(tanh_grad="none")),
    ("The gradient from later steps is not added: at step t use dh = dhs[:, t] + dh_next.", dict(carry=False)),
    ("Only the first step's contribution reaches dWxh, dWhh and dbh: add every step's gradient (dWxh += ...) "
     "instead of overwriting it.", dict(accumulate="first")),
    ("Only the last step's contribution reaches dWxh, dWhh and dbh: add every step's gradient (dWxh += ...).",
     dict(accumulate="last")),
    ("At t = 0 the previous state is h0, but hs[:, t - 1] wraps around to hs[:, -1].", dict(wrap_h0=True)),
    ("dWhh uses the state hs[:, t] where it needs the previous state hs[:, t - 1] (h0 at t = 0).",
     dict(prev_is_h=True)),
    ("dh_next must start at zeros before the loop; starting it at dhs[:, -1] counts the last step twice.",
     dict(init_last=True)),
    ("The loop runs forward in time; BPTT goes from the last step to the first: for t in reversed(range(T)).",
     dict(forward_order=True)),
    ("dx is off by a transpose: the forward pass uses x @ Wxh.T, so dx = dpre @ Wxh.", dict(wxh_t=True)),
    ("The weight gradients are transposed: dWxh has Wxh's shape (H, D), dWhh = dpre.T @ h_prev.",
     dict(dw_transposed=True)),
]
_BPTT_NAMES = ("dx", "dh0", "dWxh", "dWhh", "dbh")
_BPTT_HINTS = {"dh0": "dh0 is the dh_next left over after the loop has handled t = 0.",
               "dbh": "dbh is the sum over the batch and over all time steps of dpre."}


@_check("dx, dh0, dWxh, dWhh and dbh match rnn_lib.layers.rnn_backward.")
def check_bptt(bptt) -> None:
    """Check ``bptt(dhs, x, h0, hs, Wxh, Whh) -> (dx, dh0, dWxh, dWhh, dbh)`` against ``rnn_backward``."""
    rng = np.random.default_rng(8)
    for N, T, D, H in ((2, 4, 3, 3), (3, 5, 2, 4)):
        x, h0, Wxh, Whh, bh = _rnn_inputs(rng, N, T, D, H)
        hs, cache = rnn_forward(x, h0, Wxh, Whh, bh)
        dhs = rng.normal(size=(N, T, H))
        args = {"dhs": dhs, "x": x, "h0": h0, "hs": hs, "Wxh": Wxh, "Whh": Whh}
        got = _run(bptt, args, _BACK_SHAPE_HINT)
        variants = [(m, _bptt(*args.values(), **flags)) for m, flags in _BPTT_MISTAKES
                    if D == H or not flags.keys() & {"wxh_t", "dw_transposed"}]
        _compare_outputs(got, rnn_backward(dhs, cache), _BPTT_NAMES, variants, _BPTT_HINTS)
        again = _run(bptt, args)
        if not all(map(_close, got, again)):
            raise _Mistake("A second call with the same inputs gives different gradients: something (dh_next or a "
                           "gradient sum) lives outside the function. Create and zero it inside bptt.")


def _grads(rng, scale):
    return {"Wxh": scale * rng.normal(size=(4, 3)), "Whh": scale * rng.normal(size=(4, 4)),
            "bh": scale * rng.normal(size=4)}


def _compare_dicts(got, expected: dict, name: str, variants=()) -> None:
    if got is None:
        raise _Mistake(f"Your function returned None: return {name}, a dict with the same keys as grads.")
    if isinstance(got, tuple):
        raise _Mistake(f"Your function returned a tuple; return only {name}, a dict with the same keys as grads.")
    if not isinstance(got, dict) or set(got) != set(expected):
        keys = sorted(got) if isinstance(got, dict) else type(got).__name__
        raise _Mistake(f"{name} should be a dict with the keys {sorted(expected)}, got {keys}.")
    for mistake, wrong in variants:
        if not all(_close(wrong[k], expected[k]) for k in expected) and all(_close(got[k], wrong[k]) for k in got):
            raise _Mistake(mistake)
    for key in expected:
        _compare(got[key], expected[key], f"{name}[{key!r}]")


@_check("Gradients above max_norm are scaled down together by max_norm / global_norm; others are left alone.")
def check_clip_gradients(clip_gradients) -> None:
    """Check ``clip_gradients(grads, max_norm) -> dict`` against ``rnn_lib.optim.clip_by_global_norm``."""
    rng = np.random.default_rng(9)
    for grads, max_norm in ((_grads(rng, 3.0), 5.0), (_grads(rng, 0.2), 5.0), (_grads(rng, 1.0), 2.0)):
        got = _run(clip_gradients, {"grads": grads, "max_norm": max_norm})
        norm = np.sqrt(sum((g**2).sum() for g in grads.values()))
        squared = norm**2
        variants = [
            ("Each value was clipped to [-max_norm, max_norm]; scale all arrays by max_norm / global_norm instead, "
             "which keeps the gradient's direction.", {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}),
            ("Each array was clipped by its own norm; use one global norm over all arrays together.",
             {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}),
            ("The gradients were scaled although their global norm is below max_norm; only clip when "
             "norm > max_norm.", {k: g * max_norm / norm for k, g in grads.items()}),
            ("The global norm is the square root of the sum of all squared entries; the sqrt is missing.",
             {k: g * min(1.0, max_norm / squared) for k, g in grads.items()}),
            ("The scale is upside down: multiply by max_norm / norm.",
             {k: g * max(1.0, norm / max_norm) for k, g in grads.items()})]
        _compare_dicts(got, clip_by_global_norm(grads, max_norm)[0], "clipped", variants)


# --- 05 / 06 optimizers and sampling ------------------------------------------------------------

def _check_in_place(params: dict, originals: dict, name: str) -> None:
    for key, array in originals.items():
        if params.get(key) is not array:
            raise _Mistake(f"{name}[{key!r}] was replaced by a new array; update it in place "
                           f"({name}[{key!r}] -= ... or [...] = ...) so every reference to the array sees the change.")


@_check("Every parameter moved by -learning_rate * gradient, in place.")
def check_sgd_step(sgd_step) -> None:
    """Check ``sgd_step(params, grads, learning_rate) -> None`` (in place) against ``w - learning_rate * dw``."""
    rng = np.random.default_rng(10)
    for learning_rate in (0.1, 0.03):
        params, grads = _grads(rng, 1.0), _grads(rng, 1.0)
        before, originals = copy.deepcopy(params), dict(params)
        _run(sgd_step, {"params": params, "grads": grads, "learning_rate": learning_rate}, may_change=("params",))
        if all(np.array_equal(params[k], before[k]) for k in before):
            raise _Mistake("params did not change: update the arrays in place, params[name] -= learning_rate * "
                           "grads[name] (`p = p - ...` only rebinds a local name).")
        expected = {k: before[k] - learning_rate * grads[k] for k in before}
        _compare_dicts(params, expected, "params", [
            ("The gradient was added; subtract it to go downhill: params[name] -= learning_rate * grads[name].",
             {k: before[k] + learning_rate * grads[k] for k in before}),
            ("The step is not multiplied by learning_rate.", {k: before[k] - grads[k] for k in before})])
        _check_in_place(params, originals, "params")


def _minus(before: dict, step: dict, divisor: dict) -> dict:
    return {k: before[k] - step[k] / divisor[k] for k in before}


@_check("memory accumulates the squared gradients and each parameter moves by -lr * g / (sqrt(memory) + eps).")
def check_adagrad_step(adagrad_step) -> None:
    """Check ``adagrad_step(params, grads, memory, learning_rate, eps=1e-8)`` (in place) against Adagrad."""
    rng = np.random.default_rng(11)
    params = _grads(rng, 1.0)
    memory = {k: rng.uniform(0.5, 2.0, size=v.shape) for k, v in params.items()}
    learning_rate, eps = 0.1, 1e-8
    for _ in range(2):   # two steps in a row: memory must keep growing
        grads = _grads(rng, 1.0)
        before, memory_before = copy.deepcopy(params), copy.deepcopy(memory)
        originals, memory_originals = dict(params), dict(memory)
        _run(adagrad_step, {"params": params, "grads": grads, "memory": memory, "learning_rate": learning_rate},
             may_change=("params", "memory"))
        new_memory = {k: memory_before[k] + grads[k] ** 2 for k in grads}
        if all(np.array_equal(memory[k], memory_before[k]) for k in memory_before):
            raise _Mistake("memory did not change: add the squared gradient into it in place, "
                           "memory[name] += grads[name] ** 2.")
        _compare_dicts(memory, new_memory, "memory", [
            ("memory holds only this step's squared gradient; it must be a running sum: "
             "memory[name] += grads[name] ** 2.", {k: grads[k] ** 2 for k in grads}),
            ("memory must add the squared gradient, grads[name] ** 2, not the gradient itself.",
             {k: memory_before[k] + grads[k] for k in grads})])
        _check_in_place(memory, memory_originals, "memory")
        if all(np.array_equal(params[k], before[k]) for k in before):
            raise _Mistake("params did not change: update them in place, params[name] -= ...")

        step, sqrt_memory = {k: learning_rate * g for k, g in grads.items()}, {k: np.sqrt(new_memory[k]) for k in grads}
        _compare_dicts(params, _minus(before, step, {k: sqrt_memory[k] + eps for k in grads}), "params", [
            ("The square root is missing: divide by np.sqrt(memory[name]) + eps.",
             _minus(before, step, {k: new_memory[k] + eps for k in grads})),
            ("The update used memory from before this step's squared gradient was added: update memory first.",
             _minus(before, step, {k: np.sqrt(memory_before[k]) + eps for k in grads})),
            ("The step was added; subtract it: params[name] -= learning_rate * g / (np.sqrt(memory[name]) + eps).",
             _minus(before, step, {k: -sqrt_memory[k] - eps for k in grads})),
            ("The step is not divided by sqrt(memory): that is plain SGD.",
             _minus(before, step, dict.fromkeys(grads, 1.0)))])
        _check_in_place(params, originals, "params")


_SAMPLE_LOGITS = np.array([2.0, 1.0, 0.2, -1.0, 0.5])
_SAMPLE_HINTS = [("sum to 1", "The probabilities must sum to 1: divide the logits by the temperature before the "
                              "softmax, not the probabilities after it."),
                 ("NaN", "exp overflowed: subtract the largest logit before exp (or use rnn_lib.losses.softmax).")]


def _draw(sample, logits, temperature, seed, n):
    rng = np.random.default_rng(seed)
    return [_run(sample, {"logits": logits, "temperature": temperature, "rng": rng}, _SAMPLE_HINTS, ("rng",))
            for _ in range(n)]


@_check("The draws follow softmax(logits / temperature) and are reproducible with the same rng.")
def check_sample_with_temperature(sample_with_temperature) -> None:
    """Check ``sample_with_temperature(logits, temperature, rng) -> int`` by the distribution of many draws."""
    V = len(_SAMPLE_LOGITS)
    first = _draw(sample_with_temperature, _SAMPLE_LOGITS, 1.0, 0, 1)[0]
    if first is None:
        raise _Mistake("Your function returned None: return the sampled index.")
    if isinstance(first, np.ndarray) and first.shape == (V,):
        raise _Mistake("Your function returned the probabilities; return one index drawn from them: "
                       "int(rng.choice(len(logits), p=probs)).")
    if isinstance(first, np.ndarray) and first.ndim > 0:
        raise _Mistake(f"Your function returned an array of shape {first.shape}; return one int, "
                       "e.g. int(rng.choice(len(logits), p=probs)).")
    if isinstance(first, bool) or not isinstance(first, (int, np.integer, np.ndarray)) or \
            np.asarray(first).dtype.kind not in "iu":
        raise _Mistake(f"Your function returned {first!r} ({type(first).__name__}); return an int index 0..{V - 1}.")
    if not 0 <= int(first) < V:
        raise _Mistake(f"Your function returned {int(first)}, which is not an index of logits (0..{V - 1}).")
    same_seed = [_draw(sample_with_temperature, _SAMPLE_LOGITS, 1.0, 1, 40) for _ in range(2)]
    if same_seed[0] != same_seed[1]:
        raise _Mistake("Two generators with the same seed gave different draws: draw with the rng argument "
                       "(rng.choice), not np.random or the random module.")
    if len(set(same_seed[0])) == 1:
        reversed_draws = _draw(sample_with_temperature, _SAMPLE_LOGITS[::-1], 1.0, 1, 40)
        if same_seed[0][0] == np.argmax(_SAMPLE_LOGITS) and set(reversed_draws) == {V - 1 - same_seed[0][0]}:
            raise _Mistake("It always picks the most likely index; draw at random: "
                           "rng.choice(len(logits), p=probs).")
        raise _Mistake("Every call returns the same index: draw with the rng argument; a generator made inside "
                       "the function starts the same stream on every call, so it ignores its rng argument.")
    for temperature in (0.5, 2.0):
        draws = np.asarray(_draw(sample_with_temperature, _SAMPLE_LOGITS, temperature, 2, 2000), dtype=int)
        if draws.min() < 0 or draws.max() >= V:
            raise _Mistake(f"Some draws are not indices of logits (0..{V - 1}).")
        freq = np.bincount(draws, minlength=V) / len(draws)
        candidates = [
            (None, softmax(_SAMPLE_LOGITS / temperature)),
            ("The logits are multiplied by the temperature; divide them: softmax(logits / temperature).",
             softmax(_SAMPLE_LOGITS * temperature)),
            ("The temperature has no effect (applied after the softmax, renormalising undoes it): divide the "
             "logits by it before the softmax.", softmax(_SAMPLE_LOGITS)),
            ("It always picks the most likely index; draw at random: rng.choice(len(logits), p=probs).",
             np.eye(V)[np.argmax(_SAMPLE_LOGITS)]),
            ("The draws are uniform; pass the probabilities: rng.choice(len(logits), p=probs).", np.full(V, 1 / V))]
        distance = [np.abs(freq - p).sum() / 2 for _, p in candidates]
        mistake, expected = candidates[int(np.argmin(distance))]
        if mistake is not None:
            raise _Mistake(mistake)
        if min(distance) > 0.05:
            raise _Mistake(f"At temperature {temperature} the draws do not follow softmax(logits / temperature): "
                           f"frequencies {np.round(freq, 2).tolist()}, expected {np.round(expected, 2).tolist()}.")
    if _draw(sample_with_temperature, _SAMPLE_LOGITS, 1.0, 3, 40) == _draw(sample_with_temperature, _SAMPLE_LOGITS,
                                                                           1.0, 4, 40):
        raise _Mistake("Different generators give the same draws: your function ignores its rng argument.")
    _draw(sample_with_temperature, _SAMPLE_LOGITS + 1000.0, 0.5, 5, 1)
