"""Character-model benchmark: characters per second of training (forward + backward + update).

Variants, all with seq_length 25, Adagrad lr 0.1 and gradient clipping:

* ``reference``: ``ReferenceCharRNN``, one stream of text, a per-step loop over one-hot columns;
* ``rnn_lib``: ``CharRNN`` + ``train_language_model`` with batch_size 1 (the same work as the
  reference) and 16 (its default: 16 parallel streams);
* ``torch``: ``torch.nn.RNN`` + ``torch.nn.Linear`` at the same two batch sizes.

A character counts once per epoch for each stream position that is trained on.
"""

from __future__ import annotations

import time

import numpy as np

from bench.common import bench_char_text, blas_threads, median, rows_with_ratios, settle, torch_threads
from bench.reference_loop import ReferenceCharRNN
from rnn_lib.models import CharRNN
from rnn_lib.text import Vocabulary
from rnn_lib.training import char_batches, train_language_model

SEQ_LENGTH = 25
LEARNING_RATE = 0.1
HIDDEN_SIZES = (64, 128)
BATCH_SIZES = (1, 16)


def _characters_per_epoch(ids: np.ndarray, batch_size: int) -> int:
    return sum(targets.size for _, targets in char_batches(ids, batch_size, SEQ_LENGTH))


def _timers(text: str, hidden_size: int, use_torch: bool, torch_thread_counts: list[int]):
    """(label, function returning characters trained per second) for every variant."""
    vocab = Vocabulary.from_texts([text], level="char")
    ids = np.asarray(vocab.encode(text))
    id_list = ids.tolist()

    def reference():
        model = ReferenceCharRNN(len(vocab), hidden_size, learning_rate=LEARNING_RATE)
        with blas_threads(1):             # the same BLAS setting as rnn_lib's training loop
            start = time.perf_counter()
            seen, _ = model.train_pass(id_list, SEQ_LENGTH)
            return seen / (time.perf_counter() - start)

    timers = [("reference (1 stream)", reference)]
    for batch_size in BATCH_SIZES:
        characters = _characters_per_epoch(ids, batch_size)

        def library(batch_size=batch_size, characters=characters):
            model = CharRNN(vocab, hidden_size=hidden_size)
            start = time.perf_counter()
            train_language_model(model, text, epochs=1, learning_rate=LEARNING_RATE, optimizer="adagrad",
                                 seq_length=SEQ_LENGTH, batch_size=batch_size)
            return characters / (time.perf_counter() - start)

        timers.append((f"rnn_lib (batch {batch_size})", library))
    if use_torch:
        from bench import torch_baseline
        from bench.common import import_torch

        torch = import_torch()
        for threads in torch_thread_counts:
            # More than one thread only at the larger batch, where threads have work to share.
            for batch_size in BATCH_SIZES if threads == 1 else BATCH_SIZES[-1:]:
                def in_torch(batch_size=batch_size, threads=threads):
                    with torch_threads(torch, threads):
                        seen, seconds = torch_baseline.train_chars(ids, len(vocab), hidden_size=hidden_size, epochs=1,
                                                                   batch_size=batch_size, seq_length=SEQ_LENGTH,
                                                                   learning_rate=LEARNING_RATE)
                    return seen / seconds

                plural = "thread" if threads == 1 else "threads"
                timers.append((f"torch (batch {batch_size}, {threads} {plural})", in_torch))
    return timers


def characters_per_second(*, hidden_sizes=HIDDEN_SIZES, repeats=3, use_torch=True, torch_thread_counts=(1,),
                          text: str | None = None) -> dict[str, dict[int, float]]:
    """Median characters per second of every variant at each hidden size (variants interleaved per repeat)."""
    text = bench_char_text() if text is None else text
    rates: dict[str, dict[int, float]] = {}
    for hidden_size in hidden_sizes:
        timers = _timers(text, hidden_size, use_torch, list(torch_thread_counts))
        samples: dict[str, list[float]] = {label: [] for label, _ in timers}
        for _ in range(repeats):
            for label, timed in timers:
                samples[label].append(timed())
                if "1 thread" not in label and label.startswith("torch"):
                    settle()
        for label, values in samples.items():
            rates.setdefault(label, {})[hidden_size] = median(values)
    return rates


def characters_per_second_rows(rates: dict[str, dict[int, float]]) -> list[list[str]]:
    return rows_with_ratios(rates, "reference (1 stream)", digits=0)
