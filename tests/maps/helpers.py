"""Boundary files for the tests: squares and bow-ties around the factory tree's counties."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from field_app.divisions.models import Division
from field_app.extensions import db


def square(x: float, y: float, size: float = 0.5, points_per_side: int = 1) -> list:
    """A closed ring: a square with ``points_per_side`` points along each side."""
    n = points_per_side
    ring = [(x + size * i / n, y) for i in range(n)]
    ring += [(x + size, y + size * i / n) for i in range(n)]
    ring += [(x + size - size * i / n, y + size) for i in range(n)]
    ring += [(x, y + size - size * i / n) for i in range(n)]
    return [list(p) for p in ring + [ring[0]]]


def polygon(ring: list) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict | None, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


# The factory tree's two counties, side by side near Ulanhot.
ULANHOT = polygon(square(122.0, 46.0))
ARXAN = polygon(square(120.0, 47.0))
BOW_TIE = polygon([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]])


def write_geojson(path: Path, *features: dict, **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features),
                                **extra}, ensure_ascii=False), encoding="utf-8")
    return path


def counties_file(tmp_path: Path) -> Path:
    return write_geojson(tmp_path / "counties.geojson",
                         feature(ULANHOT, adcode=152201, name="乌兰浩特市"),
                         feature(ARXAN, adcode="152202", name="阿尔山市"))


def stored() -> dict[str, str | None]:
    """Every division's boundary as WKT (None without one)."""
    return dict(db.session.execute(select(Division.code, func.ST_AsText(Division.boundary))).all())
