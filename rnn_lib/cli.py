"""Command line: ``python -m rnn_lib train sentiment ...`` and ``python -m rnn_lib train chars ...``."""

from __future__ import annotations

import argparse
import sys

from .training import TrainingDiverged


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnn_lib",
        description="Train the small numpy RNNs of rnn_lib from the command line. "
        "The notebooks in notebooks/ explain what every number means.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model and print a short log",
                                description="Train a model on the data shipped with rnn_lib and print a short log.")
    tasks = train.add_subparsers(dest="task", required=True)

    sentiment = tasks.add_parser("sentiment", help="many-to-one sentence classifier (positive / negative)",
                                 description="Train SentimentRNN on the shipped sentences; report test accuracy.")
    sentiment.add_argument("--hidden-size", type=_positive_int, default=64, help="hidden units H (default 64)")
    sentiment.add_argument("--learning-rate", type=_positive_float, default=0.02, help="step size (default 0.02)")
    sentiment.add_argument("--epochs", type=_positive_int, default=300, help="passes over the data (default 300)")
    sentiment.add_argument("--batch-size", type=_positive_int, default=16, help="sentences per update (default 16)")
    sentiment.add_argument("--optimizer", choices=["sgd", "adagrad", "adam"], default="adam",
                           help="update rule (default adam)")
    sentiment.add_argument("--seed", type=int, default=0, help="random seed for weights and batch order")
    sentiment.add_argument("--save", metavar="PATH", help="write the trained model to this .npz file")

    chars = tasks.add_parser("chars", help="character-level language model on the shipped corpus or your text",
                             description="Train CharRNN with truncated BPTT and Adagrad; print samples.")
    chars.add_argument("--text", metavar="PATH", help="a UTF-8 text file to learn (default: the shipped corpus)")
    chars.add_argument("--hidden-size", type=_positive_int, default=100, help="hidden units H (default 100)")
    chars.add_argument("--learning-rate", type=_positive_float, default=0.1, help="step size (default 0.1)")
    chars.add_argument("--epochs", type=_positive_int, default=10, help="passes over the text (default 10)")
    chars.add_argument("--seq-length", type=_positive_int, default=25, help="BPTT chunk length (default 25)")
    chars.add_argument("--seed", type=int, default=0, help="random seed")
    chars.add_argument("--save", metavar="PATH", help="write the trained model to this .npz file")

    from .course import add_course_commands  # the course commands: notebooks DEST, lab [DEST]

    add_course_commands(commands)
    return parser


def _every(epochs: int) -> int:
    return max(1, epochs // 10)


def train_sentiment(args) -> None:
    from .datasets import load_sentiment
    from .models import SentimentRNN
    from .text import Vocabulary
    from .training import train_classifier

    train, test = load_sentiment()
    vocab = Vocabulary.from_texts([text for text, _ in train])
    model = SentimentRNN(vocab, hidden_size=args.hidden_size, seed=args.seed)
    print(f"{len(train)} training and {len(test)} test sentences, {len(vocab)} words, "
          f"{model.num_parameters()} parameters")

    def log(history):
        epoch = history.epoch[-1]
        if epoch % _every(args.epochs) == 0 or epoch == 1:
            print(f"epoch {epoch:4d}  train loss {history.train_loss[-1]:.3f}  "
                  f"train acc {history.train_accuracy[-1]:.3f}  test loss {history.test_loss[-1]:.3f}  "
                  f"test acc {history.test_accuracy[-1]:.3f}")

    history = train_classifier(model, train, test, epochs=args.epochs, learning_rate=args.learning_rate,
                               optimizer=args.optimizer, batch_size=args.batch_size, seed=args.seed, callback=log)
    print(f"final test accuracy: {history.test_accuracy[-1]:.3f}")
    if args.save:
        model.save(args.save)
        print(f"saved to {args.save}")


def train_chars(args) -> None:
    from .datasets import load_char_corpus, load_text
    from .models import CharRNN
    from .text import Vocabulary
    from .training import train_language_model

    text = load_text(args.text) if args.text else load_char_corpus()
    vocab = Vocabulary.from_texts([text], level="char")
    model = CharRNN(vocab, hidden_size=args.hidden_size, seed=args.seed)
    print(f"{len(text)} characters, {len(vocab)} distinct symbols, {model.num_parameters()} parameters")

    def log(history):
        print(f"epoch {history.epoch[-1]:3d}  loss/char {history.train_loss[-1]:.3f}  "
              f"perplexity {history.perplexity[-1]:.2f}  sample: {history.samples[-1]!r}")

    train_language_model(model, text, epochs=args.epochs, learning_rate=args.learning_rate,
                         seq_length=args.seq_length, seed=args.seed, sample_length=60, callback=log)
    if args.save:
        model.save(args.save)
        print(f"saved to {args.save}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("notebooks", "lab"):
        from .course import run_course_command

        return run_course_command(args)
    try:
        {"sentiment": train_sentiment, "chars": train_chars}[args.task](args)
    except (TrainingDiverged, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0
