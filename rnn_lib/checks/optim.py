"""Checks for notebooks 05 and 06: an SGD step and an Adagrad step, both in place."""

from __future__ import annotations

import copy

import numpy as np

from ._core import Mistake, checker, compare_dicts, random_grads, require_in_place, run


def _reordered(grads: dict) -> dict:
    """The same dict with its keys in reverse order: code must look gradients up by name, not by position."""
    return {key: grads[key] for key in reversed(list(grads))}


@checker("Every parameter moved by -learning_rate * gradient, in place.")
def check_sgd_step(sgd_step) -> None:
    """Check ``sgd_step(params, grads, learning_rate) -> None`` (in place) against ``w - learning_rate * dw``."""
    rng = np.random.default_rng(10)
    # (learning rate, gradient scale, gradient keys in another order than params)
    for learning_rate, scale, reorder in ((0.1, 1.0, False), (0.03, 1.0, True), (2.5, 1e-3, False), (0.1, 0.0, True)):
        params, grads = random_grads(rng, 1.0), random_grads(rng, scale)
        grads = _reordered(grads) if reorder else grads
        before, originals = copy.deepcopy(params), dict(params)
        run(sgd_step, {"params": params, "grads": grads, "learning_rate": learning_rate}, may_change=("params",))
        if scale and all(np.array_equal(params[k], before[k]) for k in before):
            raise Mistake("params did not change: update the arrays in place, params[name] -= learning_rate * "
                          "grads[name] (`p = p - ...` only rebinds a local name).")
        expected = {k: before[k] - learning_rate * grads[k] for k in before}
        _name_a_wrong_step_size(params, before, grads, learning_rate)
        by_position = dict(zip(before, grads.values(), strict=True))
        compare_dicts(params, expected, "params", [
            ("The gradient was added; subtract it to go downhill: params[name] -= learning_rate * grads[name].",
             {k: before[k] + learning_rate * grads[k] for k in before}),
            ("The step is not multiplied by learning_rate.", {k: before[k] - grads[k] for k in before}),
            ("The gradients were matched to the parameters by position; look each one up by name, grads[name] "
             "(the two dicts need not list their keys in the same order).",
             {k: before[k] - learning_rate * by_position[k] if by_position[k].shape == before[k].shape else before[k]
              for k in before})])
        require_in_place(params, originals, "params")


def _name_a_wrong_step_size(params, before, grads, learning_rate) -> None:
    """If every parameter moved by the same multiple r of its gradient, but r is not learning_rate, say so."""
    if not all(isinstance(params.get(k), np.ndarray) and params[k].shape == before[k].shape for k in before):
        return
    moved = np.concatenate([(before[k] - params[k]).ravel() for k in before])
    g = np.concatenate([np.asarray(grads[k], dtype=float).ravel() for k in before])
    if not np.all(np.isfinite(moved)) or not g.any():
        return
    r = float(moved @ g / (g @ g))
    if np.allclose(moved, r * g, rtol=1e-6, atol=1e-10) and not np.isclose(r, learning_rate) \
            and not np.isclose(abs(r), learning_rate) and not np.isclose(r, 1.0):
        raise Mistake(f"Every parameter moved by {r:.4g} times its gradient, but learning_rate is {learning_rate}: "
                      "use the learning_rate argument, params[name] -= learning_rate * grads[name].")


def _minus(before: dict, step: dict, divisor: dict) -> dict:
    return {k: before[k] - step[k] / divisor[k] for k in before}


