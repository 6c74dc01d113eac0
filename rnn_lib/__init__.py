"""rnn_lib: a small numpy library for learning how a recurrent neural network works by building one.

Modules, in the order the notebooks meet them:

- ``text``: tokenising, ``Vocabulary``, one-hot vectors, padded batches
- ``datasets``: the shipped sentiment sentences, a sentence generator, a character corpus
- ``layers``: the embedding lookup, one RNN step and the loop over a sequence, forward and backward;
  the output layer
- ``losses``: stable softmax and cross-entropy
- ``cells``: the recurrent cell a model runs (``cell="rnn"``), and what a new cell must provide
- ``models``: ``SentimentRNN`` (many-to-one) and ``CharRNN`` (many-to-many) on one core;
  ``serialisation`` saves and loads them
- ``optim``: SGD, Adagrad, Adam and gradient clipping
- ``gradcheck``: numerical gradients to check every analytic one
- ``training``: training loops that return a ``History``
- ``diagrams`` (pictures of the network and the data) and ``plots`` (charts of what a model or a run
  produced); ``widgets`` for the interactive cells. These need matplotlib and are not imported here.

``fast_rnn`` is the models' speed path: the arithmetic of ``layers`` without its per-step
bookkeeping, tested to give identical numbers. Read ``layers`` to learn.
"""

from .models import CharRNN, SentimentRNN
from .text import Vocabulary, pad_batch, tokenize

__version__ = "0.1.0"

__all__ = ["CharRNN", "SentimentRNN", "Vocabulary", "pad_batch", "tokenize", "__version__"]
