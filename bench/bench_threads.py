"""BLAS threads: does numpy's default thread count help or hurt rnn_lib's tiny matrix products?

``train_classifier`` and ``train_language_model`` already run inside ``single_blas_thread()``. To see
what that limit buys, the same work is also run as a raw loop (``model.loss`` + clipping + an
optimizer step, written out here) once under ``threadpoolctl.threadpool_limits(1)`` and once with
numpy's default number of BLAS threads.
"""

from __future__ import annotations

import time
from contextlib import nullcontext

import numpy as np
from threadpoolctl import threadpool_limits

from bench.common import bench_char_text, fmt, median, ratio, settle, word_vocabulary
from rnn_lib.datasets import load_sentiment
from rnn_lib.models import Batch, CharRNN, SentimentRNN
from rnn_lib.optim import Adagrad, Adam, clip_by_global_norm
from rnn_lib.text import Vocabulary
from rnn_lib.training import char_batches, train_classifier, train_language_model


def _raw_sentiment_epochs(model: SentimentRNN, batch: Batch, batch_size: int, epochs: int) -> None:
    optimizer, rng, n = Adam(0.01), np.random.default_rng(0), len(batch.labels)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            mask = batch.mask[rows]
            width = int(mask.sum(axis=1).max())
            _, grads = model.loss(Batch(batch.ids[rows, :width], mask[:, :width], batch.labels[rows]))
            grads, _ = clip_by_global_norm(grads, 5.0)
            optimizer.step(model.params, grads)


def _raw_char_epochs(model: CharRNN, ids: np.ndarray, batch_size: int, epochs: int) -> None:
    optimizer = Adagrad(0.1)
    for _ in range(epochs):
        h = None
        for chunk in char_batches(ids, batch_size, 25):
            _, grads, h = model.loss(chunk, h)
            grads, _ = clip_by_global_norm(grads, 5.0)
            optimizer.step(model.params, grads)


def thread_effect(*, hidden_size: int = 128, repeats: int = 3, sentiment_epochs: int = 10,
                  char_epochs: int = 1) -> list[dict]:
    """Median seconds per epoch for each (workload, thread setting); settings interleaved per repeat."""
    train, _ = load_sentiment()
    vocab = word_vocabulary(train)
    text = bench_char_text()
    char_vocab = Vocabulary.from_texts([text], level="char")
    char_ids = np.asarray(char_vocab.encode(text))
    workloads = []
    for batch_size in (8, len(train)):
        def lib_loop(batch_size=batch_size):
            train_classifier(SentimentRNN(vocab, hidden_size=hidden_size), train, epochs=sentiment_epochs,
                             batch_size=batch_size)

        def raw_loop(batch_size=batch_size):
            model = SentimentRNN(vocab, hidden_size=hidden_size)
            _raw_sentiment_epochs(model, model.make_batch(train), batch_size, sentiment_epochs)

        workloads.append((f"sentiment, batch {batch_size}", sentiment_epochs, lib_loop, raw_loop))

    def lib_chars():
        train_language_model(CharRNN(char_vocab, hidden_size=hidden_size), text, epochs=char_epochs, batch_size=16)

    def raw_chars():
        _raw_char_epochs(CharRNN(char_vocab, hidden_size=hidden_size), char_ids, 16, char_epochs)

    workloads.append(("characters, batch 16", char_epochs, lib_chars, raw_chars))

    results = []
    for name, epochs, lib_loop, raw_loop in workloads:
        settings = [("train loop (library's 1-thread limit)", lib_loop, nullcontext),
                    ("raw loop, default BLAS threads", raw_loop, nullcontext),
                    ("raw loop, threadpool_limits(1)", raw_loop, lambda: threadpool_limits(1, user_api="blas"))]
        seconds: dict[str, list[float]] = {label: [] for label, _, _ in settings}
        for _ in range(repeats):
            for label, function, context in settings:
                with context():
                    start = time.perf_counter()
                    function()
                    seconds[label].append(time.perf_counter() - start)
                if "default" in label:
                    settle()
        for label, _, _ in settings:
            results.append({"workload": name, "setting": label, "epochs_per_second": epochs / median(seconds[label])})
    return results


def thread_effect_rows(results: list[dict]) -> list[list[str]]:
    rows = []
    default = {r["workload"]: r["epochs_per_second"] for r in results if "default" in r["setting"]}
    for r in results:
        rows.append([r["workload"], r["setting"], fmt(r["epochs_per_second"], 1),
                     ratio(r["epochs_per_second"], default[r["workload"]])])
    return rows
