"""rnn_lib: a small numpy library for learning how a recurrent neural network works by building one.

Modules, in the order the notebooks meet them:

- ``text``: tokenising, ``Vocabulary``, one-hot vectors, padded batches
- ``datasets``: the shipped sentiment sentences, a sentence generator, a character corpus
- ``layers``: one RNN step and the unrolled sequence, forward and backward; the output layer
- ``losses``: stable softmax and cross-entropy
- ``models``: ``SentimentRNN`` (many-to-one) and ``CharRNN`` (many-to-many) on one BPTT core
- ``optim``: SGD, Adagrad, Adam and gradient clipping
- ``gradcheck``: numerical gradients to check every analytic one
- ``training``: training loops that return a ``History``
"""

from . import display as _display
from .models import CharRNN, SentimentRNN
from .text import Vocabulary, pad_batch, tokenize

_display.install()      # in a notebook, figures carry a text alternative (a no-op outside IPython)

__version__ = "0.1.0"

__all__ = ["CharRNN", "SentimentRNN", "Vocabulary", "pad_batch", "tokenize", "__version__"]
