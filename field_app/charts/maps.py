"""Maps drawn by matplotlib: a choropleth of a figure by area, and households' points.

Geometries are GeoJSON mappings in longitude/latitude (WGS 84). The projection is plain
longitude/latitude with the axes' aspect set to 1/cos(mean latitude), which keeps shapes
true enough at the size of a league or region and needs no projection library or tiles.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from matplotlib.colors import to_hex
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

from field_app.charts.base import new_figure, to_svg

# Five classes of a sequential blue (ColorBrewer "Blues", colour-blind safe, prints in grey).
CLASS_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_VALUE_COLOUR = "#eeeeee"
EDGE_COLOUR = "#555555"
# Coverage states in the caller's order: green circles, grey squares, red triangles, ...
POINT_STYLES = (("#1a9850", "o"), ("#8c8c8c", "s"), ("#d73027", "^"), ("#7b3294", "D"),
                ("#e08214", "v"))
MAX_CLASSES = len(CLASS_COLOURS)
DECIMALS = 4  # coordinates kept in the SVG: about 10 m, finer than a 360 px screen shows


Ring = list[tuple[float, float]]
_PATH_DATA = re.compile(r' d="([^"]*)"')
_LONG_NUMBER = re.compile(r"(-?\d+\.\d)\d+")


def _lighten(svg: str) -> str:
    """Path data to a tenth of a point (matplotlib writes six decimals): a map's SVG about
    halves, and a tenth of a point is below what any screen or print shows."""
    return _PATH_DATA.sub(lambda m: ' d="%s"' % _LONG_NUMBER.sub(r"\1", m.group(1)), svg)


def polygons(geometry: dict | None) -> list[list[Ring]]:
    """The polygons (outer ring, then holes) of a GeoJSON Polygon or MultiPolygon."""
    if not geometry:
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    found = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in polygon]
            for polygon in found if polygon]


def _path(parts: list[list[Ring]]) -> Path:
    """One compound path of every ring; holes are cut by the even-odd rule of the fill."""
    vertices, codes = [], []
    for polygon in parts:
        for ring in polygon:
            if len(ring) < 3:
                continue
            points = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in ring]
            if points[0] == points[-1]:
                points = points[:-1]
            vertices += points + [points[0]]
            codes += [Path.MOVETO] + [Path.LINETO] * (len(points) - 1) + [Path.CLOSEPOLY]
    return Path(vertices, codes)


def _area_and_centroid(ring: Ring) -> tuple[float, tuple[float, float]]:
    """The shoelace area (unsigned) and centroid of a ring."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        xs, ys = zip(*ring)
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def label_point(parts: list[list[Ring]]) -> tuple[float, float] | None:
    """Where an area's label goes: the centroid of its largest outer ring."""
    rings = [polygon[0] for polygon in parts if polygon and len(polygon[0]) >= 3]
    if not rings:
        return None
    return max((_area_and_centroid(ring) for ring in rings), key=lambda found: found[0])[1]


def _extent(rings: Iterable[Ring], points: Iterable[tuple[float, float]] = ()):
    xs, ys = [], []
    for ring in rings:
        for x, y in ring:
            xs.append(x)
            ys.append(y)
    for x, y in points:
        xs.append(x)
        ys.append(y)
    if not xs:
        return None
    return min(xs), max(xs), min(ys), max(ys)


def _map_axes(extent, width_in: float = 4.6):
    """A figure and borderless axes over ``extent`` (x0, x1, y0, y1), aspect-corrected."""
    x0, x1, y0, y1 = extent
    # Pad a little, and give a single point or a line some room.
    pad_x = max((x1 - x0) * 0.04, 0.005)
    pad_y = max((y1 - y0) * 0.04, 0.005)
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    stretch = 1 / max(math.cos(math.radians((y0 + y1) / 2)), 0.2)
    ratio = (y1 - y0) * stretch / (x1 - x0)
    # The map itself, plus room for the title and the legend beneath.
    height_in = min(max(width_in * ratio, 2.0), 7.0) + 0.9
    figure = new_figure(width_in, height_in)
    axes = figure.add_subplot()
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    axes.set_aspect(stretch)
    axes.set_axis_off()
    return figure, axes


def _legend(figure, handles) -> None:
    """Under the map, in as few rows as three columns need, filled column by column (as
    matplotlib does) with the columns as full as possible, so the classes read in order."""
    rows = math.ceil(len(handles) / 3)
    figure.legend(handles=handles, loc="outside lower center",
                  ncols=math.ceil(len(handles) / rows), frameon=False, fontsize=9)


def class_breaks(values: Sequence[float], integral: bool = False) -> list[float]:
    """Equal-interval class edges (ascending, first = min, last = max) for up to five classes;
    one class when every value is the same. Whole-number edges for counts, so that the
    legend's ranges do not overlap (0 – 6, 7 – 13, ...)."""
    low, high = min(values), max(values)
    if high == low:
        return [low, high]
    count = min(MAX_CLASSES, len(set(values)))
    step = (high - low) / count
    edges = [low + step * i for i in range(count)] + [high]
    if integral:
        edges = sorted({math.ceil(edge) for edge in edges[:-1]}) + [high]
    return edges


