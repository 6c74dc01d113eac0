"""Checks for notebooks 05 and 06: an SGD step and an Adagrad step, both in place."""

from __future__ import annotations

import copy

import numpy as np

from ._core import Mistake, checker, compare_dicts, random_grads, require_in_place, run


@checker("Every parameter moved by -learning_rate * gradient, in place.")
def check_sgd_step(sgd_step) -> None:
    """Check ``sgd_step(params, grads, learning_rate) -> None`` (in place) against ``w - learning_rate * dw``."""
    rng = np.random.default_rng(10)
    for learning_rate in (0.1, 0.03):
        params, grads = random_grads(rng, 1.0), random_grads(rng, 1.0)
        before, originals = copy.deepcopy(params), dict(params)
        run(sgd_step, {"params": params, "grads": grads, "learning_rate": learning_rate}, may_change=("params",))
        if all(np.array_equal(params[k], before[k]) for k in before):
            raise Mistake("params did not change: update the arrays in place, params[name] -= learning_rate * "
                          "grads[name] (`p = p - ...` only rebinds a local name).")
        expected = {k: before[k] - learning_rate * grads[k] for k in before}
        compare_dicts(params, expected, "params", [
            ("The gradient was added; subtract it to go downhill: params[name] -= learning_rate * grads[name].",
             {k: before[k] + learning_rate * grads[k] for k in before}),
            ("The step is not multiplied by learning_rate.", {k: before[k] - grads[k] for k in before})])
        require_in_place(params, originals, "params")


def _minus(before: dict, step: dict, divisor: dict) -> dict:
    return {k: before[k] - step[k] / divisor[k] for k in before}


@checker("memory accumulates the squared gradients and each parameter moves by -lr * g / (sqrt(memory) + eps).")
def check_adagrad_step(adagrad_step) -> None:
    """Check ``adagrad_step(params, grads, memory, learning_rate, eps=1e-8)`` (in place) against Adagrad."""
    rng = np.random.default_rng(11)
    params = random_grads(rng, 1.0)
    memory = {k: rng.uniform(0.5, 2.0, size=v.shape) for k, v in params.items()}
    learning_rate, eps = 0.1, 1e-8
    for _ in range(2):   # two steps in a row: memory must keep growing
        grads = random_grads(rng, 1.0)
        before, memory_before = copy.deepcopy(params), copy.deepcopy(memory)
        originals, memory_originals = dict(params), dict(memory)
        run(adagrad_step, {"params": params, "grads": grads, "memory": memory, "learning_rate": learning_rate},
            may_change=("params", "memory"))
        new_memory = {k: memory_before[k] + grads[k] ** 2 for k in grads}
        if all(np.array_equal(memory[k], memory_before[k]) for k in memory_before):
            raise Mistake("memory did not change: add the squared gradient into it in place, "
                          "memory[name] += grads[name] ** 2.")
        compare_dicts(memory, new_memory, "memory", [
            ("memory holds only this step's squared gradient; it must be a running sum: "
             "memory[name] += grads[name] ** 2.", {k: grads[k] ** 2 for k in grads}),
            ("memory must add the squared gradient, grads[name] ** 2, not the gradient itself.",
             {k: memory_before[k] + grads[k] for k in grads})])
        require_in_place(memory, memory_originals, "memory")
        if all(np.array_equal(params[k], before[k]) for k in before):
            raise Mistake("params did not change: update them in place, params[name] -= ...")

        step, sqrt_memory = {k: learning_rate * g for k, g in grads.items()}, {k: np.sqrt(new_memory[k]) for k in grads}
        compare_dicts(params, _minus(before, step, {k: sqrt_memory[k] + eps for k in grads}), "params", [
            ("The square root is missing: divide by np.sqrt(memory[name]) + eps.",
             _minus(before, step, {k: new_memory[k] + eps for k in grads})),
            ("The update used memory from before this step's squared gradient was added: update memory first.",
             _minus(before, step, {k: np.sqrt(memory_before[k]) + eps for k in grads})),
            ("The step was added; subtract it: params[name] -= learning_rate * g / (np.sqrt(memory[name]) + eps).",
             _minus(before, step, {k: -sqrt_memory[k] - eps for k in grads})),
            ("The step is not divided by sqrt(memory): that is plain SGD.",
             _minus(before, step, dict.fromkeys(grads, 1.0)))])
        require_in_place(params, originals, "params")
