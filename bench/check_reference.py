"""Is the baseline correct? Compare the reference loops' gradients with rnn_lib's on the same weights.

rnn_lib's gradients are checked numerically by its tests, so agreement here (to about 1e-12) means the
per-example loops are fair baselines: the same model and the same maths, only written step by step.
"""

from __future__ import annotations

import numpy as np

from bench.reference_loop import ReferenceCharRNN, ReferenceSentimentRNN, softmax_column
from rnn_lib.models import Batch, CharRNN, SentimentRNN

NAMES = ("Wxh", "Whh", "bh", "Why", "by")


def _max_relative_error(ours: dict, theirs: dict) -> float:
    errors = []
    for name in NAMES:
        a, b = np.asarray(ours[name]).reshape(theirs[name].shape), theirs[name]
        errors.append(float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)))
    return max(errors)


def sentiment_gradient_error(vocab_size: int = 12, hidden_size: int = 7, seed: int = 0) -> float:
    """Largest relative difference between the reference's and SentimentRNN's gradients for one sentence."""
    rng = np.random.default_rng(seed)
    reference = ReferenceSentimentRNN(vocab_size, hidden_size, seed=seed)
    H, V = hidden_size, vocab_size
    weights = {"Wxh": rng.normal(0, 0.3, (H, V)), "Whh": rng.normal(0, 0.3, (H, H)), "bh": rng.normal(0, 0.1, (H, 1)),
               "Why": rng.normal(0, 0.3, (2, H)), "by": rng.normal(0, 0.1, (2, 1))}
    for name, value in weights.items():
        setattr(reference, name, value.copy())
    library = SentimentRNN(vocab_size, hidden_size)
    for name, value in weights.items():
        library.params[name][...] = value.reshape(library.params[name].shape)
    ids, label = [3, 5, 2, 9, 4], 1
    _, library_grads = library.loss(Batch(np.array([ids]), np.ones((1, len(ids)), dtype=bool), np.array([label])))
    # The reference applies its gradients at once; a tiny step recovers them from the change in weights.
    inputs = reference.columns(ids)
    scores, states = reference.forward(inputs)
    dscores = softmax_column(scores)
    dscores[label] -= 1.0
    step = 1e-3
    reference.backward_and_update(dscores, inputs, states, learning_rate=step)
    reference_grads = {name: (weights[name] - getattr(reference, name)) / step for name in NAMES}
    return _max_relative_error(reference_grads, library_grads)


def char_gradient_error(vocab_size: int = 12, hidden_size: int = 7, seed: int = 0) -> float:
    """Largest relative difference between the reference's and CharRNN's gradients for one chunk."""
    rng = np.random.default_rng(seed)
    reference = ReferenceCharRNN(vocab_size, hidden_size, seed=seed)
    for name in NAMES:
        reference.params[name] = rng.normal(0, 0.3, reference.params[name].shape)
    library = CharRNN(vocab_size, hidden_size)
    for name in NAMES:
        library.params[name][...] = reference.params[name].reshape(library.params[name].shape)
    inputs, targets = [1, 4, 6, 2, 8, 3], [4, 6, 2, 8, 3, 5]
    h0 = rng.normal(0, 0.2, (hidden_size, 1))
    _, reference_grads, _ = reference.loss_and_grads(inputs, targets, h0)
    _, library_grads, _ = library.loss((np.array([inputs]), np.array([targets])), h0.T)
    # The reference sums the loss over the chunk; rnn_lib averages it.
    return _max_relative_error({name: g / len(inputs) for name, g in reference_grads.items()}, library_grads)


if __name__ == "__main__":
    print(f"sentiment: {sentiment_gradient_error():.1e}, characters: {char_gradient_error():.1e}")
