"""Check for notebook 06: drawing the next character with a temperature."""

from __future__ import annotations

import numpy as np

from ..losses import softmax
from ._core import Mistake, checker, run

_SAMPLE_LOGITS = np.array([2.0, 1.0, 0.2, -1.0, 0.5])
_SAMPLE_HINTS = [("sum to 1", "The probabilities must sum to 1: divide the logits by the temperature before the "
                              "softmax, not the probabilities after it."),
                 ("NaN", "exp overflowed: subtract the largest logit before exp (or use rnn_lib.losses.softmax).")]


def _draw(sample, logits, temperature, seed, n):
    rng = np.random.default_rng(seed)
    draws = [run(sample, {"logits": logits, "temperature": temperature, "rng": rng}, _SAMPLE_HINTS, ("rng",))
             for _ in range(n)]
    # a 0-d integer array is an index too; compare it as an int
    return [int(d) if isinstance(d, np.ndarray) and d.ndim == 0 and d.dtype.kind in "iu" else d for d in draws]


@checker("The draws follow softmax(logits / temperature) and are reproducible with the same rng.")
def check_sample_with_temperature(sample_with_temperature) -> None:
    """Check ``sample_with_temperature(logits, temperature, rng) -> int`` by the distribution of many draws."""
    V = len(_SAMPLE_LOGITS)
    first = _draw(sample_with_temperature, _SAMPLE_LOGITS, 1.0, 0, 1)[0]
    if first is None:
        raise Mistake("Your function returned None: return the sampled index.")
    if isinstance(first, np.ndarray) and first.shape == (V,):
        raise Mistake("Your function returned the probabilities; return one index drawn from them: "
                      "int(rng.choice(len(logits), p=probs)).")
    if isinstance(first, np.ndarray) and first.ndim > 0:
        raise Mistake(f"Your function returned an array of shape {first.shape}; return one int, "
                      "e.g. int(rng.choice(len(logits), p=probs)).")
    if isinstance(first, bool) or not isinstance(first, (int, np.integer, np.ndarray)) or \
            np.asarray(first).dtype.kind not in "iu":
        raise Mistake(f"Your function returned {first!r} ({type(first).__name__}); return an int index 0..{V - 1}.")
    if not 0 <= int(first) < V:
        raise Mistake(f"Your function returned {int(first)}, which is not an index of logits (0..{V - 1}).")
    same_seed = [_draw(sample_with_temperature, _SAMPLE_LOGITS, 1.0, 1, 40) for _ in range(2)]
    if same_seed[0] != same_seed[1]:
        raise Mistake("Two generators with the same seed gave different draws: draw with the rng argument "
                      "(rng.choice), not np.random or the random module.")
    if len(set(same_seed[0])) == 1:
        reversed_draws = _draw(sample_with_temperature, _SAMPLE_LOGITS[::-1], 1.0, 1, 40)
        if same_seed[0][0] == np.argmax(_SAMPLE_LOGITS) and set(reversed_draws) == {V - 1 - same_seed[0][0]}:
            raise Mistake("It always picks the most likely index; draw at random: "
                          "rng.choice(len(logits), p=probs).")
        raise Mistake("Every call returns the same index: draw with the rng argument; a generator made inside "
                      "the function starts the same stream on every call, so it ignores its rng argument.")
    for temperature in (0.5, 2.0):
        draws = np.asarray(_draw(sample_with_temperature, _SAMPLE_LOGITS, temperature, 2, 2000), dtype=int)
        if draws.min() < 0 or draws.max() >= V:
            raise Mistake(f"Some draws are not indices of logits (0..{V - 1}).")
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
            raise Mistake(mistake)
        if min(distance) > 0.05:
            raise Mistake(f"At temperature {temperature} the draws do not follow softmax(logits / temperature): "
                          f"frequencies {np.round(freq, 2).tolist()}, expected {np.round(expected, 2).tolist()}.")
    if _draw(sample_with_temperature, _SAMPLE_LOGITS, 1.0, 3, 40) == _draw(sample_with_temperature, _SAMPLE_LOGITS,
                                                                           1.0, 4, 40):
        raise Mistake("Different generators give the same draws: your function ignores its rng argument.")
    # extreme scores both ways: a softmax not shifted by the maximum overflows (inf / inf) or underflows (0 / 0)
    for logits, temperature, favourite in ((_SAMPLE_LOGITS + 1000.0, 0.5, None),
                                           (np.array([800.0, -800.0, 0.0, 1.0]), 1.0, 0),
                                           (np.array([-800.0, -801.0, -830.0]), 1.0, None),
                                           (np.array([3.0, 1.0, 2.0]), 0.01, 0)):
        draws = _draw(sample_with_temperature, logits, temperature, 6, 20)
        if any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 <= d < len(logits)
               for d in draws):
            raise Mistake(f"For logits {logits.tolist()} at temperature {temperature} some draws are not indices "
                          f"0..{len(logits) - 1}: {draws[:5]}.")
        if favourite is not None and set(draws) != {favourite}:
            raise Mistake(f"For logits {logits.tolist()} at temperature {temperature} index {favourite} has "
                          f"probability ~1, but the draws were {sorted(set(draws))}: compute "
                          "softmax(logits / temperature) with the maximum subtracted before exp.")
