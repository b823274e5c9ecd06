"""The map drawings: pure functions from values to SVG, no database."""
from __future__ import annotations

import re

from field_app.charts.maps import (CLASS_COLOURS, NO_VALUE_COLOUR, choropleth, class_breaks,
                                   class_label, class_of, label_point, point_map, polygons)


def _square(x, y, size=1.0):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size],
                                                [x, y + size], [x, y]]]}


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def _fills(svg: str) -> set[str]:
    return {colour.lower() for colour in re.findall(r"fill: (#[0-9a-fA-F]{6})", svg)}


def test_equal_interval_classes_for_counts_do_not_overlap():
    breaks = class_breaks([0, 10, 20, 30, 40, 50], integral=True)
    assert breaks == [0, 10, 20, 30, 40, 50]
    assert [class_label(i, breaks, True) for i in range(5)] == [
        "0 – 9", "10 – 19", "20 – 29", "30 – 39", "40 – 50"]
    assert [class_of(v, breaks) for v in (0, 9, 10, 49, 50)] == [0, 0, 1, 4, 4]


def test_few_distinct_values_get_as_few_classes():
    assert class_breaks([5, 5, 5]) == [5, 5]
    assert len(class_breaks([1, 2], integral=True)) == 3


def test_a_choropleth_labels_each_area_with_its_value_and_shades_by_class():
    svg = choropleth([("甲旗", _square(120, 46), 10), ("乙旗", _square(121, 46), 50),
                      ("丙旗", _square(122, 46), None)], title="测试图", unit="人",
                     no_value="无数据", no_boundary="无边界")
    texts = _texts(svg)
    assert texts[texts.index("甲旗") + 1] == "10"
    assert texts[texts.index("乙旗") + 1] == "50"
    assert texts[texts.index("丙旗") + 1] == "—"
    assert "无数据" in texts and "测试图" in texts
    fills = _fills(svg)
    # The lowest and highest classes, and the grey of the area without a value.
    assert CLASS_COLOURS[-1] in fills and CLASS_COLOURS[0] not in fills  # two classes: the top
    assert NO_VALUE_COLOUR in svg.lower()  # in the hatch pattern
    assert '<title>测试图</title>' in svg and "<pattern" in svg  # the hatch
    assert not re.search(r'd="[^"]*\d\.\d{2}', svg)  # path data kept to a tenth of a point


def test_an_area_without_geometry_is_named_not_drawn():
    svg = choropleth([("甲旗", _square(120, 46), 3), ("乙旗", None, 4)], title="t",
                     no_value="无数据", no_boundary="无边界")
    assert "无边界：乙旗" in _texts(svg)
    assert "乙旗" not in _texts(svg)  # no label of its own


def test_text_is_escaped():
    svg = choropleth([("<script>", _square(0, 0), 1)], title="a<b")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_labels_go_on_the_largest_polygon():
    multi = {"type": "MultiPolygon", "coordinates": [_square(0, 0, 0.1)["coordinates"],
                                                      _square(10, 10, 4)["coordinates"]]}
    assert label_point(polygons(multi)) == (12.0, 12.0)


def test_a_point_map_counts_each_state_in_its_legend():
    points = [(122.0, 46.0, "surveyed"), (122.01, 46.0, "surveyed"), (122.0, 46.01, "returned")]
    svg = point_map(_square(121.9, 45.9, 0.2), points, title="覆盖",
                    labels={"surveyed": "已调查", "not_surveyed": "未调查", "returned": "已退回"})
    assert {"已调查 2", "未调查 0", "已退回 1"} <= set(_texts(svg))
    assert "#1a9850" in _fills(svg) and "#d73027" in _fills(svg)


def test_a_point_map_without_outline_or_points_still_draws():
    svg = point_map(None, [], title="空", labels={"surveyed": "已调查"})
    assert svg.startswith("<svg") and "已调查 0" in _texts(svg)
