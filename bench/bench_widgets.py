"""How long one widget interaction takes: retrain (or resample) and redraw, at default settings.

Every slider of the notebook widgets retrains or resamples on release, and each interaction should
feel immediate: the budget is 1 s per interaction at default settings on a small shared machine.
This script builds the real widgets (no browser: it sets the widgets' values, which runs the same
callbacks a slider release runs, PNG rendering included), and prints the median of several repeats
and its ratio to the budget.

    python bench/bench_widgets.py [--repeats 5]
    python bench/bench_widgets.py --hidden-sizes [--seeds 0 1 2]   # the explorer's result at every hidden size

``--hidden-sizes`` trains the explorer's model at its default settings for every hidden size its slider
offers and prints the final accuracies per seed, and what the explorer's result line would say.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib.pyplot as plt  # noqa: E402

from rnn_lib.datasets import load_char_corpus, load_sentiment  # noqa: E402
from rnn_lib.models import CharRNN  # noqa: E402
from rnn_lib.text import Vocabulary  # noqa: E402
from rnn_lib.training import train_language_model  # noqa: E402
from rnn_lib.widgets import sentence_box, temperature_explorer, training_explorer  # noqa: E402

BUDGET_SECONDS = 1.0


def timed(action, repeats: int) -> list[tuple[float, float]]:
    """(wall-clock, CPU) seconds of ``repeats`` calls of ``action()``.

    CPU time is this process's own work: on a machine shared with other jobs the wall clock also
    counts time spent waiting for a core. Widget output printed outside a kernel is dropped.
    """
    seconds = []
    for _ in range(repeats):
        with contextlib.redirect_stdout(io.StringIO()):
            start, start_cpu = time.perf_counter(), time.process_time()
            action()
            seconds.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return seconds


def toggle(control, other_value, default_value):
    """Move a control away and back: the timed part is the change back to the default (a retrain at defaults)."""
    def action():
        control.value = default_value
    def prepare():
        with contextlib.redirect_stdout(io.StringIO()):
            control.value = other_value
    return prepare, action


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="interactions per row (default 5)")
    parser.add_argument("--hidden-sizes", action="store_true",
                        help="instead: final accuracy at every hidden size the explorer offers")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds for --hidden-sizes")
    parser.add_argument("--no-scaling", action="store_true", help="with --hidden-sizes: the rate unscaled")
    args = parser.parse_args(argv)
    if args.hidden_sizes:
        return hidden_size_table(args.seeds, scale=not args.no_scaling)

    train, test = load_sentiment()
    explorers = []
    build_seconds = timed(lambda: explorers.append(training_explorer(train, test)), 1)
    explorer = explorers[0]
    controls = {widget._dom_classes[0]: widget for widget in _walk(explorer) if widget._dom_classes}
    rows = [("training_explorer: first draw (build)", build_seconds)]
    for name, other in (("rnn-hidden-size", 36), ("rnn-learning-rate", 0.03), ("rnn-epochs", 45),
                        ("rnn-optimizer", "adagrad")):
        control = controls[name]
        default = control.value
        seconds = []
        for _ in range(args.repeats):
            prepare, action = toggle(control, other, default)
            prepare()
            seconds += timed(action, 1)
        rows.append((f"training_explorer: {name} released at default", seconds))

    model = explorer_model(train, test)
    with contextlib.redirect_stdout(io.StringIO()):
        box = sentence_box(model)
    entry = next(widget for widget in _walk(box) if "rnn-sentence" in widget._dom_classes)
    sentences = ["the film was not good", "i am very happy", "this is not bad at all", "the meal was terrible"]
    sentence_seconds = []
    for i in range(args.repeats):
        text = sentences[i % len(sentences)]
        with contextlib.redirect_stdout(io.StringIO()):
            entry.value = text + " "        # a different string each time, so the callback really runs
        sentence_seconds += timed(lambda text=text: setattr(entry, "value", text), 1)
    rows.append(("sentence_box: new sentence", sentence_seconds))

    corpus = load_char_corpus()
    char_vocab = Vocabulary.from_texts([corpus], level="char")
    char_model = CharRNN(char_vocab, hidden_size=128, seed=0)       # the size notebook 06 trains
    train_language_model(char_model, corpus, epochs=1, learning_rate=0.05, batch_size=4)
    with contextlib.redirect_stdout(io.StringIO()):
        temperature = temperature_explorer(char_model, "The ", n=200)
    slider = next(widget for widget in _walk(temperature) if "rnn-temperature" in widget._dom_classes)
    temperature_seconds = []
    for _ in range(args.repeats):
        with contextlib.redirect_stdout(io.StringIO()):
            slider.value = 0.5
        temperature_seconds += timed(lambda: setattr(slider, "value", 1.0), 1)
    rows.append(("temperature_explorer: slider released at 1.0", temperature_seconds))

    print(f"Widget interactions at default settings (median of {args.repeats}; budget {BUDGET_SECONDS:.1f} s)")
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    print()
    print(f"| {'interaction':58s} | wall median (s) | wall max (s) | CPU median (s) | wall / budget |")
    print(f"|{'-' * 60}|----------------:|-------------:|---------------:|--------------:|")
    worst_wall = worst_cpu = 0.0
    for name, pairs in rows:
        wall, cpu = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
        if "build" not in name:
            worst_wall, worst_cpu = max(worst_wall, statistics.median(wall)), max(worst_cpu, statistics.median(cpu))
        print(f"| {name:58s} | {statistics.median(wall):15.3f} | {max(wall):12.3f} | {statistics.median(cpu):14.3f} "
              f"| {statistics.median(wall) / BUDGET_SECONDS:13.2f} |")
    print()
    print(f"open matplotlib figures after all interactions: {len(plt.get_fignums())} (should be 0)")
    print(f"slowest interaction (median): wall {worst_wall:.3f} s = {worst_wall / BUDGET_SECONDS:.2f} x budget, "
          f"CPU {worst_cpu:.3f} s = {worst_cpu / BUDGET_SECONDS:.2f} x budget")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall times include waiting "
              "for a core, CPU times do not.")
    return 0


def hidden_size_table(seeds, scale: bool = True) -> int:
    """Final train/test accuracy for every hidden size of the explorer's slider at its default settings."""
    from rnn_lib.widgets import diagnose, train_and_plot

    train, test = load_sentiment()
    with contextlib.redirect_stdout(io.StringIO()):
        explorer = training_explorer(train, test, scale_learning_rate=scale)
    controls = {widget._dom_classes[0]: widget for widget in _walk(explorer) if widget._dom_classes}
    plt.close("all")
    hidden = controls["rnn-hidden-size"]
    defaults = {"learning_rate": controls["rnn-learning-rate"].value, "epochs": controls["rnn-epochs"].value,
                "optimizer": controls["rnn-optimizer"].value}
    sizes = list(range(hidden.min, hidden.max + 1, hidden.step))
    print(f"explorer defaults: {defaults}, learning rate {'scaled by 32/H above 32' if scale else 'unscaled'}; "
          f"seeds {seeds}")
    print()
    print("| hidden size | learning rate | test accuracy per seed (%) | mean | train accuracy (mean %) "
          "| result line says |")
    print("|---:|---:|---|---:|---:|---|")
    worst = 1.0
    for size in sizes:
        tests, trains, verdicts = [], [], set()
        for seed in seeds:
            run = train_and_plot(train, test, hidden_size=size, seed=seed, scale_learning_rate=scale, **defaults)
            plt.close(run.figure)
            tests.append(run.history.test_accuracy[-1])
            trains.append(run.history.train_accuracy[-1])
            verdict = diagnose(run, train)
            verdicts.add(verdict.split(":")[0] if verdict else "learned")
        worst = min(worst, min(trains))
        print(f"| {size} | {run.settings['learning_rate']:.4g} | {' / '.join(f'{100 * a:.1f}' for a in tests)} | "
              f"{100 * statistics.mean(tests):.1f} | {100 * statistics.mean(trains):.1f} | "
              f"{', '.join(sorted(verdicts))} |", flush=True)
    print()
    print(f"lowest final train accuracy over all sizes and seeds: {100 * worst:.1f}%")
    return 0


def explorer_model(train, test):
    """A trained classifier for the sentence box, as the notebook makes it."""
    from rnn_lib.widgets import train_and_plot

    run = train_and_plot(train, test)
    plt.close(run.figure)
    return run.model


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


if __name__ == "__main__":
    sys.exit(main())
