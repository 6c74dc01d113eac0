"""make_memory_task: the label sits exactly ``distance`` steps before the end, and nothing else gives it away."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from rnn_lib.datasets import MEMORY_FILLERS, MEMORY_KEYS, make_memory_task

# Written out here on purpose, so a mistake in the library's constants cannot hide a mistake in the labels.
KEY_LABEL = {"red": 0, "blue": 1}


@pytest.mark.parametrize(("distance", "max_prefix"), [(0, 10), (1, 10), (5, 0), (30, 3)])
def test_the_key_is_exactly_distance_steps_before_the_end(distance, max_prefix):
    lengths = set()
    for text, label in make_memory_task(300, distance, seed=distance, max_prefix=max_prefix):
        words = text.split()
        lengths.add(len(words))
        # The last word has index len - 1; the key is `distance` steps before it.
        key_at = len(words) - 1 - distance
        assert KEY_LABEL[words[key_at]] == label
        distractors = words[:key_at] + words[key_at + 1 :]
        assert set(distractors) <= set(MEMORY_FILLERS), "a key word among the distractors"
    # 0..max_prefix distractors before the key, each length seen in 300 sentences.
    assert lengths == set(range(distance + 1, distance + max_prefix + 2))


def test_the_length_says_nothing_about_the_label():
    by_length = collections.defaultdict(list)
    for text, label in make_memory_task(4000, 5, seed=8):
        by_length[len(text.split())].append(label)
    for labels in by_length.values():
        # About 360 sentences per length: 0.5 +- 0.08 is more than 3 standard errors.
        assert abs(np.mean(labels) - 0.5) < 0.08


@pytest.mark.parametrize("n", [1, 2, 7, 1000])
def test_labels_are_balanced(n):
    counts = collections.Counter(label for _, label in make_memory_task(n, 4, seed=1))
    assert set(counts) <= {0, 1}
    assert abs(counts[0] - counts[1]) <= 1


def test_same_seed_same_data_and_no_global_state():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    first = make_memory_task(50, 6, seed=3)
    assert np.random.random() == before
    assert make_memory_task(50, 6, seed=3) == first
    assert make_memory_task(50, 6, seed=4) != first


def test_distractors_vary():
    texts = [text for text, _ in make_memory_task(300, 10, seed=2)]
    assert len(set(texts)) == len(texts)
    assert set(" ".join(texts).split()) == set(MEMORY_FILLERS) | set(MEMORY_KEYS)
    assert len(MEMORY_FILLERS) == 20


def _bag_of_words(examples, vocab, skip_key=True):
    """Counts of every word in ``vocab`` (the key left out unless ``skip_key`` is False), one row per example."""
    index = {word: i for i, word in enumerate(vocab)}
    rows = np.zeros((len(examples), len(vocab)))
    for row, (text, _) in enumerate(examples):
        for word in text.split():
            if skip_key and word in KEY_LABEL:
                continue
            rows[row, index[word]] += 1
    return rows


def _naive_bayes_accuracy(train, test, skip_key):
    vocab = sorted(MEMORY_FILLERS) + sorted(KEY_LABEL)
    X_train, X_test = _bag_of_words(train, vocab, skip_key), _bag_of_words(test, vocab, skip_key)
    y_train, y_test = np.array([y for _, y in train]), np.array([y for _, y in test])
    log_p = [np.log((X_train[y_train == k].sum(axis=0) + 1) / (X_train[y_train == k].sum() + len(vocab)))
             for k in (0, 1)]
    predictions = (X_test @ log_p[1] > X_test @ log_p[0]).astype(int)
    return np.mean(predictions == y_test)


def test_bag_of_words_without_the_key_is_at_chance():
    # A naive Bayes classifier on the distractor counts: with the key removed, nothing is left to learn.
    train, test = make_memory_task(4000, 20, seed=5), make_memory_task(4000, 20, seed=6)
    # Chance is 0.5; with 4000 test examples the standard error is 0.008, so 0.47..0.53 is about 4 sigma.
    assert 0.47 < _naive_bayes_accuracy(train, test, skip_key=True) < 0.53
    # The same classifier shown the key is perfect, so the features themselves work.
    assert _naive_bayes_accuracy(train, test, skip_key=False) == 1.0
    # The last word alone is no better.
    last = collections.defaultdict(list)
    for text, label in train:
        last[text.split()[-1]].append(label)
    vote = {word: int(np.mean(labels) > 0.5) for word, labels in last.items()}
    assert 0.47 < np.mean([vote[text.split()[-1]] == label for text, label in test]) < 0.53


def test_without_a_prefix_the_key_comes_first():
    examples = make_memory_task(100, 8, seed=7, max_prefix=0)
    assert all(KEY_LABEL[text.split()[0]] == label and len(text.split()) == 9 for text, label in examples)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"n": 0, "distance": 3}, "n"),
    ({"n": 2.5, "distance": 3}, "n"),
    ({"n": True, "distance": 3}, "n"),
    ({"n": 10, "distance": -1}, "distance"),
    ({"n": 10, "distance": "5"}, "distance"),
    ({"n": 10, "distance": 5, "max_prefix": -2}, "max_prefix"),
])
def test_bad_arguments_are_named(kwargs, name):
    # A value of the wrong type is a TypeError, a whole number out of range a ValueError: both name it.
    with pytest.raises((TypeError, ValueError), match=f"^{name} must be an integer"):
        make_memory_task(**kwargs)


# --- the experiment on top of it --------------------------------------------------------------------

def test_memory_experiment_learns_a_short_distance_and_tabulates():
    from rnn_lib.experiments import memory_experiment

    results = memory_experiment(distances=(1, 2), cells=("rnn", "gru"), seeds=(0, 1), n_train=64, n_test=64,
                                epochs=30, hidden_size=8, max_prefix=2)
    assert results.accuracy.shape == (2, 2, 2) and results.epochs.shape == (2, 2, 2)
    # One or two steps back: every cell learns it, far above chance (0.5) though 64 sentences are few.
    assert results.accuracy.min() >= 0.8, results.accuracy
    np.testing.assert_allclose(results.mean(), results.accuracy.mean(axis=2))
    lines = results.table().splitlines()
    assert lines[0] == "| cell | distance 1 | distance 2 |"
    assert lines[2].startswith("| rnn | ") and lines[3].startswith("| gru | ")
    assert results.settings["hidden_size"] == 8


def test_memory_experiment_refuses_bad_settings():
    from rnn_lib.experiments import memory_experiment, train_memory

    with pytest.raises(TypeError, match="hiden_size"):
        memory_experiment(distances=(1,), hiden_size=8)
    with pytest.raises(ValueError, match="cell must be one of"):
        memory_experiment(distances=(1,), cells=("lstmm",))
    with pytest.raises(ValueError, match="cell must be one of"):
        train_memory("transformer", 3)
    with pytest.raises(ValueError, match="at least one"):
        memory_experiment(distances=(1,), seeds=())


def test_train_memory_stops_once_the_training_set_is_learnt():
    from rnn_lib.experiments import train_memory

    _, history, test = train_memory("gru", 1, seed=0, n_train=32, n_test=16, epochs=50, hidden_size=8, max_prefix=0)
    assert len(test) == 16
    assert history.train_accuracy[-1] == 1.0 and len(history.epoch) < 50

