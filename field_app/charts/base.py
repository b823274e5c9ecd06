"""The one matplotlib setup: the Agg backend, the CJK font, text kept as text in the SVG.

Text stays text (``svg.fonttype = "none"``) so that a chart is a few kilobytes, selectable, and
set in the page's own CJK font by the browser and by WeasyPrint, instead of carrying glyph paths.
"""
from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
from matplotlib.figure import Figure  # noqa: E402

# The system's Noto CJK (fonts-noto-cjk, installed by scripts/install-system-packages) first;
# DejaVu for the digits and Latin letters when the CJK face is missing.
FONT_FAMILY = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "field_app",  # the same chart gives the same bytes (fingerprints, caching)
    "font.family": "sans-serif",
    "font.sans-serif": FONT_FAMILY,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": False,
}


def new_figure(width_in: float = 6.0, height_in: float = 3.0) -> Figure:
    """A figure of that size in inches, not registered with pyplot (no global state, no leak)."""
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(width_in, height_in), layout="constrained")


def to_svg(figure: Figure, *, title: str = "") -> str:
    """The figure as inline SVG markup: no XML prologue, scaled by its viewBox to the width of its
    container, with a ``<title>`` for screen readers when ``title`` is given."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    # Drop the fixed width/height so that CSS sizes the chart (max-width: 100%) at 360 px.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', svg, count=1)
    if title:
        from markupsafe import escape

        svg = svg.replace(">", f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>', 1)
    return svg


def to_data_url(svg: str) -> str:
    """The SVG as a ``data:`` URL for an ``<img>`` on a web page: the pages'
    Content-Security-Policy (``style-src 'self'``) strips the style attributes of an inline
    SVG, while an image's own document keeps them (``img-src`` allows ``data:``). PDFs take
    the SVG inline."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
