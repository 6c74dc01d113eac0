"""Figures and widgets that still say what they are without a running kernel: text alternatives and fallbacks.

Neither JupyterLab's image renderer nor nbconvert's HTML template (7.17) gives an ``image/png`` output any
alternative text: nbconvert fills in "No description has been provided for this image". Both, however,
prefer a ``text/html`` output over ``image/png`` and keep an ``<img alt="...">`` in it. So every figure the
notebooks show is published as three views of one PNG:

- ``image/png``: the picture, for renderers that want it (GitHub, nbviewer);
- ``text/html``: the same picture as ``<img alt="...">``, read by screen readers and the HTML export;
- ``text/plain``: the same description, instead of ``<Figure size 640x480 with 1 Axes>``.

The description comes from the figure itself (titles, axis labels, legend entries, the words written on
a diagram) unless the notebook sets one with ``set_alt(fig, "...")``. ``install()`` hooks this into
IPython's display machinery, so ``plt.show()`` and a figure at the end of a cell need no change; importing
``rnn_lib`` installs it. Outside IPython nothing happens.
"""

from __future__ import annotations

import base64
import html
import io
import sys

ALT_ATTRIBUTE = "_rnn_lib_alt"
MAX_WORDS_PER_DIAGRAM = 12
#: Mathtext markup that a screen reader would spell out: $x_{1}$ is read as x_1.
_MATH_MARKUP = str.maketrans("", "", "$\\{}")


def set_alt(figure, text: str):
    """Give ``figure`` the text alternative ``text`` (used instead of the automatic description); returns it."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty description of the figure, got {text!r}.")
    setattr(figure, ALT_ATTRIBUTE, text.strip())
    return figure


def _clean(text: str) -> str:
    """Axis text without mathtext dollars and doubled spaces."""
    return " ".join(text.translate(_MATH_MARKUP).split())


def _describe_axes(ax) -> str:
    parts = []
    title = _clean(ax.get_title())
    if title:
        parts.append(title)
    kinds = []
    if ax.images:
        kinds.append("heatmap")
    # Count the named curves; unnamed guide lines (epoch marks, thresholds) are not what the plot shows.
    named = [line for line in ax.lines if not line.get_label().startswith("_")]
    count = len(named) or len(ax.lines)
    if count:
        kinds.append("line plot" if count == 1 else f"{count} lines")
    bars = [patch for container in ax.containers for patch in container]
    if bars:
        kinds.append(f"bar chart of {len(bars)} bars")
    if kinds:
        parts.append(" and ".join(kinds))
    xlabel, ylabel = _clean(ax.get_xlabel()), _clean(ax.get_ylabel())
    if xlabel or ylabel:
        parts.append(", ".join(f"{name}: {label}" for name, label in (("x", xlabel), ("y", ylabel)) if label))
    legend = ax.get_legend()
    if legend is not None:
        labels = [_clean(text.get_text()) for text in legend.get_texts() if text.get_text()]
        if labels:
            parts.append("legend: " + ", ".join(labels))
    if not kinds and not xlabel and not ylabel:
        words = [_clean(text.get_text()) for text in ax.texts if _clean(text.get_text())]
        if words:
            shown = words[:MAX_WORDS_PER_DIAGRAM]
            parts.append("diagram labelled " + ", ".join(shown) + (" ..." if len(words) > len(shown) else ""))
    return "; ".join(parts)


def describe_figure(figure) -> str:
    """A one-paragraph text alternative for a matplotlib figure: its own ``set_alt`` text, or one from its contents.

    For example ``Figure: Loss per epoch; 2 lines; x: epoch, y: loss; legend: train, test.``
    Colour bars (axes that only label another plot's colours) are left out.
    """
    explicit = getattr(figure, ALT_ATTRIBUTE, None)
    if explicit:
        return explicit
    panels = []
    for ax in figure.axes:
        if not ax.get_visible() or getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>":
            continue
        text = _describe_axes(ax)
        if text:
            panels.append(text)
    suptitle = getattr(figure, "_suptitle", None)
    heading = _clean(suptitle.get_text()) if suptitle is not None else ""
    if not panels and not heading:
        return "Figure (it has no title or labels to describe it)."
    if len(panels) == 1:
        body = panels[0]
    else:
        body = " | ".join(f"panel {number}: {text}" for number, text in enumerate(panels, start=1))
    return "Figure: " + (f"{heading}. " if heading else "") + body + "."


def png_bytes(figure, **savefig_kwargs) -> bytes:
    """The figure as PNG bytes (``savefig_kwargs`` as for ``Figure.savefig``)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **savefig_kwargs)
    return buffer.getvalue()


def image_bundle(png: bytes, description: str) -> dict:
    """The three views of one picture: ``image/png``, ``text/html`` with ``alt``, and ``text/plain``."""
    encoded = base64.b64encode(png).decode("ascii")
    alt = html.escape(description, quote=True)
    return {
        "image/png": encoded,
        "text/html": f'<img src="data:image/png;base64,{encoded}" alt="{alt}" title="{alt}"/>',
        "text/plain": description,
    }


def figure_bundle(figure, **savefig_kwargs) -> dict:
    """``image_bundle`` of a matplotlib figure, described by ``describe_figure``."""
    return image_bundle(png_bytes(figure, **savefig_kwargs), describe_figure(figure))


def _inline_savefig_kwargs(shell) -> dict:
    """What the inline backend would pass to savefig (``bbox_inches='tight'`` by default)."""
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return {"bbox_inches": "tight"}
    return dict(InlineBackend.instance(parent=shell).print_figure_kwargs)


def install(shell=None) -> bool:
    """Publish every matplotlib figure in this IPython session with its text alternative; True if installed.

    Registers on IPython's mimebundle formatter, which ``%matplotlib inline`` leaves alone (it resets only
    the per-type formatters), so the order of ``%matplotlib inline`` and the imports does not matter.
    Does nothing outside IPython.
    """
    if shell is None:
        if "IPython" not in sys.modules:       # not in IPython: nothing to hook, and no need to import it
            return False
        shell = sys.modules["IPython"].get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False

    def formatter(figure, include=None, exclude=None):
        if not figure.axes:           # an empty figure shows nothing, like the inline backend
            return None
        return figure_bundle(figure, **_inline_savefig_kwargs(shell))

    shell.display_formatter.mimebundle_formatter.for_type_by_name("matplotlib.figure", "Figure", formatter)
    return True


class FallbackText:
    """Mixin for widgets: what a reader sees where the widget cannot be drawn (an untrusted or static notebook).

    ipywidgets stores ``repr(widget)`` (cut to 110 characters) as the output's ``text/plain``; this replaces it
    with ``fallback_text`` in full.
    """

    fallback_text = "An interactive widget: run this cell to use it."

    def __repr__(self) -> str:
        return self.fallback_text

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        if isinstance(data, tuple):
            data, metadata = data
            data = {**data, "text/plain": self.fallback_text}
            return data, metadata
        if isinstance(data, dict):
            data = {**data, "text/plain": self.fallback_text}
        return data
