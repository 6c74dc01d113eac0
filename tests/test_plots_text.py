"""The hidden-unit view: correlations worked out by hand, and the text figure draws one cell per character."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnn_lib.plots_text import plot_text_activation, plot_unit_correlations, unit_correlations  # noqa: E402


def test_correlations_by_hand():
    feature = np.array([0.0, 0.0, 1.0, 1.0])
    states = np.stack([feature, -feature, np.full(4, 0.3), np.array([1.0, 0.0, 1.0, 0.0])], axis=1)   # (T=4, H=4)
    # unit 0 is the feature, unit 1 its negative, unit 2 constant (0 by convention), and unit 3 is
    # centred to (1/2, -1/2, 1/2, -1/2) against (-1/2, -1/2, 1/2, 1/2): covariance 0
    np.testing.assert_allclose(unit_correlations(states, feature), [1.0, -1.0, 0.0, 0.0], atol=1e-12)


def test_correlations_match_numpy_on_random_states():
    rng = np.random.default_rng(0)
    states, feature = rng.normal(size=(50, 6)), rng.normal(size=50)
    expected = [np.corrcoef(states[:, j], feature)[0, 1] for j in range(6)]
    np.testing.assert_allclose(unit_correlations(states, feature), expected)


@pytest.mark.parametrize("states, feature, message", [
    (np.zeros(5), np.zeros(5), "shape \\(T, H\\)"),
    (np.zeros((5, 2)), np.zeros(4), "one value per row"),
    (np.zeros((1, 2)), np.zeros(1), "two positions"),
])
def test_correlation_shapes_are_checked(states, feature, message):
    with pytest.raises(ValueError, match=message):
        unit_correlations(states, feature)


def test_text_figure_has_one_cell_per_character_and_wraps():
    text = "ab\ncdefg"
    ax = plot_text_activation(text, np.linspace(-1, 1, len(text)), width=3)
    assert len(ax.patches) == len(text)
    drawn = [t.get_text() for t in ax.texts]
    assert drawn == ["a", "b", "\u21b5", "c", "d", "e", "f", "g"]
    # rows: "ab<newline>", "cde", "fg"
    assert ax.get_ylim() == (-2.5, 0.5)
    plt.close("all")


def test_text_figure_checks_its_values():
    with pytest.raises(ValueError, match="one per character"):
        plot_text_activation("abc", [0.1, 0.2])
    with pytest.raises(ValueError, match="non-empty"):
        plot_text_activation("", [])


def test_correlation_bars_highlight_one_unit():
    ax = plot_unit_correlations(np.array([0.1, -0.5, 0.9]), highlight=2)
    assert len(ax.patches) == 3
    assert ax.patches[2].get_facecolor() != ax.patches[0].get_facecolor()
    plt.close("all")
