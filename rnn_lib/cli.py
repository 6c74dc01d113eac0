"""Command line: ``python -m rnn_lib train sentiment ...`` and ``python -m rnn_lib train chars ...``.

Exit codes: 0 success, 1 an error while running (training diverged, a file problem, not enough
memory), 2 a wrong command line (argparse's usage errors), 130 interrupted with Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from .training import TextTooShort, TrainingDiverged

# Copies of the H x H recurrent matrix alive at once while training: the weights, their gradients,
# the optimizer's state (Adam keeps two) and temporaries.
_COPIES_OF_WHH = 6


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


def _free_memory() -> int | None:
    """Bytes of memory available now, or None where the system does not say."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not every system has these
        return None


def _check_arguments(parser: argparse.ArgumentParser, args) -> None:
    """Checks that need more than one flag or the file system; a failure is a usage error (exit 2)."""
    if getattr(args, "seed", 0) < 0:
        parser.error(f"argument --seed: must be a whole number >= 0, got {args.seed}")
    if getattr(args, "text", None) == "":
        parser.error("argument --text: the path is empty; give a UTF-8 text file (or leave --text out "
                     "for the shipped corpus)")
    save = getattr(args, "save", None)
    if save is not None:
        folder = os.path.dirname(save) or "."
        if save == "" or save.endswith(("/", os.sep)):
            parser.error(f"argument --save: expected a file name such as model.npz, got {save!r}")
        if os.path.isdir(save):
            parser.error(f"argument --save: {save!r} is a folder; give a file name inside it, such as model.npz")
        if not os.path.isdir(folder):
            parser.error(f"argument --save: the folder {folder!r} does not exist, so {save!r} cannot be written")
    hidden = getattr(args, "hidden_size", None)
    free = _free_memory()
    # Half the free memory at most: the estimate is rough, and the system needs room of its own.
    if hidden is not None and free is not None and _COPIES_OF_WHH * 8 * hidden**2 > free / 2:
        need = _COPIES_OF_WHH * 8 * hidden**2
        parser.error(f"argument --hidden-size: {hidden} needs about {need / 2**30:,.1f} GiB for the weights, "
                     f"gradients and optimizer state, but only {free / 2**30:,.1f} GiB of memory is free; "
                     "choose a smaller --hidden-size")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnn_lib",
        description="Train the small numpy RNNs of rnn_lib from the command line. "
        "The notebooks in notebooks/ explain what every number means.",
        epilog="Exit codes: 0 success, 1 an error while running (for example training diverged), "
        "2 a wrong command line, 130 interrupted.",
    )
    commands = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    train = commands.add_parser("train", help="train a model and print a short log",
                                description="Train a model on the data shipped with rnn_lib and print a short log.")
    tasks = train.add_subparsers(dest="task", required=True)

    sentiment = tasks.add_parser("sentiment", help="many-to-one sentence classifier (positive / negative)",
                                 description="Train SentimentRNN on the shipped sentences; report test accuracy.")
    sentiment.add_argument("--hidden-size", type=_positive_int, default=32, help="hidden units H (default 32)")
    sentiment.add_argument("--learning-rate", type=_positive_float, default=0.02, help="step size (default 0.02)")
    sentiment.add_argument("--epochs", type=_positive_int, default=300, help="passes over the data (default 300)")
    sentiment.add_argument("--batch-size", type=_positive_int, default=16, help="sentences per update (default 16)")
    sentiment.add_argument("--optimizer", choices=["sgd", "adagrad", "adam"], default="adam",
                           help="update rule (default adam)")
    sentiment.add_argument("--seed", type=int, default=0, help="random seed for weights and batch order")
    sentiment.add_argument("--save", metavar="PATH", help="write the trained model to this .npz file")

    chars = tasks.add_parser("chars", help="character-level language model on the shipped corpus or your text",
                             description="Train CharRNN with truncated BPTT on the first 90%% of the text; print "
                             "samples, then the held-out perplexity of the RNN and of the best counting model.")
    chars.add_argument("--text", metavar="PATH", help="a UTF-8 text file to learn (default: the shipped corpus)")
    chars.add_argument("--hidden-size", type=_positive_int, default=128, help="hidden units H (default 128)")
    chars.add_argument("--learning-rate", type=_positive_float, default=0.01,
                       help="step size (default 0.01); the last fifth of the epochs uses 0.3 times it")
    chars.add_argument("--epochs", type=_positive_int, default=10, help="passes over the text (default 10)")
    chars.add_argument("--seq-length", type=_positive_int, default=50, help="BPTT chunk length (default 50)")
    chars.add_argument("--batch-size", type=_positive_int, default=32, help="parallel streams (default 32)")
    chars.add_argument("--optimizer", choices=["sgd", "adagrad", "adam"], default="adam",
                       help="update rule (default adam)")
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
    if args.save is not None:
        model.save(args.save)
        print(f"saved to {args.save}")


