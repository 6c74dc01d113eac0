"""Where rnn_lib's training time goes: cProfile of the two training loops, as markdown tables.

Run on its own with ``python -m bench.profile_lib`` (from the repository root), or through
``python -m bench.run_all --profile``. The tables list the functions with the most *own* time
(tottime: time inside the function, not in what it calls), with calls per training step so that
the figures read as "microseconds per minibatch".
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from bench.common import bench_char_text, fmt, markdown_table, word_vocabulary
from rnn_lib.datasets import load_sentiment
from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.text import Vocabulary
from rnn_lib.training import char_batches, train_classifier, train_language_model

REPO_ROOT = Path(__file__).resolve().parents[1]


def _profile(function) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    function()
    profiler.disable()
    return pstats.Stats(profiler)


def _where(filename: str, line: int, name: str) -> str:
    path = Path(filename)
    try:
        path = path.resolve().relative_to(REPO_ROOT)
    except ValueError:
        path = Path(path.parent.name) / path.name if path.parent.name else path
    if filename.startswith("~") or filename == "{built-in}" or not line:
        return name
    return f"{path.as_posix()}:{line} {name}"


def top_functions(stats: pstats.Stats, steps: int, limit: int = 12) -> tuple[list[list[str]], float]:
    """Rows (function, calls per step, own microseconds per step, share of total) and the total seconds."""
    entries = stats.stats  # {(file, line, name): (primitive calls, calls, tottime, cumtime, callers)}
    total = sum(tottime for _, _, tottime, _, _ in entries.values())
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:limit]
    rows = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in ranked:
        rows.append([f"`{_where(filename, line, name)}`", fmt(calls / steps, 1), fmt(tottime / steps * 1e6, 0),
                     fmt(cumtime / steps * 1e6, 0), f"{tottime / total:.0%}"])
    return rows, total


def profile_sentiment(hidden_size: int = 64, batch_size: int = 8, epochs: int = 60):
    train, _ = load_sentiment()
    model = SentimentRNN(word_vocabulary(train), hidden_size=hidden_size)
    stats = _profile(lambda: train_classifier(model, train, epochs=epochs, batch_size=batch_size))
    steps = epochs * -(-len(train) // batch_size)
    rows, total = top_functions(stats, steps)
    title = (f"SentimentRNN, train_classifier, H={hidden_size}, batch {batch_size}, {epochs} epochs "
             f"({steps} minibatch steps, {total / steps * 1e6:,.0f} us per step under the profiler)")
    return title, rows, total


def profile_chars(hidden_size: int = 128, batch_size: int = 16, epochs: int = 2):
    text = bench_char_text()
    vocab = Vocabulary.from_texts([text], level="char")
    model = CharRNN(vocab, hidden_size=hidden_size)
    stats = _profile(lambda: train_language_model(model, text, epochs=epochs, batch_size=batch_size))
    steps = epochs * sum(1 for _ in char_batches(vocab.encode(text), batch_size, 25))
    rows, total = top_functions(stats, steps)
    title = (f"CharRNN, train_language_model, H={hidden_size}, batch {batch_size}, seq 25, {epochs} epochs "
             f"({steps} chunk steps, {total / steps * 1e6:,.0f} us per step under the profiler)")
    return title, rows, total


HEADERS = ["function", "calls / step", "own us / step", "cumulative us / step", "share of own time"]


def profile_markdown(quick: bool = False) -> str:
    sections = []
    for title, rows, _ in (profile_sentiment(epochs=20 if quick else 60), profile_chars(epochs=1 if quick else 2)):
        sections.append(f"**{title}**\n\n{markdown_table(HEADERS, rows)}")
    return "\n\n".join(sections)


if __name__ == "__main__":
    print(profile_markdown())
