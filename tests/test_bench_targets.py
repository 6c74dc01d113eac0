"""The benchmark's choice of target accuracy and its table of speed-ups, on hand-made runs (no timing)."""

from bench.bench_sentiment import Run, _target, ladder_rows


def _run(name: str, accuracies: list[float], seconds_per_epoch: float) -> Run:
    run = Run(name, seed=0)
    for epoch, accuracy in enumerate(accuracies, start=1):
        run.epochs.append(epoch)
        run.seconds.append(seconds_per_epoch * epoch)
        run.cpu_seconds.append(seconds_per_epoch * epoch)
        run.accuracy.append(accuracy)
    return run


def _runs():
    return {
        "reference": [_run("reference", [0.5, 0.7, 0.8, 0.9], 1.0), _run("reference", [0.6, 0.8, 0.85], 1.0)],
        "rnn_lib": [_run("rnn_lib", [0.8, 0.95], 0.1), _run("rnn_lib", [0.7, 0.9], 0.1)],
        "torch": [_run("torch", [0.75, 0.9], 0.5), _run("torch", [0.8, 0.88], 0.5)],
        "extra": [_run("extra", [0.1], 0.1)],  # not a main implementation: must not lower the target
    }


def test_target_is_the_best_accuracy_every_seed_of_every_main_implementation_reached():
    # Best accuracies: reference 0.9 and 0.85, rnn_lib 0.95 and 0.9, torch 0.9 and 0.88: the lowest is 0.85.
    assert _target(_runs()) == 0.85


def test_ladder_reads_speed_ups_off_the_same_runs():
    runs = _runs()
    rows = {row[1]: row for row in ladder_rows("toy", {"runs": runs, "target": _target(runs)}, accuracies=(0.8, 0.9))}
    assert list(rows) == ["80%", "85% (target)", "90%"]
    # 80%: reference at epochs 3 and 2 (3 s, 2 s: median 2.5 s); rnn_lib at 1 and 2 (0.1 s, 0.2 s: 0.15 s);
    # torch at 2 and 1 (1.0 s, 0.5 s: 0.75 s).
    assert rows["80%"][2] == "2/2 / 2/2 / 2/2"
    assert rows["80%"][5] == "16.7x"      # 2.5 / 0.15
    assert rows["80%"][7] == "5.0x"       # 0.75 / 0.15
    # 90%: one reference seed never gets there, so its median time is infinite and no ratio is shown.
    assert rows["90%"][2] == "1/2 / 2/2 / 1/2"
    assert rows["90%"][5] == "-"
