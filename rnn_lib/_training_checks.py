"""Argument checks of the training loops, so that every bad argument is named in its error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral

import numpy as np

from ._validate import optional_positive_float, positive_float, positive_int, seed_value
from .divergence import check_weights_before_training


def model_kind(model, wanted: str) -> None:
    """Raise a TypeError unless ``model`` is an instance of the kind of model the loop trains."""
    if isinstance(model, type):
        raise TypeError(f"model must be a model instance, such as {model.__name__}(vocab), not the class "
                        f"{model.__name__} itself.")
    is_classifier = callable(getattr(model, "make_batch", None))
    is_language_model = callable(getattr(model, "sample", None)) and callable(getattr(model, "perplexity", None))
    if wanted == "classifier" and not is_classifier:
        hint = "; it is a language model: train it with train_language_model" if is_language_model else ""
        raise TypeError(f"train_classifier trains a classifier such as SentimentRNN, got {type(model).__name__}{hint}.")
    if wanted == "language model" and (is_classifier or not is_language_model):
        hint = "; it is a classifier: train it with train_classifier" if is_classifier else ""
        raise TypeError(f"train_language_model trains a language model such as CharRNN, "
                        f"got {type(model).__name__}{hint}.")
    if not isinstance(getattr(model, "params", None), Mapping):
        raise TypeError(f"model must keep its weights in a params dict; {type(model).__name__} has none.")


def examples(examples, name: str, num_classes: int) -> list:
    """``examples`` as a list of (text, label) pairs, or a clear error naming ``name[i]``."""
    if isinstance(examples, (str, bytes)) or not isinstance(examples, Sequence):
        raise TypeError(f"{name} must be a list of (text, label) pairs, got {type(examples).__name__}.")
    if len(examples) == 0:
        raise ValueError(f"{name} is empty; pass at least one (text, label) pair"
                         + (" (or test=None for no test set)." if name == "test" else "."))
    for i, example in enumerate(examples):
        if not (isinstance(example, (tuple, list)) and len(example) == 2):
            raise TypeError(f"{name}[{i}] should be a (text, label) pair, got {example!r}.")
        text, label = example
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] has text {text!r} ({type(text).__name__}); the text must be a string.")
        # A bool label is read as 0 or 1, as make_batch does.
        if not isinstance(label, (Integral, np.bool_)):
            raise TypeError(f"{name}[{i}] has label {label!r} ({type(label).__name__}); labels must be whole "
                            f"numbers 0..{num_classes - 1}.")
        if not 0 <= int(label) < num_classes:
            raise ValueError(f"{name}[{i}] has label {label!r}; labels must be whole numbers 0..{num_classes - 1}.")
    return list(examples)


def common_arguments(model, epochs, learning_rate, optimizer, batch_size, clip, seed, progress, callback):
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    if learning_rate is not None:
        learning_rate = positive_float(learning_rate, "learning_rate")
    clip = optional_positive_float(clip, "clip", "no clipping")
    seed = seed_value(seed, "seed")
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}.")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function taking the History, or None; got {type(callback).__name__}.")
    check_weights_before_training(model.params)
    return epochs, batch_size, clip, seed


def text_argument(value, name: str, minimum: int) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}.")
    if len(value) < minimum:
        raise ValueError(f"{name} is {'empty' if not value else 'too short'}; it needs at least {minimum} "
                         f"character{'s' if minimum > 1 else ''}.")
    return value