def train_chars(args) -> None:
    from .datasets import load_char_corpus, load_text
    from .models import CharRNN
    from .ngram import best_ngram
    from .optim import make_optimizer
    from .text import Vocabulary
    from .training import train_language_model

    text = load_text(args.text) if args.text else load_char_corpus()
    split = int(0.9 * len(text))
    train_text, held_out = text[:split], text[split:]        # the last 10% is never trained on
    if len(held_out) < 2:
        raise ValueError(f"the text has {len(text)} characters; holding out the last 10% leaves too few to "
                         "measure a perplexity: use a text of at least 20 characters.")
    vocab = Vocabulary.from_texts([train_text], level="char")
    model = CharRNN(vocab, hidden_size=args.hidden_size, seed=args.seed)
    print(f"{len(train_text)} training and {len(held_out)} held-out characters (the last 10%), "
          f"{len(vocab)} distinct symbols, {model.num_parameters()} parameters")

    optimizer = make_optimizer(args.optimizer, args.learning_rate)
    slow_down = int(0.8 * args.epochs)        # the last fifth of the epochs takes smaller steps, to settle

    def log(history):
        print(f"epoch {history.epoch[-1]:3d}  loss/char {history.train_loss[-1]:.3f}  "
              f"held-out perplexity {history.perplexity[-1]:.3f}  sample: {history.samples[-1]!r}")
        if history.epoch[-1] == slow_down:
            optimizer.learning_rate = 0.3 * args.learning_rate
            print(f"learning rate {optimizer.learning_rate:g} from now on")

    history = train_language_model(model, train_text, epochs=args.epochs, optimizer=optimizer,
                                   seq_length=args.seq_length, batch_size=args.batch_size, valid_text=held_out,
                                   seed=args.seed, sample_length=60, callback=log)
    # The counting baseline gets every order and discount and keeps the best on the held-out text itself:
    # an optimistic choice for it, so a win for the RNN is not an artefact of a badly tuned baseline.
    best, table = best_ngram(train_text, held_out, orders=range(1, 11))
    by_order = {order: min(value for (o, _), value in table.items() if o == order) for order in range(1, 11)}
    print("counting models, held-out perplexity by order (best discount each): "
          + ", ".join(f"{order}: {value:.3f}" for order, value in by_order.items()))
    rnn, counting = history.perplexity[-1], table[best.order, best.discount]
    print(f"held-out perplexity: RNN {rnn:.3f}, best counting model ({best.order}-gram, discount {best.discount:g}) "
          f"{counting:.3f}: the {'RNN' if rnn < counting else 'counting model'} wins")
    if args.save:
        model.save(args.save)
        print(f"saved to {args.save}")


def _message(err: BaseException) -> str:
    """The error's message in the command line's own words."""
    if isinstance(err, TextTooShort):
        return (f"the text has {err.length} characters, too short for training: it needs at least {err.needed} "
                f"(--batch-size {err.batch_size} parallel streams of --seq-length {err.seq_length}, plus one). Use a "
                "longer --text file, a smaller --seq-length or a smaller --batch-size.")
    if isinstance(err, MemoryError):
        return "not enough memory for this model; choose a smaller --hidden-size."
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    if isinstance(err, TrainingDiverged):
        # (The library speaks of its own arguments; the command line has flags, and no clipping flag.)
        text = re.sub(r", or clip (the gradients \(clip=[^)]*\)|harder than clip=\S+?)(?=\.)", "", text)
        text = text.replace("try ", "try --learning-rate ", 1)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("notebooks", "lab"):
        from .course import run_course_command

        return run_course_command(args)
    _check_arguments(parser, args)
    try:
        {"sentiment": train_sentiment, "chars": train_chars}[args.task](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (TrainingDiverged, OSError, ValueError, TypeError, KeyError, MemoryError) as err:
        print(f"error: {_message(err)}", file=sys.stderr)
        return 1
    return 0
