"""Line and bar charts (issue 14): SVG from matplotlib, text kept as text, missing values
as gaps (never zeros), light enough for a phone page."""
from __future__ import annotations

import re
from decimal import Decimal

from field_app.charts.line import MAX_TICKS, MISSING, bar_chart, line_chart

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def _points(values):
    return list(zip(MONTHS, values))


def _line_moves(svg: str) -> int:
    """How many pieces the data line is drawn in (one ``M`` per piece)."""
    line = re.search(r'<g id="line2d_\d+">\s*<path d="([^"]*)"[^>]*style="[^"]*stroke: #1f5f8b',
                     svg)
    assert line, "no data line"
    return line.group(1).count("M")


def _bars(svg: str) -> int:
    return svg.count("fill: #1f5f8b")


def test_a_line_chart_is_inline_svg_with_its_title_as_text():
    svg = line_chart(_points(range(12)), title="城镇新增就业人数", unit="人")
    assert svg.startswith("<svg") and "viewBox" in svg
    assert not re.match(r'<svg[^>]* width="', svg)  # sized by its container
    assert "<title>城镇新增就业人数</title>" in svg
    assert ">城镇新增就业人数<" in svg.split("</title>", 1)[1]  # drawn as text, not glyphs
    assert len(svg.encode()) < 30_000


def test_a_missing_value_breaks_the_line():
    whole = line_chart(_points([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]), title="t")
    broken = line_chart(_points([5, 6, 7, None, 9, 10, 11, 12, 13, 14, 15, 16]), title="t")
    assert _line_moves(whole) == 1
    assert _line_moves(broken) == 2
    assert MISSING in broken and MISSING not in whole


def test_a_missing_bar_is_left_out_not_drawn_as_zero():
    values = [Decimal("2.36"), 0, None, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    svg = bar_chart(_points(values), title="失业率", unit="%")
    every = bar_chart(_points([1] * 12), title="失业率", unit="%")
    assert _bars(every) == 12
    assert _bars(svg) == 11  # the zero is a (flat) bar; the missing one is none
    assert MISSING in svg


def test_no_value_at_all_says_so():
    svg = line_chart(_points([None] * 12), title="空")
    assert MISSING in svg


def test_many_periods_keep_the_labels_readable():
    labels = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    svg = line_chart(list(zip(labels, range(36))), title="三年")
    ticks = re.findall(r'<g id="xtick_\d+">', svg)
    assert len(ticks) <= MAX_TICKS
    assert "2026-12" in svg  # the latest period is always labelled
