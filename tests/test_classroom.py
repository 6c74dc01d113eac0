"""Training with the student's own functions: a right answer trains like rnn_lib, a stub falls back with a message."""

import numpy as np
import pytest
from test_checks import adagrad_step, bptt, sample_with_temperature, sgd_step

from rnn_lib import classroom
from rnn_lib.training import train_classifier


def stub(*args, **kwargs):
    raise NotImplementedError()


def wrong_sgd(params, grads, learning_rate):
    for name in params:
        params[name] += learning_rate * grads[name]


def _library_sentiment(epochs):
    from rnn_lib import SentimentRNN, Vocabulary
    from rnn_lib.datasets import load_sentiment

    train, test = load_sentiment()
    model = SentimentRNN(Vocabulary.from_texts([text for text, _ in train]), hidden_size=32, seed=0)
    return train_classifier(model, train, test, epochs=epochs, learning_rate=0.3, optimizer="sgd", seed=0)


@pytest.fixture(scope="module")
def library_run():
    return _library_sentiment(100)


def test_your_bptt_and_sgd_step_train_like_the_library(library_run, capsys):
    model, history = classroom.train_sentiment_with_your_code(bptt, sgd_step, compare=False)
    out = capsys.readouterr().out
    assert "bptt: yours" in out and "sgd_step: yours" in out and "using rnn_lib" not in out
    assert history.test_accuracy[-1] == library_run.test_accuracy[-1] >= 0.8
    np.testing.assert_allclose(history.train_loss, library_run.train_loss, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("given", [(stub, stub), (None, None), (stub, wrong_sgd)], ids=["stubs", "none", "wrong"])
def test_unfinished_functions_fall_back_to_the_library_with_a_message(given, library_run, capsys):
    _, history = classroom.train_sentiment_with_your_code(*given, compare=False)
    out = capsys.readouterr().out
    assert out.count("using rnn_lib's") == 2, out
    if given[0] is stub:
        assert "Not implemented yet" in out
    if given[1] is wrong_sgd:
        assert "subtract" in out     # the check's own diagnosis is passed on
    assert history.test_accuracy[-1] == library_run.test_accuracy[-1]
    np.testing.assert_allclose(history.train_loss, library_run.train_loss, rtol=1e-6, atol=1e-9)


def test_a_function_that_breaks_during_training_falls_back(capsys):
    def fragile_sgd(params, grads, learning_rate):
        if "Why" in params:              # passes its check, then fails on the model's parameters
            raise ValueError("boom")
        sgd_step(params, grads, learning_rate)

    _, history = classroom.train_sentiment_with_your_code(bptt, fragile_sgd, epochs=3, compare=False)
    out = capsys.readouterr().out
    assert "raised ValueError during training" in out
    assert history.train_loss == pytest.approx(_library_sentiment(3).train_loss, rel=1e-6)


@pytest.mark.slow
def test_your_adagrad_step_and_sampler_train_like_the_library(capsys):
    model, text = classroom.train_chars_with_your_code(adagrad_step, sample_with_temperature, epochs=2)
    out = capsys.readouterr().out
    assert "adagrad_step: yours" in out and "sample_with_temperature: yours" in out
    mine, library = [line.rsplit(" ", 1)[1] for line in out.splitlines() if "validation perplexity" in line]
    assert mine == library, out
    assert len(text) == 120 and "<pad>" not in text and "<unk>" not in text
    _, again = classroom.train_chars_with_your_code(stub, stub, epochs=2, compare=False)
    out = capsys.readouterr().out
    assert out.count("using rnn_lib's") == 2 and again == text, out
