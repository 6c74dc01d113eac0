"""Run every speed benchmark once and write the figures as markdown.

From the repository root::

    python -m bench.run_all            # the full run, a few minutes
    python -m bench.run_all --quick    # under a minute: one seed, fewer repeats
    python -m bench.run_all --profile  # also profile rnn_lib's training loops (on by default in a full run)

Every speed is reported as a ratio to a baseline measured in the same run, because the absolute
figures depend on the machine and on whatever else it is doing. Nothing here asserts a speed.
The table is printed and written to ``bench/results/latest.md`` (raw numbers in ``latest.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_chars, bench_sentiment, bench_threads  # noqa: E402
from bench.common import (  # noqa: E402
    BLOG_DATA_RELATIVE,
    CHAR_SLICE,
    RESULTS_DIR,
    import_torch,
    load_blog_sentiment,
    machine_info,
    markdown_table,
    sentence_lengths,
)
from rnn_lib.datasets import load_sentiment  # noqa: E402

FULL = {"seeds": (0, 1, 2), "max_epochs": 200, "reference_max_epochs": {"blog": 1000, "rnn_lib": 300},
        "repeats": 3, "lib_epochs": 10, "reference_epochs": 2, "char_hidden": (64, 128), "threads_repeats": 3,
        "torch_default_threads": True}
# The quick run: one seed, one repeat, short caps, and no multi-threaded torch rows.
QUICK = {"seeds": (0,), "max_epochs": 100, "reference_max_epochs": {"blog": 500, "rnn_lib": 60},
         "repeats": 1, "lib_epochs": 3, "reference_epochs": 1, "char_hidden": (64,), "threads_repeats": 1,
         "torch_default_threads": False}


def _datasets() -> list[tuple[str, list, list]]:
    datasets = []
    blog = load_blog_sentiment()
    if blog is not None:
        datasets.append(("blog", *blog))
    datasets.append(("rnn_lib", *load_sentiment()))
    return datasets


def _target_checks(accuracy_results: dict, sentiment_rates: dict, char_rates: dict) -> list[str]:
    """One line per target from the brief: met or not, with the figure."""
    lines = []
    for name, result in accuracy_results.items():
        summary = bench_sentiment.summarise_time_to_accuracy(result)
        ref, lib = summary["reference"], summary["rnn_lib"]
        if ref["seconds"] and lib["seconds"]:
            wall, cpu = ref["seconds"] / lib["seconds"], ref["cpu_seconds"] / lib["cpu_seconds"]
            verdict = "met" if min(wall, cpu) >= 20 else "met on one clock only" if max(wall, cpu) >= 20 else "NOT met"
            lines.append(f"- rnn_lib >= 20x faster than the reference loop to {result['target']:.0%} test accuracy "
                         f"on the {name} data: {wall:.1f}x wall clock, {cpu:.1f}x CPU time ({verdict}).")
        else:
            lines.append(f"- rnn_lib vs reference on the {name} data: a side never reached the target; see the table.")
        torch_seconds = summary.get("torch", {}).get("seconds")
        if torch_seconds and lib["seconds"]:
            verdict = "met" if lib["seconds"] < torch_seconds else "NOT met"
            lines.append(f"- rnn_lib faster than torch to {result['target']:.0%} on the {name} data: "
                         f"{torch_seconds / lib['seconds']:.1f}x ({verdict}).")
    for dataset, rates in sentiment_rates.items():
        lib = rates.get(f"rnn_lib (batch {bench_sentiment.LIB_SETTINGS['batch_size']})", {})
        torch_rates = next((r for label, r in rates.items() if label.startswith("torch") and "1 thread" in label), None)
        if torch_rates:
            parts = [f"H={h}: {lib[h] / torch_rates[h]:.1f}x" for h in lib if h <= 128]
            verdict = "met" if all(lib[h] > torch_rates[h] for h in lib if h <= 128) else "NOT met"
            lines.append(f"- rnn_lib epochs/s faster than torch (same batch, 1 thread) on the {dataset} data, "
                         f"{', '.join(parts)} ({verdict}).")
    torch_chars = {label: r for label, r in char_rates.items() if label.startswith("torch") and "1 thread" in label}
    for batch in bench_chars.BATCH_SIZES:
        lib = char_rates.get(f"rnn_lib (batch {batch})")
        torch_rates = torch_chars.get(f"torch (batch {batch}, 1 thread)")
        if lib and torch_rates:
            parts = [f"H={h}: {lib[h] / torch_rates[h]:.1f}x" for h in lib]
            verdict = "met" if all(lib[h] > torch_rates[h] for h in lib) else "NOT met"
            lines.append(f"- rnn_lib characters/s faster than torch at batch {batch} (1 thread), "
                         f"{', '.join(parts)} ({verdict}).")
    return lines


def _by_size_json(rates: dict[str, dict[int, float]]) -> dict[str, dict[str, float]]:
    return {label: {str(size): value for size, value in by_size.items()} for label, by_size in rates.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed and fewer repeats (under a minute)")
    parser.add_argument("--profile", action="store_true", help="profile rnn_lib's loops (always on in a full run)")
    parser.add_argument("--no-torch", action="store_true", help="skip the torch rows even if torch is installed")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.md", help="where to write the markdown")
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    started = time.perf_counter()

    info = machine_info()
    torch = None if args.no_torch else import_torch()
    torch_note = ("torch rows use float64 (as rnn_lib) and torch.set_num_threads(1) unless a row says otherwise"
                  if torch else "torch is not installed (or --no-torch): its rows are skipped")
    default_torch_threads = torch.get_num_threads() if torch and config["torch_default_threads"] else None
    sections = [f"# rnn_lib speed benchmarks ({'quick' if args.quick else 'full'} run)",
                f"Run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
                "## Machine\n\n" + markdown_table(["what", "value"], [[k, v] for k, v in info.items()])]
    raw: dict = {"machine": info, "config": {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}}

    def emit(text: str) -> None:
        print(text, "\n", flush=True)
        sections.append(text)

    print("\n\n".join(sections), "\n", flush=True)
    from bench.check_reference import char_gradient_error, sentiment_gradient_error

    emit(f"- The reference loops compute rnn_lib's gradients (largest relative difference: sentiment "
         f"{sentiment_gradient_error():.0e}, characters {char_gradient_error():.0e}), so they are correct baselines.")
    datasets = _datasets()
    for name, train, test in datasets:
        mean_len, max_len = sentence_lengths(train)
        emit(f"- {name} data: {len(train)} train / {len(test)} test sentences, "
             f"{mean_len:.1f} words on average (longest {max_len}).")

    # 1. Time to accuracy.
    settings = bench_sentiment.LIB_SETTINGS
    accuracy_results, rows = {}, []
    for name, train, test in datasets:
        result = bench_sentiment.time_to_accuracy(
            train, test, hidden_size=64, seeds=config["seeds"], max_epochs=config["max_epochs"],
            reference_max_epochs=config["reference_max_epochs"][name], use_torch=torch is not None)
        accuracy_results[name] = result
        rows += bench_sentiment.time_to_accuracy_rows(name, result)
    emit("## 1. Sentiment: time to the same test accuracy (H=64)\n\n"
         f"Median over seeds {list(config['seeds'])}. reference: {bench_sentiment.REFERENCE_SETTINGS}, "
         f"at most {config['reference_max_epochs']} epochs. rnn_lib: SentimentRNN + train_classifier, "
         f"{settings['optimizer']} lr {settings['learning_rate']}, batch {settings['batch_size']}, "
         f"clip {settings['clip']} (global norm), at most {config['max_epochs']} epochs; "
         f"'{bench_sentiment.EXTRA_LIB_VARIANT[0]}' is the same model with one full-batch step per epoch, shown "
         "for information (it does not set the target). torch: nn.RNN + "
         f"nn.Linear, same optimizer settings. {torch_note}. The test accuracy is measured after every "
         "epoch and its cost is included. The target is the highest test accuracy every seed of every "
         "implementation reached.\n\n"
         + markdown_table(bench_sentiment.TIME_TO_ACCURACY_HEADERS, rows))
    ladder = [row for name, result in accuracy_results.items() for row in bench_sentiment.ladder_rows(name, result)]
    emit("### The same runs at other test accuracies\n\n"
         "Median epochs and speed-ups (wall clock unless said) to each accuracy; a seed that never reached it counts "
         "as infinitely slow, so '-' means half the seeds or more never got there.\n\n"
         + markdown_table(bench_sentiment.LADDER_HEADERS, ladder))

    # 2. Epochs per second.
    sentiment_rates, rows = {}, []
    for name, train, _ in datasets:
        rates = bench_sentiment.epochs_per_second(
            train, repeats=config["repeats"], lib_epochs=config["lib_epochs"],
            reference_epochs=config["reference_epochs"], use_torch=torch is not None,
            default_torch_threads=default_torch_threads if name == "rnn_lib" else None)
        sentiment_rates[name] = rates
        rows += bench_sentiment.epochs_per_second_rows(name, rates)
    emit("## 2. Sentiment: training epochs per second (no test evaluation)\n\n"
         f"Median of {config['repeats']} interleaved repeats; in brackets the ratio to the reference loop "
         "(1 BLAS thread) at the same hidden size.\n\n"
         + markdown_table(["data", "variant", *[f"H={h}" for h in bench_sentiment.HIDDEN_SIZES]], rows))

    # 3. Characters per second.
    thread_counts = [1] + ([default_torch_threads] if default_torch_threads and default_torch_threads > 1 else [])
    char_rates = bench_chars.characters_per_second(hidden_sizes=config["char_hidden"], repeats=config["repeats"],
                                                   use_torch=torch is not None, torch_thread_counts=thread_counts)
    emit("## 3. Character model: training characters per second\n\n"
         f"The first {CHAR_SLICE:,} characters of rnn_lib.datasets.load_char_corpus(), seq_length "
         f"{bench_chars.SEQ_LENGTH}, Adagrad lr "
         f"{bench_chars.LEARNING_RATE}, one epoch per measurement, median of {config['repeats']}; in brackets the "
         "ratio to the per-step reference loop.\n\n"
         + markdown_table(["variant", *[f"H={h}" for h in config["char_hidden"]]],
                          bench_chars.characters_per_second_rows(char_rates)))

    # 4. BLAS threads.
    thread_results = bench_threads.thread_effect(repeats=config["threads_repeats"],
                                                 sentiment_epochs=config["lib_epochs"])
    emit("## 4. BLAS threads (rnn_lib, H=128)\n\n"
         "numpy's default BLAS thread count against one thread, on the rnn_lib sentiment data and the character "
         "corpus. The ratio is to the raw loop with default threads.\n\n"
         + markdown_table(["workload", "setting", "epochs/s", "vs default threads"],
                          bench_threads.thread_effect_rows(thread_results)))

    # 5. Gated cells: about 10 s, so always part of the run.
    from bench import bench_gated

    gated_rates = bench_gated.speed(repeats=config["repeats"], use_torch=torch is not None)
    emit("## 5. Sentiment: LSTM and GRU epochs per second (bench/bench_gated.py speed)\n\n"
         f"train_classifier on the rnn_lib training sentences, {bench_gated.SETTINGS}, 5 epochs per measurement, "
         f"median of {config['repeats']} interleaved repeats after one discarded warm-up; torch: nn.RNN / nn.LSTM / "
         "nn.GRU + nn.Linear, one-hot float64, 1 thread. In brackets the ratio to rnn_lib's vanilla cell; last "
         "columns: rnn_lib / torch for the same cell.\n\n" + bench_gated.speed_table(gated_rates))

    checks = _target_checks(accuracy_results, sentiment_rates, char_rates)
    emit("## Targets\n\n" + "\n".join(checks))

    if args.profile or not args.quick:
        from bench.profile_lib import profile_markdown

        emit("## Profile of rnn_lib's training loops (cProfile)\n\n"
             "Own time is time spent in the function's own lines, including the numpy operators they run; "
             "profiling itself inflates the cost of small calls.\n\n" + profile_markdown(quick=args.quick))
        from bench import what_if

        try:
            what_if_rows = what_if.what_if(repeats=5 if args.quick else 15)
        except Exception as error:  # the prototype leans on rnn_lib's private cache layout; never sink the run
            emit(f"## What if\n\nskipped: the prototype no longer fits rnn_lib ({type(error).__name__}: {error}).")
        else:
            emit("## What if: the weight gradients as one product after the loop (bench/what_if.py)\n\n"
                 "One training step (forward, loss, backward, clip, update), minimum over interleaved repeats, "
                 "1 BLAS thread. The prototype's gradients agree to rounding (last column).\n\n"
                 + markdown_table(what_if.HEADERS, what_if_rows))

    elapsed = time.perf_counter() - started
    emit(f"Total benchmark time: {elapsed:.0f} s. The tutorial data is read from "
         f"<repo>/{BLOG_DATA_RELATIVE.as_posix()} when present.")

    raw.update({
        "time_to_accuracy": {name: {"target": r["target"],
                                    "summary": bench_sentiment.summarise_time_to_accuracy(r)}
                             for name, r in accuracy_results.items()},
        "epochs_per_second": {name: _by_size_json(rates) for name, rates in sentiment_rates.items()},
        "characters_per_second": _by_size_json(char_rates),
        "threads": thread_results,
        "gated_epochs_per_second": _by_size_json(gated_rates),
        "seconds": elapsed,
    })
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    args.output.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.output} and {args.output.with_suffix('.json').name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
