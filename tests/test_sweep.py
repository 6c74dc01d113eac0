"""A sweep of realistic bad inputs over every public function of text, datasets, optim, gradcheck and training.

Each row calls one function with one bad argument and names the error class and a pattern the message
must match: the argument's name as the user wrote it, and what was expected. The categories (wrong
type, bool or str where a number belongs, empty input, NaN/inf, float or out-of-range token ids,
non-boolean flags, zero/negative/huge sizes, missing files) are marked in each row's id.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib.datasets import load_text, make_sentiment
from rnn_lib.gradcheck import GradientCheckError, check_gradients, numerical_gradient, rel_error
from rnn_lib.models import CharRNN, SentimentRNN
from rnn_lib.optim import (
    SGD,
    Adagrad,
    Adam,
    clip_by_global_norm,
    clip_by_value,
    global_norm,
    make_optimizer,
)
from rnn_lib.text import Vocabulary, one_hot, pad_batch, tokenize
from rnn_lib.training import char_batches, train_classifier, train_language_model

PAIRS = [("the film was good", 1), ("the film was bad", 0)]
TEXT = "abc abc abc abc " * 40
WORDS = Vocabulary.from_texts([text for text, _ in PAIRS])
CHARS = Vocabulary.from_texts([TEXT], level="char")


def classifier():
    return SentimentRNN(WORDS, hidden_size=3)


def language_model():
    return CharRNN(CHARS, hidden_size=3)


def read_only(array):
    array.flags.writeable = False
    return array


def step(opt, grads, params=None):
    opt.step({"w": np.zeros(2)} if params is None else params, grads)


X = np.ones(2)

CASES = [
    # --- text ---------------------------------------------------------------------------------------
    ("tokenize/type", lambda: tokenize(3), TypeError, "text must be a string"),
    ("tokenize/empty", lambda: tokenize(" "), ValueError, "text is empty"),
    ("Vocabulary/str-tokens", lambda: Vocabulary("abc"), TypeError, "tokens must be a list of token strings"),
    ("Vocabulary/int-token", lambda: Vocabulary(["a", 3]), TypeError, r"tokens\[1\] must be a non-empty string"),
    ("Vocabulary/level", lambda: Vocabulary(["a"], level="chars"), ValueError, "level must be"),
    ("from_texts/not-iterable", lambda: Vocabulary.from_texts(5), TypeError, "texts must be a list of strings"),
    ("from_texts/min_freq-str", lambda: Vocabulary.from_texts(["a"], min_freq="2"), TypeError, "min_freq"),
    ("from_texts/min_freq-bool", lambda: Vocabulary.from_texts(["a"], min_freq=True), TypeError, "min_freq"),
    ("from_texts/min_freq-zero", lambda: Vocabulary.from_texts(["a"], min_freq=0), ValueError, "min_freq"),
    ("encode/strict-not-bool", lambda: WORDS.encode("good", strict="no"), TypeError, "strict must be True or False"),
    ("encode/empty", lambda: WORDS.encode(""), ValueError, "text is empty"),
    ("decode/float-id", lambda: WORDS.decode([2.7]), TypeError, r"ids must be whole numbers, got dtype float64"),
    ("decode/bool-id", lambda: WORDS.decode([True]), TypeError, "ids must be whole numbers, got dtype bool"),
    ("decode/str", lambda: WORDS.decode("2 3"), TypeError, "ids must be a sequence of token ids"),
    ("decode/scalar", lambda: WORDS.decode(3), TypeError, r"wrap a single id: \[id\]"),
    ("decode/out-of-range", lambda: WORDS.decode([len(WORDS)]), KeyError, "is outside this vocabulary"),
    ("decode/negative", lambda: WORDS.decode([-1]), KeyError, "id -1 is outside"),
    ("decode/batch", lambda: WORDS.decode(np.ones((2, 3), dtype=int)), ValueError, "ids must be one sequence"),
    ("one_hot/float-ids", lambda: one_hot([1.0], 3), TypeError, "ids must be whole numbers"),
    ("one_hot/size-zero", lambda: one_hot([0], 0), ValueError, "size must be at least 1"),
    ("one_hot/size-float", lambda: one_hot([0], 3.0), TypeError, "size must be a whole number"),
    ("one_hot/huge-size", lambda: one_hot(np.arange(1000), 10**9), ValueError,
     r"one_hot of 1000 ids with size=1000000000"),
    ("one_hot/out-of-range", lambda: one_hot([3], 3), ValueError, r"ids must lie in 0..2"),
    ("pad_batch/str", lambda: pad_batch("abc"), TypeError, "sequences must be a list of id sequences"),
    ("pad_batch/float-ids", lambda: pad_batch([[1.5, 2.0]]), TypeError, r"sequences\[0\] must hold whole-number ids"),
    ("pad_batch/negative-id", lambda: pad_batch([[1, -2]]), ValueError, r"sequences\[0\] holds the id -2"),
    ("pad_batch/scalar-entry", lambda: pad_batch([3]), TypeError, r"sequences\[0\] must be a 1-D sequence"),
    ("pad_batch/pad_id-float", lambda: pad_batch([[1]], pad_id=0.5), TypeError, "pad_id must be a whole number"),
    ("pad_batch/empty", lambda: pad_batch([]), ValueError, "at least one sequence"),
    # --- datasets -----------------------------------------------------------------------------------
    ("make_sentiment/n-str", lambda: make_sentiment("5"), TypeError, "n must be an integer"),
    ("make_sentiment/n-bool", lambda: make_sentiment(True), TypeError, "n must be an integer"),
    ("make_sentiment/n-zero", lambda: make_sentiment(0), ValueError, "n must be an integer >= 1"),
    ("make_sentiment/n-huge", lambda: make_sentiment(10**10), ValueError, "n must be at most"),
    ("make_sentiment/seed-negative", lambda: make_sentiment(3, seed=-1), ValueError, "seed must be an integer >= 0"),
    ("make_sentiment/rate-nan", lambda: make_sentiment(3, negation_rate=math.nan), ValueError, "negation_rate"),
    ("load_text/missing", lambda: load_text("no-such-file.txt"), FileNotFoundError, "no-such-file.txt"),
    ("load_text/empty-path", lambda: load_text(""), ValueError, "path is empty"),
    ("load_text/bytes", lambda: load_text(b"x.txt"), TypeError, "path must be a string"),
    # --- optimizers ---------------------------------------------------------------------------------
    ("SGD/lr-nan", lambda: SGD(math.nan), ValueError, "learning_rate must be a finite number greater than 0"),
    ("SGD/lr-str", lambda: SGD("0.1"), TypeError, "learning_rate must be a number"),
    ("SGD/lr-bool", lambda: SGD(True), TypeError, "learning_rate must be a number"),
    ("Adam/beta1-one", lambda: Adam(beta1=1), ValueError, "beta1 must be at least 0 and below 1"),
    ("Adam/beta2-nan", lambda: Adam(beta2=math.nan), ValueError, "beta2 must be at least 0 and below 1"),
    ("Adam/beta1-str", lambda: Adam(beta1="0.9"), TypeError, "beta1 must be a number"),
    ("Adam/eps-zero", lambda: Adam(eps=0), ValueError, "eps must be a finite number greater than 0"),
    ("Adagrad/eps-inf", lambda: Adagrad(eps=math.inf), ValueError, "eps must be a finite number"),
    ("step/grad-nan", lambda: step(SGD(0.1), {"w": np.array([0.0, np.nan])}), ValueError, r"grads\['w'\] holds nan"),
    ("step/grad-list", lambda: step(SGD(0.1), [np.zeros(2)]), TypeError, "grads must be a dict"),
    ("step/grad-str", lambda: step(SGD(0.1), {"w": np.array(["a", "b"])}), TypeError, r"grads\['w'\] must be an array"),
    ("step/params-int", lambda: step(SGD(0.1), {"w": np.zeros(2)}, {"w": np.zeros(2, dtype=int)}), TypeError,
     r"params\['w'\] must be a float numpy array"),
    ("step/params-list", lambda: step(SGD(0.1), {"w": np.zeros(2)}, {"w": [0.0, 0.0]}), TypeError,
     r"params\['w'\] must be a float numpy array"),
    ("step/params-read-only", lambda: step(SGD(0.1), {"w": np.zeros(2)}, {"w": read_only(np.zeros(2))}), ValueError,
     r"params\['w'\] is read-only"),
    ("step/shape", lambda: step(SGD(0.1), {"w": np.zeros(3)}), ValueError, r"grads\['w'\] has shape \(3,\)"),
    ("step/missing", lambda: step(SGD(0.1), {"v": np.zeros(2)}), KeyError, r"grads has no entry for \['w'\]"),
    ("make_optimizer/name", lambda: make_optimizer("rmsprop", 0.1), ValueError, "optimizer must be one of"),
    ("make_optimizer/int", lambda: make_optimizer(1, 0.1), TypeError, "optimizer must be one of"),
    ("make_optimizer/conflict", lambda: make_optimizer(SGD(0.1), 0.2), ValueError, "would be ignored"),
    ("global_norm/empty", lambda: global_norm({}), ValueError, "grads is empty"),
    ("global_norm/inf", lambda: global_norm({"w": np.array([np.inf])}), ValueError, r"grads\['w'\] holds inf"),
    ("clip_by_value/limit-zero", lambda: clip_by_value({"w": X}, 0), ValueError, "limit must be a finite number"),
    ("clip_by_value/limit-str", lambda: clip_by_value({"w": X}, "1"), TypeError, "limit must be a number"),
    ("clip_by_global_norm/nan", lambda: clip_by_global_norm({"w": np.array([np.nan])}, 1.0), ValueError,
     r"grads\['w'\] holds nan"),
    ("clip_by_global_norm/max_norm-inf", lambda: clip_by_global_norm({"w": X}, math.inf), ValueError, "max_norm"),
    ("clip_by_global_norm/max_norm-bool", lambda: clip_by_global_norm({"w": X}, True), TypeError, "max_norm"),
    # --- gradient checking --------------------------------------------------------------------------
    ("rel_error/nan", lambda: rel_error([np.nan], [1.0]), GradientCheckError, "a holds nan"),
    ("rel_error/inf", lambda: rel_error([1.0], [np.inf]), GradientCheckError, "b holds inf"),
    ("rel_error/shape", lambda: rel_error([1.0], [1.0, 2.0]), ValueError, "cannot compare arrays of shapes"),
    ("rel_error/str", lambda: rel_error(["1"], [1.0]), TypeError, "a must be an array of numbers"),
    ("numerical_gradient/list-x", lambda: numerical_gradient(lambda: 0.0, [1.0]), TypeError, "x must be a float64"),
    ("numerical_gradient/int-x", lambda: numerical_gradient(lambda: 0.0, np.ones(2, dtype=int)), TypeError,
     "x must be a float64"),
    ("numerical_gradient/step-nan", lambda: numerical_gradient(lambda: 0.0, np.ones(2), step=math.nan), ValueError,
     "step must be a finite number"),
    ("numerical_gradient/f-not-callable", lambda: numerical_gradient(1.0, np.ones(2)), TypeError,
     "f must be a function"),
    ("check_gradients/not-a-model", lambda: check_gradients(object(), None), TypeError,
     "model must have a params dict and a loss"),
    ("check_gradients/float32", lambda: check_gradients(SentimentRNN(WORDS, hidden_size=2, dtype=np.float32),
                                                        classifier().make_batch(PAIRS)), TypeError, "float64 weights"),
    # --- training: the classifier --------------------------------------------------------------------
    ("train_classifier/epochs-zero", lambda: train_classifier(classifier(), PAIRS, epochs=0), ValueError,
     "epochs must be at least 1"),
    ("train_classifier/epochs-float", lambda: train_classifier(classifier(), PAIRS, epochs=2.0), TypeError,
     "epochs must be a whole number"),
    ("train_classifier/batch_size-negative", lambda: train_classifier(classifier(), PAIRS, batch_size=-1),
     ValueError, "batch_size must be at least 1"),
    ("train_classifier/batch_size-bool", lambda: train_classifier(classifier(), PAIRS, batch_size=True), TypeError,
     "batch_size must be a whole number"),
    ("train_classifier/lr-inf", lambda: train_classifier(classifier(), PAIRS, learning_rate=math.inf), ValueError,
     "learning_rate must be a finite number"),
    ("train_classifier/lr-str", lambda: train_classifier(classifier(), PAIRS, learning_rate="0.1"), TypeError,
     "learning_rate must be a number"),
    ("train_classifier/clip-zero", lambda: train_classifier(classifier(), PAIRS, clip=0), ValueError,
     r"^clip must be a finite number greater than 0, got 0\. Pass None for no clipping"),
    ("train_classifier/clip-nan", lambda: train_classifier(classifier(), PAIRS, clip=math.nan), ValueError, "^clip"),
    ("train_classifier/seed-negative", lambda: train_classifier(classifier(), PAIRS, seed=-1), ValueError,
     "seed must be a whole number >= 0"),
    ("train_classifier/seed-float", lambda: train_classifier(classifier(), PAIRS, seed=0.5), TypeError, "seed"),
    ("train_classifier/progress-str", lambda: train_classifier(classifier(), PAIRS, progress="yes"), TypeError,
     "progress must be True or False"),
    ("train_classifier/callback", lambda: train_classifier(classifier(), PAIRS, callback=3), TypeError,
     "callback must be a function"),
    ("train_classifier/train-str", lambda: train_classifier(classifier(), "good"), TypeError,
     "train must be a list of"),
    ("train_classifier/train-empty", lambda: train_classifier(classifier(), []), ValueError, "train is empty"),
    ("train_classifier/test-empty", lambda: train_classifier(classifier(), PAIRS, []), ValueError,
     r"test is empty.*test=None"),
    ("train_classifier/label-float", lambda: train_classifier(classifier(), [("good", 0.0)]), TypeError,
     r"train\[0\] has label 0.0"),
    ("train_classifier/label-range", lambda: train_classifier(classifier(), PAIRS, [("good", 5)]), ValueError,
     r"test\[0\] has label 5"),
    ("train_classifier/char-model", lambda: train_classifier(language_model(), PAIRS), TypeError,
     "train_classifier trains a classifier"),
    ("train_classifier/class", lambda: train_classifier(SentimentRNN, PAIRS), TypeError, "not the class"),
    ("train_classifier/optimizer-class", lambda: train_classifier(classifier(), PAIRS, optimizer=Adam), TypeError,
     "got the class Adam"),
    ("train_classifier/nan-weights", lambda: train_classifier(nan_classifier(), PAIRS), ValueError,
     r"model.params\['bh'\] already holds nan"),
    # --- training: the language model ----------------------------------------------------------------
    ("train_language_model/text-empty", lambda: train_language_model(language_model(), ""), ValueError,
     "text is empty"),
    ("train_language_model/text-list", lambda: train_language_model(language_model(), [TEXT]), TypeError,
     "text must be a string"),
    ("train_language_model/text-short", lambda: train_language_model(language_model(), "abc abc"), ValueError,
     r"too short for batch_size=16 streams of seq_length=25"),
    ("train_language_model/seq_length-zero", lambda: train_language_model(language_model(), TEXT, seq_length=0),
     ValueError, "seq_length must be at least 1"),
    ("train_language_model/sample_length-negative",
     lambda: train_language_model(language_model(), TEXT, sample_length=-5), ValueError, "sample_length must be 0"),
    ("train_language_model/sample_length-bool",
     lambda: train_language_model(language_model(), TEXT, sample_length=True), TypeError, "sample_length"),
    ("train_language_model/prompt-empty",
     lambda: train_language_model(language_model(), TEXT, sample_length=3, sample_prompt=""), ValueError,
     "sample_prompt is empty"),
    ("train_language_model/prompt-unknown",
     lambda: train_language_model(language_model(), TEXT, sample_length=3, sample_prompt="xyz"), KeyError,
     "sample_prompt 'xyz' has a character the model does not know"),
    ("train_language_model/valid-short", lambda: train_language_model(language_model(), TEXT, valid_text="a"),
     ValueError, "valid_text is too short"),
    ("train_language_model/classifier", lambda: train_language_model(classifier(), TEXT), TypeError,
     "train_language_model trains a language model"),
    ("train_language_model/no-vocabulary", lambda: train_language_model(CharRNN(10, hidden_size=2), TEXT), TypeError,
     "built from a vocabulary size"),
    ("train_language_model/conflict",
     lambda: train_language_model(language_model(), TEXT, optimizer=Adagrad(0.1), learning_rate=0.3), ValueError,
     "would be ignored"),
    ("char_batches/batch_size-zero", lambda: char_batches(np.arange(100), 0, 5), ValueError,
     "batch_size must be at least 1"),
    ("char_batches/float-ids", lambda: char_batches([1.0, 2.0], 1, 1), TypeError, "ids must be whole-number"),
    ("char_batches/negative-ids", lambda: char_batches([-1, 2, 3], 1, 1), ValueError, "ids must be token ids >= 0"),
    ("char_batches/huge", lambda: char_batches(np.arange(100), 10**9, 5), ValueError, "too short for batch_size"),
]


def nan_classifier():
    model = classifier()
    model.params["bh"][0] = np.nan
    return model


@pytest.mark.parametrize("call, error, pattern", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_gets_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern) as caught:
        call()
    # A clear error is raised by our own check, not deep inside numpy.
    assert "numpy" not in caught.traceback[-1].path.parts, caught.traceback[-1]


# --- odd inputs that are legitimate, documented and tested ------------------------------------------

def test_legitimate_odd_inputs():
    assert WORDS.decode([]) == ""                                         # no ids: no text
    assert WORDS.decode(np.array([[2, 3]])) == WORDS.decode([2, 3])       # a batch of one row
    assert WORDS.decode([np.int32(2)]) == WORDS.decode([2])               # numpy integers are ids too
    assert rel_error([], []) == 0.0                                       # nothing to differ
    assert Vocabulary([]).itos == ["<pad>", "<unk>"]                      # only the reserved tokens
    assert len(char_batches(list(range(11)), 2, 2)) == 2                  # a list of ids works like an array
    assert global_norm({"w": np.array([1, 2, 2])}) == 3.0                 # integer gradients are numbers
    # A batch_size larger than the data is one batch per epoch.
    history = train_classifier(classifier(), PAIRS, epochs=1, batch_size=1000)
    assert len(history.train_loss) == 1
    # A bool label is read as 0 or 1, as make_batch does.
    history = train_classifier(classifier(), [("the film was good", True), ("the film was bad", False)], epochs=1)
    assert len(history.train_loss) == 1
