"""Readable without a kernel: the static HTML of every notebook describes its figures and widgets.

Exports each committed notebook with nbconvert's HTML exporter (offline: nothing is fetched at export time)
and checks what a reader without a running kernel gets: every <img> carries a real text alternative (not
nbconvert's "No description has been provided for this image"), and every stored widget output has a
plain-text fallback that says what the widget is and to run the cell, never ipywidgets' raw
``VBox(children=(...`` repr. Re-execute a notebook (python -m rnn_lib.notebooks execute) after changing
how figures or widgets are displayed.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb")) + sorted(NOTEBOOK_DIR.glob("exercises/*.ipynb"))
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"
RAW_WIDGET_REPRS = ("VBox(", "HBox(", "children=(", "IntSlider(", "Output(")


class _Images(HTMLParser):
    """Collects the attributes of every <img> tag."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def export_html(path: Path) -> str:
    nbconvert = pytest.importorskip("nbconvert")
    body, _ = nbconvert.HTMLExporter().from_filename(str(path))
    return body


def images_without_alt(html_text: str) -> list[str]:
    """Short descriptions of the <img> tags whose alt text is missing, empty, or nbconvert's placeholder."""
    parser = _Images()
    parser.feed(html_text)
    bad = []
    for number, attrs in enumerate(parser.images, start=1):
        alt = (attrs.get("alt") or "").strip()
        if len(alt.split()) < 3 or alt == NBCONVERT_PLACEHOLDER:
            bad.append(f"image {number} (alt={alt!r}, src={str(attrs.get('src'))[:40]!r})")
    return bad


def count_images(html_text: str) -> int:
    parser = _Images()
    parser.feed(html_text)
    return len(parser.images)


def widget_fallbacks(nb: dict) -> list[str]:
    """The stored text/plain of every output that displays a widget."""
    return [output["data"].get("text/plain", "") if isinstance(output["data"].get("text/plain", ""), str)
            else "".join(output["data"]["text/plain"])
            for cell in nb["cells"] if cell["cell_type"] == "code"
            for output in cell.get("outputs", []) if WIDGET_VIEW_MIME in output.get("data", {})]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.relative_to(REPO_ROOT / "notebooks").as_posix())
def test_every_figure_in_the_html_export_has_a_text_alternative(path):
    html_text = export_html(path)
    bad = images_without_alt(html_text)
    assert not bad, (f"{path.name}: {len(bad)} of {count_images(html_text)} images have no text alternative "
                     f"(re-execute the notebook so figures are published by rnn_lib.display): {bad[:3]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.relative_to(REPO_ROOT / "notebooks").as_posix())
def test_every_stored_widget_says_what_it_is_and_to_run_the_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for text in widget_fallbacks(nb):
        assert not any(raw in text for raw in RAW_WIDGET_REPRS), f"{path.name}: raw widget repr {text[:80]!r}"
        assert "run this cell" in text.lower(), f"{path.name}: the fallback {text[:80]!r} does not say to run the cell"


# --- the checks themselves can fail --------------------------------------------------------------------

def test_images_without_alt_flags_missing_placeholder_and_empty_alt():
    html_text = ('<img src="a.png"><img src="b.png" alt=""><img src="c.png" alt="No description has been provided '
                 'for this image"><img src="d.png" alt="Figure: Loss per epoch; 2 lines">')
    assert len(images_without_alt(html_text)) == 3


def test_a_figure_shown_through_rnn_lib_display_exports_with_its_description(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_lib.display import figure_bundle

    figure, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 2, 1], label="train")
    ax.set(title="Loss per epoch", xlabel="epoch", ylabel="loss")
    ax.legend()
    bundle = figure_bundle(figure)
    plt.close(figure)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plt.show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    plain = nbformat.v4.new_code_cell("plt.show()")
    plain.outputs = [nbformat.v4.new_output("display_data", data={"image/png": bundle["image/png"]})]
    nb.cells = [cell]
    path = tmp_path / "one.ipynb"
    nbformat.write(nb, path)
    html_text = export_html(path)
    assert count_images(html_text) == 1 and not images_without_alt(html_text)
    assert 'alt="Figure: Loss per epoch; line plot; x: epoch, y: loss; legend: train."' in html_text
    nb.cells = [plain]
    nbformat.write(nb, path)
    assert images_without_alt(export_html(path)), "a bare image/png output should be flagged"
