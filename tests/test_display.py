"""Text alternatives for figures, widget fallbacks, and the explorer's settings and explanations."""

from __future__ import annotations

import contextlib
import io

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pytest.importorskip("ipywidgets")

import matplotlib.pyplot as plt  # noqa: E402

from rnn_lib.datasets import load_sentiment  # noqa: E402
from rnn_lib.display import describe_figure, figure_bundle, install, set_alt  # noqa: E402


@pytest.fixture
def line_figure():
    figure, ax = plt.subplots()
    ax.plot([1, 2, 3], [0.7, 0.4, 0.2], label="train")
    ax.plot([1, 2, 3], [0.7, 0.5, 0.4], label="test")
    ax.set(title="Loss", xlabel="epoch", ylabel="cross-entropy")
    ax.legend()
    yield figure
    plt.close(figure)


def test_a_figure_is_described_by_its_title_axes_and_legend(line_figure):
    assert describe_figure(line_figure) == "Figure: Loss; 2 lines; x: epoch, y: cross-entropy; legend: train, test."


def test_panels_suptitle_and_mathtext_are_described_readably():
    figure, (left, right) = plt.subplots(1, 2)
    figure.suptitle("Two views")
    left.imshow([[0.0, 1.0], [1.0, 0.0]])
    left.set_title("$h_{t}$ per step")
    right.set_axis_off()
    right.text(0.5, 0.5, "$W_{hh}$")
    try:
        assert describe_figure(figure) == ("Figure: Two views. panel 1: h_t per step; heatmap | "
                                           "panel 2: diagram labelled W_hh.")
    finally:
        plt.close(figure)


def test_set_alt_wins_and_rejects_an_empty_description(line_figure):
    set_alt(line_figure, "Training loss falls from 0.7 to 0.2 in three epochs.")
    assert describe_figure(line_figure) == "Training loss falls from 0.7 to 0.2 in three epochs."
    with pytest.raises(ValueError, match="text"):
        set_alt(line_figure, "  ")


def test_the_bundle_carries_the_png_and_the_description_in_html_and_plain_text(line_figure):
    bundle = figure_bundle(line_figure)
    assert bundle["text/plain"] == describe_figure(line_figure)
    assert bundle["text/html"].startswith(f'<img src="data:image/png;base64,{bundle["image/png"]}"')
    assert 'alt="Figure: Loss; 2 lines;' in bundle["text/html"]


def test_install_survives_matplotlib_inline_resetting_figure_formatters(line_figure):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats

    shell = InteractiveShell.instance()
    assert install(shell) is True
    select_figure_formats(shell, {"png"})          # what %matplotlib inline does: it pops Figure formatters
    data, _ = shell.display_formatter.format(line_figure)
    assert data["text/plain"] == describe_figure(line_figure)
    assert 'alt="Figure: Loss' in data["text/html"] and data["image/png"]


def test_install_is_a_no_op_without_a_shell():
    assert install(shell=object()) is False


# --- the widgets ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    return load_sentiment()


def _quiet(call, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):       # outside a kernel, widget output is printed
        return call(*args, **kwargs)


def _by_class(widget, name):
    if name in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = _by_class(child, name)
        if found is not None:
            return found
    return None


def test_scaled_learning_rate_keeps_small_sizes_and_divides_by_h_over_32():
    from rnn_lib.widgets import scaled_learning_rate

    assert scaled_learning_rate(0.03, 4) == pytest.approx(0.03)
    assert scaled_learning_rate(0.03, 32) == pytest.approx(0.03)
    assert scaled_learning_rate(0.03, 64) == pytest.approx(0.015)
    assert scaled_learning_rate(0.03, 128) == pytest.approx(0.0075)


def test_widgets_store_a_fallback_that_says_what_they_are(data):
    from rnn_lib.widgets import sentence_box, train_and_plot, training_explorer

    train, test = data
    explorer = _quiet(training_explorer, train, test, epochs=5)
    text = explorer._repr_mimebundle_()["text/plain"]
    assert text.startswith("Training explorer") and "Run this cell" in text and "VBox(" not in text
    run = train_and_plot(train, test, epochs=5)
    plt.close(run.figure)
    box = _quiet(sentence_box, run.model)
    assert box._repr_mimebundle_()["text/plain"].startswith("Sentence box")


def test_learning_rate_slider_returns_to_its_default_and_result_line_names_the_scaled_rate(data):
    from rnn_lib.widgets import training_explorer

    train, test = data
    explorer = _quiet(training_explorer, train, test, epochs=5)
    rate = _by_class(explorer, "rnn-learning-rate")
    assert 0.03 in [value for _, value in rate.options]
    _quiet(setattr, rate, "value", 0.05)
    _quiet(setattr, rate, "value", 0.03)
    assert rate.value == 0.03
    _quiet(setattr, _by_class(explorer, "rnn-hidden-size"), "value", 64)
    assert "learning rate 0.015 (0.03 x 32/64)" in _by_class(explorer, "rnn-explorer-result").value


def test_empty_sentence_shows_a_hint_and_clears_the_old_figure(data):
    from rnn_lib.widgets import predict_and_plot, sentence_box, train_and_plot

    train, test = data
    run = train_and_plot(train, test, epochs=5)
    plt.close(run.figure)
    assert predict_and_plot(run.model, "") == (None, None, None)
    assert predict_and_plot(run.model, "   ") == (None, None, None)
    box = _quiet(sentence_box, run.model)
    entry = _by_class(box, "rnn-sentence")
    _quiet(setattr, entry, "value", "")
    assert "type a sentence" in _by_class(box, "rnn-sentence-result").value
    assert not plt.get_fignums()


def test_the_explorer_explains_a_run_that_saturates(data):
    from rnn_lib.widgets import diagnose, train_and_plot

    train, test = data
    run = train_and_plot(train, test, hidden_size=128, learning_rate=0.03, epochs=40, seed=0)
    plt.close(run.figure)
    verdict = diagnose(run, train)
    assert verdict.startswith("did not learn") and "tanh" in verdict and "scale with hidden size" in verdict
    fine = train_and_plot(train, test, hidden_size=32, learning_rate=0.03, epochs=40, seed=0)
    plt.close(fine.figure)
    assert diagnose(fine, train) == ""


def test_live_curves_are_valid_svg_with_one_polyline_per_curve_inside_the_frame():
    import xml.etree.ElementTree as ET

    from rnn_lib.live_curves import training_svg
    from rnn_lib.training import History

    history = History(epoch=[1, 2, 3], train_loss=[0.7, 0.5, 0.3], test_loss=[0.7, 0.6, 0.5],
                      train_accuracy=[0.5, 0.7, 0.9], test_accuracy=[0.5, 0.6, 0.7])
    root = ET.fromstring(training_svg(history, epochs=10, note="hidden states <after> training"))
    namespace = {"svg": "http://www.w3.org/2000/svg"}
    lines = root.findall("svg:polyline", namespace)
    assert len(lines) == 4
    width, height = float(root.get("width")), float(root.get("height"))
    for line in lines:
        points = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
        assert len(points) == 3
        assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
        assert points[0][0] < points[1][0] < points[2][0]
    # Accuracy 90% sits higher (smaller y) than 50% on the same panel.
    train_accuracy = [tuple(map(float, p.split(","))) for p in lines[2].get("points").split()]
    assert train_accuracy[2][1] < train_accuracy[0][1]
    assert "hidden states &lt;after&gt; training" in training_svg(history, 10, "hidden states <after> training")
