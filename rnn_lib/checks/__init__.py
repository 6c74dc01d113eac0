"""Self-checks for the exercises in the notebooks: ``check_<exercise>(your_function)``.

Each check runs the student's function on fixed and seeded-random inputs, compares the answer with
rnn_lib's own code, and prints one or two sentences: "Correct! ..." or what is wrong and where to
look. It returns True or False and never raises, whatever the student's function does.

A wrong answer is compared with the answers that common mistakes would give (a missing transpose,
a missing ``1 - h**2`` factor, a sum instead of a mean, ...), so the message can name the mistake.
Values are compared with ``np.allclose(rtol=1e-6, atol=1e-8)``: everything here is float64.

One module per notebook: ``preprocessing`` (01), ``forward`` (02), ``loss`` (03), ``backprop`` (04),
``optim`` (05, 06) and ``sampling`` (06); ``_core`` holds what they share.
"""

from ._core import ATOL, NOT_IMPLEMENTED, RTOL  # noqa: F401 - part of the interface
from .backprop import check_bptt, check_clip_gradients, check_rnn_step_backward
from .forward import check_rnn_forward_loop, check_rnn_step
from .gated import check_gru_step_forward, check_lstm_step_backward, check_lstm_step_forward
from .loss import check_cross_entropy, check_softmax
from .optim import check_adagrad_step, check_sgd_step
from .preprocessing import check_build_vocabulary, check_one_hot_encode
from .sampling import check_sample_with_temperature

__all__ = [
    "check_build_vocabulary", "check_one_hot_encode", "check_rnn_step", "check_rnn_forward_loop", "check_softmax",
    "check_cross_entropy", "check_rnn_step_backward", "check_bptt", "check_clip_gradients", "check_sgd_step",
    "check_adagrad_step", "check_sample_with_temperature",
]
__all__ += ["check_lstm_step_forward", "check_lstm_step_backward", "check_gru_step_forward"]   # notebook 08