def class_label(index: int, breaks: list[float], integral: bool) -> str:
    """The range of class ``index`` as the legend shows it."""
    low, high = breaks[index], breaks[index + 1]
    if integral and index < len(breaks) - 2:
        high -= 1
    if low >= high:
        return _number(low, integral)
    return f"{_number(low, integral)} – {_number(high, integral)}"


def class_of(value: float, breaks: list[float]) -> int:
    """The class index of ``value``: the last class holds its upper edge."""
    for index in range(len(breaks) - 2, -1, -1):
        if value >= breaks[index]:
            return index
    return 0


def _number(value: float, integral: bool) -> str:
    if integral:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def choropleth(areas: Sequence[tuple[str, dict | None, float | int | Decimal | None]], *,
               title: str, unit: str = "", no_value=_l("无数据"),
               no_boundary=_l("无边界")) -> str:
    """SVG of ``areas`` (label, GeoJSON geometry, value) shaded in up to five equal-interval
    classes, with a legend of the classes; areas without a value are grey and hatched and
    listed as ``no_value`` in the legend. An area without geometry cannot be drawn: it is
    named in a note (``no_boundary``). Every drawn area carries its label and value."""
    drawn = [(label, polygons(geometry), value) for label, geometry, value in areas]
    missing = [label for label, parts, _ in drawn if not parts]
    drawn = [(label, parts, value) for label, parts, value in drawn if parts]
    extent = _extent(ring for _, parts, _ in drawn for polygon in parts for ring in polygon)
    if extent is None:
        extent = (0.0, 1.0, 0.0, 1.0)
    figure, axes = _map_axes(extent)
    values = [float(v) for _, _, v in drawn if v is not None]
    integral = all(isinstance(v, int) for _, _, v in drawn if v is not None)
    breaks = class_breaks(values, integral) if values else []
    suffix = f" {unit}" if unit else ""
    for label, parts, value in drawn:
        if value is None:
            patch = PathPatch(_path(parts), facecolor=NO_VALUE_COLOUR, edgecolor=EDGE_COLOUR,
                              hatch="///", linewidth=0.6)
        else:
            colour = CLASS_COLOURS[class_of(float(value), breaks)
                                   + (MAX_CLASSES - (len(breaks) - 1))]
            patch = PathPatch(_path(parts), facecolor=colour, edgecolor=EDGE_COLOUR,
                              linewidth=0.6)
        axes.add_patch(patch)
        where = label_point(parts)
        if where is not None:
            shown = "—" if value is None else _number(float(value), integral)
            axes.text(*where, f"{label}\n{shown}", ha="center", va="center", fontsize=9,
                      linespacing=1.1, color="#111111",
                      bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7,
                            "linewidth": 0})
    handles = []
    offset = MAX_CLASSES - (len(breaks) - 1)
    for index in range(len(breaks) - 1):
        handles.append(Patch(facecolor=CLASS_COLOURS[index + offset], edgecolor=EDGE_COLOUR,
                             label=class_label(index, breaks, integral) + suffix))
    if any(value is None for _, _, value in drawn):
        handles.append(Patch(facecolor=NO_VALUE_COLOUR, edgecolor=EDGE_COLOUR, hatch="///",
                             label=no_value))
    if missing:  # named in the legend, where it cannot collide with an area or a class
        handles.append(Patch(facecolor="none", edgecolor="none",
                             label=f"{no_boundary}：{'、'.join(missing)}"))
    if handles:
        _legend(figure, handles)
    axes.set_title(title, fontsize=10)
    return _lighten(to_svg(figure, title=title))


def point_map(outline: dict | None, points: Sequence[tuple[float, float, str]], *, title: str,
              labels: dict[str, str]) -> str:
    """SVG of ``points`` (longitude, latitude, status key) in one style per key of
    ``labels`` (in its order; the legend gives each label with its count), over the
    ``outline`` of the area when there is one."""
    parts = polygons(outline)
    extent = _extent((ring for polygon in parts for ring in polygon),
                     ((x, y) for x, y, _ in points))
    figure, axes = _map_axes(extent or (0.0, 1.0, 0.0, 1.0))
    if parts:
        axes.add_patch(PathPatch(_path(parts), facecolor="#f7f7f7", edgecolor=EDGE_COLOUR,
                                 linewidth=0.8))
    handles = []
    for index, (key, label) in enumerate(labels.items()):
        colour, marker = POINT_STYLES[index % len(POINT_STYLES)]
        xs = [round(x, DECIMALS) for x, _, k in points if k == key]
        ys = [round(y, DECIMALS) for _, y, k in points if k == key]
        if xs:
            axes.scatter(xs, ys, s=30, c=to_hex(colour), marker=marker, linewidths=0.3,
                         edgecolors="white", label=f"{label} {len(xs)}", zorder=3)
        handles.append(axes.scatter([], [], s=30, c=to_hex(colour), marker=marker,
                                    label=f"{label} {len(xs)}"))
    _legend(figure, handles)
    axes.set_title(title, fontsize=10)
    return _lighten(to_svg(figure, title=title))
