"""``python -m rnn_lib train chars``: trains on the first 90% of the text, then compares the RNN with the
best counting model on the last 10%, in a fresh interpreter as a user would run it."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnn_lib.datasets import load_char_corpus
from rnn_lib.models import CharRNN
from rnn_lib.ngram import NGramModel
from tests.test_cli import run_cli

FINAL = re.compile(r"^held-out perplexity: RNN (\d+\.\d{3}), best counting model \((\d+)-gram, discount ([\d.]+)\) "
                   r"(\d+\.\d{3}): the (RNN|counting model) wins$", flags=re.MULTILINE)


def test_small_text_reports_both_held_out_perplexities(tmp_path):
    text = "the cat sat on the mat. the dog sat on the log. " * 12      # 576 characters
    text_path = tmp_path / "tiny.txt"
    text_path.write_text(text, encoding="utf-8")
    model_path = tmp_path / "chars.npz"
    result = run_cli("train", "chars", "--text", str(text_path), "--epochs", "2", "--hidden-size", "8",
                     "--seq-length", "10", "--batch-size", "4", "--save", str(model_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^518 training and 58 held-out characters \(the last 10%\), 16 distinct symbols, \d+ parameters$",
                     out, flags=re.MULTILINE), out
    assert len(re.findall(r"^epoch +\d+ +loss/char [\d.]+ +held-out perplexity [\d.]+ +sample: ", out,
                          flags=re.MULTILINE)) == 2, out
    # two epochs: the second (the last fifth, rounded up) runs at 0.3 times the learning rate
    assert re.findall(r"^learning rate ([\d.e-]+) from now on$", out, flags=re.MULTILINE) == ["0.003"], out
    orders = re.search(r"^counting models, held-out perplexity by order \(best discount each\): (.*)$", out,
                       flags=re.MULTILINE)
    assert orders and [int(o) for o in re.findall(r"(\d+): [\d.]+", orders.group(1))] == list(range(1, 11)), out
    final = FINAL.search(out)
    assert final, out
    rnn, order, discount, counting, winner = final.groups()
    train_text, held_out = text[:518], text[518:]
    # the RNN's number is the saved model's perplexity on exactly the last 10%
    assert float(rnn) == pytest.approx(CharRNN.load(model_path).perplexity(held_out), abs=5e-4)
    # the counting number is the stated model's, and no order does better with a discount from the grid
    stated = NGramModel(int(order), float(discount)).fit(train_text)
    assert float(counting) == pytest.approx(stated.perplexity(held_out), abs=5e-4)
    for other in range(1, 11):
        assert NGramModel(other, 0.6).fit(train_text).perplexity(held_out) >= float(counting) - 5e-4
    assert winner == ("RNN" if float(rnn) < float(counting) else "counting model")


def test_a_text_too_short_to_hold_out_ten_percent_is_an_error(tmp_path):
    text_path = tmp_path / "short.txt"
    text_path.write_text("abcdefghij", encoding="utf-8")
    result = run_cli("train", "chars", "--text", str(text_path), "--epochs", "1")
    assert result.returncode == 1
    assert result.stderr.startswith("error:") and "20 characters" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_text_too_short_for_the_batch_names_the_settings(tmp_path):
    text_path = tmp_path / "short.txt"
    text_path.write_text("the cat sat on the mat. " * 10, encoding="utf-8")
    result = run_cli("train", "chars", "--text", str(text_path), "--epochs", "1")   # 32 streams of 50 do not fit
    assert result.returncode == 1
    assert "too short" in result.stderr and "seq" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_the_chars_options_are_listed():
    result = run_cli("train", "chars", "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--text", "--hidden-size", "--learning-rate", "--epochs", "--seq-length", "--batch-size",
                   "--optimizer", "--seed", "--save"):
        assert option in result.stdout, option
    assert "90%" in result.stdout


@pytest.mark.slow
def test_with_its_defaults_the_rnn_beats_counting_on_the_shipped_corpus():
    result = run_cli("train", "chars")
    assert result.returncode == 0, result.stderr
    final = FINAL.search(result.stdout)
    assert final, result.stdout
    rnn, counting = float(final.group(1)), float(final.group(4))
    assert rnn < counting, result.stdout
    # and the comparison is on the last tenth of the shipped file
    corpus = load_char_corpus()
    assert f"{int(0.9 * len(corpus))} training and {len(corpus) - int(0.9 * len(corpus))} held-out" in result.stdout
    assert np.isfinite(rnn)