@checker("memory accumulates the squared gradients and each parameter moves by -lr * g / (sqrt(memory) + eps).")
def check_adagrad_step(adagrad_step) -> None:
    """Check ``adagrad_step(params, grads, memory, learning_rate, eps=1e-8)`` (in place) against Adagrad."""
    rng = np.random.default_rng(11)
    params = random_grads(rng, 1.0)
    memory = {k: rng.uniform(0.5, 2.0, size=v.shape) for k, v in params.items()}
    # (learning rate, eps or None for the default, gradient scale, keys reordered, memory reset to zero first):
    # two ordinary steps in a row (memory keeps growing), a non-default eps with memory near zero (where eps
    # inside or outside the square root matters), a zero gradient on zero memory, keys in another order
    for learning_rate, eps, scale, reorder, reset in ((0.1, None, 1.0, False, False), (0.1, None, 1.0, False, False),
                                                      (0.5, 1e-3, 1e-4, False, True), (0.1, None, 0.0, False, True),
                                                      (0.05, 1e-6, 1.0, True, False)):
        if reset:
            memory = {k: np.zeros_like(v) for k, v in params.items()}
        grads = random_grads(rng, scale)
        grads = _reordered(grads) if reorder else grads
        used_eps = 1e-8 if eps is None else eps
        before, memory_before = copy.deepcopy(params), copy.deepcopy(memory)
        originals, memory_originals = dict(params), dict(memory)
        args = {"params": params, "grads": grads, "memory": memory, "learning_rate": learning_rate}
        if eps is not None:
            args["eps"] = eps
        run(adagrad_step, args, may_change=("params", "memory"))
        new_memory = {k: memory_before[k] + grads[k] ** 2 for k in grads}
        if scale and all(np.array_equal(memory[k], memory_before[k]) for k in memory_before):
            raise Mistake("memory did not change: add the squared gradient into it in place, "
                          "memory[name] += grads[name] ** 2.")
        compare_dicts(memory, new_memory, "memory", [
            ("memory holds only this step's squared gradient; it must be a running sum: "
             "memory[name] += grads[name] ** 2.", {k: grads[k] ** 2 for k in grads}),
            ("memory must add the squared gradient, grads[name] ** 2, not the gradient itself.",
             {k: memory_before[k] + grads[k] for k in grads})])
        require_in_place(memory, memory_originals, "memory")
        if scale and all(np.array_equal(params[k], before[k]) for k in before):
            raise Mistake("params did not change: update them in place, params[name] -= ...")
        if not scale and any(not np.all(np.isfinite(params[k])) for k in params if isinstance(params[k], np.ndarray)):
            raise Mistake("A zero gradient on a zero memory made params nan: 0 / sqrt(0) is undefined, so add eps "
                          "to the square root: g / (np.sqrt(memory[name]) + eps).")

        step, sqrt_memory = {k: learning_rate * g for k, g in grads.items()}, {k: np.sqrt(new_memory[k]) for k in grads}
        compare_dicts(params, _minus(before, step, {k: sqrt_memory[k] + used_eps for k in grads}), "params", [
            ("The square root is missing: divide by np.sqrt(memory[name]) + eps.",
             _minus(before, step, {k: new_memory[k] + used_eps for k in grads})),
            ("eps is missing: add eps to the square root, g / (np.sqrt(memory[name]) + eps), so a memory near 0 "
             "does not blow the step up.", _minus(before, step, sqrt_memory)),
            ("eps is inside the square root; add it after: g / (np.sqrt(memory[name]) + eps).",
             _minus(before, step, {k: np.sqrt(new_memory[k] + used_eps) for k in grads})),
            ("eps is not the eps argument: use the eps your function receives (its default is 1e-8).",
             _minus(before, step, {k: sqrt_memory[k] + 1e-8 for k in grads})),
            ("The update used memory from before this step's squared gradient was added: update memory first.",
             _minus(before, step, {k: np.sqrt(memory_before[k]) + used_eps for k in grads})),
            ("The step was added; subtract it: params[name] -= learning_rate * g / (np.sqrt(memory[name]) + eps).",
             _minus(before, step, {k: -sqrt_memory[k] - used_eps for k in grads})),
            ("The step is not divided by sqrt(memory): that is plain SGD.",
             _minus(before, step, dict.fromkeys(grads, 1.0)))])
        require_in_place(params, originals, "params")
