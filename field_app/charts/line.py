"""A figure over periods as a line or as bars, for the pages and the PDFs (issue 14).

Both take ``(label, value)`` pairs in order, a missing value being ``None``: a line breaks
there and a bar is left out (a gap, never a zero), marked "无数据" at the foot of its place.
The charts are sized for a 360 px phone screen (the SVG scales to its container) and stay
legible on A4: 9 pt text, at most eight labelled ticks, labels turned when they are long.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from matplotlib.ticker import MaxNLocator

from field_app.charts.base import new_figure, to_svg

Point = tuple[str, float | int | Decimal | None]

COLOUR = "#1f5f8b"  # the app's link blue, dark enough for print in grey
MISSING = "无数据"
MAX_TICKS = 8  # labelled ticks along the bottom; the others are thinned out
WIDTH_IN, HEIGHT_IN = 4.8, 2.8  # about the width of a phone in points: 9 pt stays ~11 px


def _numbers(points: Sequence[Point]) -> list[float]:
    """The values as floats, a missing one as NaN (matplotlib's gap)."""
    return [math.nan if value is None else float(value) for _, value in points]


def _label_axis(axes, labels: Sequence[str], values: Sequence[float]) -> None:
    """Every label when few, else every n-th one and the last; long labels turned."""
    positions = list(range(len(labels)))
    step = max(1, math.ceil(len(labels) / MAX_TICKS))
    shown = [i for i in positions if (len(labels) - 1 - i) % step == 0]
    axes.set_xticks(shown, [labels[i] for i in shown])
    if max((len(label) for label in labels), default=0) > 5 or len(shown) > 6:
        for text in axes.get_xticklabels():
            text.set_rotation(35)
            text.set_horizontalalignment("right")
    axes.set_xlim(-0.5, len(labels) - 0.5)


def _finish(axes, title: str, unit: str, values: Sequence[float], missing: str) -> None:
    axes.set_title(title, loc="left", fontsize=10)
    if unit:
        axes.set_ylabel(unit)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=all(
        math.isnan(v) or v == int(v) for v in values)))
    axes.grid(axis="y", color="#d0d0d0", linewidth=0.6)
    axes.set_axisbelow(True)
    # Each gap says so, upright at the foot of its place, whether or not its tick is labelled.
    if not all(math.isnan(v) for v in values):
        for i, value in enumerate(values):
            if math.isnan(value):
                axes.text(i, 0.02, missing, transform=axes.get_xaxis_transform(),
                          rotation=90, ha="center", va="bottom", fontsize=7, color="#777777")
    if all(math.isnan(v) for v in values):
        axes.text(0.5, 0.5, missing, transform=axes.transAxes, ha="center", va="center",
                  color="#666666")
        axes.set_yticks([])
    elif min(v for v in values if not math.isnan(v)) >= 0:
        axes.set_ylim(bottom=0)


def line_chart(points: Sequence[Point], *, title: str, unit: str = "",
               missing: str = MISSING) -> str:
    """The values as a line with a marker on each, as inline SVG; ``missing`` marks a gap
    (in the reader's language)."""
    labels = [str(label) for label, _ in points]
    values = _numbers(points)
    figure = new_figure(WIDTH_IN, HEIGHT_IN)
    axes = figure.add_subplot()
    positions = range(len(values))
    axes.plot(positions, values, color=COLOUR, linewidth=1.8, marker="o", markersize=3.5)
    _label_axis(axes, labels, values)
    _finish(axes, title, unit, values, missing)
    return to_svg(figure, title=title)


def bar_chart(bars: Sequence[Point], *, title: str, unit: str = "",
              missing: str = MISSING) -> str:
    """The values as bars, a missing one left out, as inline SVG; ``missing`` marks a gap."""
    labels = [str(label) for label, _ in bars]
    values = _numbers(bars)
    figure = new_figure(WIDTH_IN, HEIGHT_IN)
    axes = figure.add_subplot()
    present = [(i, v) for i, v in enumerate(values) if not math.isnan(v)]
    axes.bar([i for i, _ in present], [v for _, v in present], color=COLOUR, width=0.65)
    _label_axis(axes, labels, values)
    _finish(axes, title, unit, values, missing)
    return to_svg(figure, title=title)
