"""Tests for rnn_lib.plots_gradients: each figure draws what it was given and refuses input it cannot draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnn_lib.plots_gradients import draw_clipping, plot_gradient_through_time, plot_norms_against_length  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_norms_against_length_one_line_per_curve_and_a_reference():
    ax = plot_norms_against_length([2, 5, 10], {"a": [1.0, 2.0, 4.0], "b": [1.0, 1.0, 1.0]}, reference=5.0)
    assert len(ax.lines) == 3                   # two curves and the dashed reference
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 2.0, 4.0])
    assert ax.get_yscale() == "log"


def test_norms_against_length_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match=r"curves\['a'\] has 2 values but lengths has 3"):
        plot_norms_against_length([2, 5, 10], {"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_norms_against_length([2], {})


def test_gradient_through_time_plots_against_steps_back():
    ax = plot_gradient_through_time({"x": [1.0, 0.5, 0.25, 0.125]})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 1, 2, 3])
    assert ax.get_yscale() == "log"


def test_draw_clipping_labels_the_three_vectors():
    ax = draw_clipping([4.0, 1.0], [2.0, 1.0], [1.94, 0.49], limit=2.0)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "original gradient (4.00, 1.00)" in labels
    assert "by value (2.00, 1.00)" in labels
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        draw_clipping([4.0, 1.0, 0.0], [2.0, 1.0], [1.9, 0.5], limit=2.0)
