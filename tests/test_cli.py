"""The command line, run as a user would: ``python -m rnn_lib ...`` in a fresh interpreter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnn_lib.models import CharRNN, SentimentRNN

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run([sys.executable, "-m", "rnn_lib", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_help_explains_itself():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "usage: python -m rnn_lib" in result.stdout
    assert "Train the small numpy RNNs" in result.stdout
    assert "train" in result.stdout


def test_train_help_lists_both_tasks_and_their_options():
    result = run_cli("train", "--help")
    assert result.returncode == 0, result.stderr
    assert "sentiment" in result.stdout and "chars" in result.stdout
    result = run_cli("train", "sentiment", "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--hidden-size", "--learning-rate", "--epochs", "--batch-size", "--optimizer", "--seed", "--save"):
        assert option in result.stdout, option


def test_no_command_is_a_usage_error():
    result = run_cli()
    assert result.returncode == 2
    assert "usage:" in result.stderr and "required" in result.stderr


def test_train_sentiment_prints_a_log_and_the_final_accuracy(tmp_path):
    path = tmp_path / "sentiment.npz"
    result = run_cli("train", "sentiment", "--epochs", "3", "--hidden-size", "8", "--save", str(path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"\d+ training and \d+ test sentences, \d+ words, \d+ parameters", out), out
    epoch_lines = re.findall(r"^epoch +(\d+) +train loss [\d.]+ +train acc [\d.]+ +test loss [\d.]+ +test acc [\d.]+$",
                             out, flags=re.MULTILINE)
    assert epoch_lines == ["1", "2", "3"], out
    final = re.search(r"final test accuracy: (\d\.\d{3})", out)
    assert final and 0.0 <= float(final.group(1)) <= 1.0, out
    assert f"saved to {path}" in out
    model = SentimentRNN.load(path)
    assert model.hidden_size == 8
    assert model.predict(["the film was good"]).shape == (1,)


def test_invalid_learning_rate_exits_with_a_helpful_message():
    result = run_cli("train", "sentiment", "--learning-rate", "-1")
    assert result.returncode != 0
    assert "--learning-rate" in result.stderr
    assert "must be a finite number greater than 0, got -1" in result.stderr
    assert "Traceback" not in result.stderr


def test_other_invalid_numbers_are_refused():
    for args, message in [(("--learning-rate", "fast"), "expected a number, got 'fast'"),
                          (("--learning-rate", "inf"), "must be a finite number greater than 0"),
                          (("--epochs", "0"), "must be at least 1, got 0"),
                          (("--hidden-size", "2.5"), "expected a whole number, got '2.5'")]:
        result = run_cli("train", "sentiment", *args)
        assert result.returncode == 2, args
        assert message in result.stderr, (args, result.stderr)


def test_train_chars_on_a_small_text(tmp_path):
    text_path = tmp_path / "tiny.txt"
    text_path.write_text("the cat sat on the mat. the dog sat on the log. " * 12, encoding="utf-8")
    model_path = tmp_path / "chars.npz"
    result = run_cli("train", "chars", "--text", str(text_path), "--epochs", "2", "--hidden-size", "8",
                     "--seq-length", "10", "--batch-size", "4", "--save", str(model_path))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^518 training and 58 held-out characters \(the last 10%\), 16 distinct symbols, \d+ parameters$",
                     result.stdout, flags=re.MULTILINE), result.stdout
    assert len(re.findall(r"^epoch +\d+ +loss/char [\d.]+ +held-out perplexity [\d.]+ +sample: ", result.stdout,
                          flags=re.MULTILINE)) == 2
    model = CharRNN.load(model_path)
    assert set(model.sample("t", 30, rng=np.random.default_rng(0))) <= set("the catsondgml.")


def test_missing_text_file_is_an_error_not_a_traceback(tmp_path):
    result = run_cli("train", "chars", "--text", str(tmp_path / "missing.txt"), "--epochs", "1")
    assert result.returncode == 1
    assert result.stderr.startswith("error:") and "missing.txt" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_every_subcommand():
    # Read the registered subcommands from the parser itself, so a new one must show up in --help too.
    import argparse

    from rnn_lib.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    result = run_cli("--help")
    assert result.returncode == 0
    for name in commands.choices:
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, flags=re.MULTILINE), (name, result.stdout)
    assert "Exit codes: 0 success, 1" in " ".join(result.stdout.split())


def test_a_diverging_run_exits_1_with_the_cause_and_no_traceback():
    result = run_cli("train", "sentiment", "--learning-rate", "1e4", "--epochs", "3", "--hidden-size", "8")
    assert result.returncode == 1
    assert result.stderr.startswith("error: training diverged at epoch 1")
    assert "The learning rate 10000 is probably too large" in result.stderr
    assert "try --learning-rate 1000." in result.stderr
    assert "clip" not in result.stderr                      # the command line has no clipping flag to suggest
    assert "Traceback" not in result.stderr


def test_a_huge_hidden_size_is_refused_before_allocating():
    result = run_cli("train", "sentiment", "--hidden-size", "300000")
    assert result.returncode == 2
    assert "argument --hidden-size: 300000 needs about" in result.stderr
    assert "choose a smaller --hidden-size" in result.stderr and "Traceback" not in result.stderr


def test_empty_paths_are_usage_errors(tmp_path):
    for args, message in [(("sentiment", "--save", ""), "argument --save: expected a file name"),
                          (("chars", "--text", ""), "argument --text: the path is empty"),
                          (("sentiment", "--save", str(tmp_path)), "is a folder"),
                          (("sentiment", "--save", str(tmp_path / "no" / "m.npz")), "does not exist"),
                          (("sentiment", "--seed", "-1"), "argument --seed: must be a whole number >= 0")]:
        result = run_cli("train", *args, "--epochs", "1")
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_a_short_text_suggests_only_flags_that_exist(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("abc def\n" * 25, encoding="utf-8")      # 200 characters: 180 to train on
    result = run_cli("train", "chars", "--text", str(path), "--epochs", "1")
    assert result.returncode == 1
    # The defaults need 32 streams of 50 characters plus one: 1601.
    assert "too short for training: it needs at least 1601" in result.stderr, result.stderr
    suggested = set(re.findall(r"--[a-z][a-z-]+", result.stderr))
    assert suggested == {"--text", "--seq-length", "--batch-size"}, result.stderr


def test_every_flag_the_cli_suggests_exists():
    from rnn_lib import cli

    source = Path(cli.__file__).read_text(encoding="utf-8")
    parser = cli.build_parser()
    flags = set()
    for action in parser._actions[-1].choices["train"]._actions[-1].choices.values():
        flags |= {option for a in action._actions for option in a.option_strings}
    suggested = set(re.findall(r"(--[a-z][a-z-]+)", source.split("def build_parser")[0]
                               + source.split("def _message")[1]))
    assert suggested <= flags, suggested - flags


@pytest.mark.parametrize("args, code, message", [
    (("sentiment", "--learning-rate", "nan"), 2, "argument --learning-rate: must be a finite number greater than 0"),
    (("sentiment", "--learning-rate", "1e400"), 2, "argument --learning-rate: must be a finite number"),
    (("sentiment", "--epochs", "1e3"), 2, "argument --epochs: expected a whole number, got '1e3'"),
    (("sentiment", "--optimizer", "rmsprop"), 2, "argument --optimizer: invalid choice: 'rmsprop'"),
    (("sentiment", "--hidden-size", "0"), 2, "argument --hidden-size: must be at least 1, got 0"),
    (("sentiment", "--batch-size", "-4"), 2, "argument --batch-size: must be at least 1, got -4"),
    (("sentiment", "--seed", "1.5"), 2, "argument --seed: invalid int value: '1.5'"),
    (("chars", "--seq-length", "0"), 2, "argument --seq-length: must be at least 1, got 0"),
    (("chars", "--text", "no-such-file.txt"), 1, "error: no file found at 'no-such-file.txt'"),
    (("chars", "--text", "."), 1, "error: '.' is a directory"),
])
def test_bad_command_lines(args, code, message):
    result = run_cli("train", *args, "--epochs", "1") if "--epochs" not in args else run_cli("train", *args)
    assert result.returncode == code, (args, result.stderr)
    assert message in result.stderr, (args, result.stderr)
    assert "Traceback" not in result.stderr


def test_a_diverging_language_model_exits_1_and_never_prints_an_infinite_perplexity():
    # It used to print "perplexity inf" and exit 0.
    result = run_cli("train", "chars", "--learning-rate", "100", "--epochs", "2", "--hidden-size", "16")
    assert result.returncode == 1
    assert "perplexity inf" not in result.stdout
    assert result.stderr.startswith("error: training diverged at epoch 1")
    assert "try --learning-rate 10." in result.stderr and "Traceback" not in result.stderr
