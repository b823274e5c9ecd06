"""Writing boundaries into ``divisions.boundary``: matched, checked and simplified in the
database (the same GEOS behind SpatiaLite and PostGIS), all or nothing, audited."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, literal, select, union_all, update
from sqlalchemy.orm import Session

from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.divisions.models import Division
from field_app.maps.files import (MAX_POINTS, BoundaryFileError, Feature, polygon_wkt,
                                  read_features)

# Degrees: about 200 m on the ground, a fraction of a pixel on a county map of a league at
# 360 px; a county outline keeps a few hundred points.
DEFAULT_TOLERANCE = 0.002
MAX_TOLERANCE = 0.1
# Validity and simplification are asked of the database in batches of this many features
# (two bound values each: well below SQLite's 32,766 parameters).
BATCH = 200
SRID = 4326


@dataclasses.dataclass(frozen=True)
class BoundaryLoad:
    changed: list[str]  # division codes whose boundary was written
    unchanged: list[str]  # matched, and already holding this boundary
    skipped: list[str]  # unmatched features, when asked to skip them
    points: int  # coordinates read from the file


def division_code(value) -> str | None:
    """A 6-digit adcode (or a 9- or 12-digit code) as a 12-digit division code, padded."""
    text = str(value).strip() if value is not None else ""
    if text.endswith(".0"):  # a numeric .dbf field read as a float
        text = text[:-2]
    if not text.isdigit() or len(text) not in (6, 9, 12):
        return None
    return text.ljust(12, "0")


def load_boundaries(session: Session, path: Path | str, *, code_property: str = "adcode",
                    name_property: str = "name", tolerance: float = DEFAULT_TOLERANCE,
                    skip_unmatched: bool = False) -> BoundaryLoad:
    """Store the polygons of a GeoJSON or shapefile in ``divisions.boundary`` as
    MULTIPOLYGON, SRID 4326, simplified to ``tolerance`` degrees (topology kept).

    A feature belongs to the division whose code is its ``code_property`` (an adcode padded
    to 12 digits), or else to the one division named by its ``name_property``. Any
    unmatched feature (unless ``skip_unmatched``), ambiguous name, feature matched twice,
    non-polygon, invalid geometry or wrong CRS refuses the whole file with every reason
    (``BoundaryFileError``) and nothing is written. A boundary already stored unchanged is
    not written again; one audit event lists the divisions whose boundary changed.
    Flushes; the caller commits.
    """
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise BoundaryFileError(_l("简化容差应在 0 至 %(max)s 度之间", max=MAX_TOLERANCE),
                                [_l("简化容差应在 0 至 %(max)s 度之间", max=MAX_TOLERANCE)])
    features = read_features(path)
    problems: list = []  # lazy strings: the command line prints each in both languages
    matched, skipped = _match(session, features, code_property, name_property, problems,
                              skip_unmatched)
    shapes: dict[str, str] = {}
    points = 0
    for code, feature in matched.items():
        wkt, reason, count = polygon_wkt(feature.geometry)
        if reason is not None:
            problems.append(_l("%(feature)s：%(reason)s", feature=feature.describe(name_property),
                                reason=reason))
        else:
            shapes[code] = wkt
            points += count
    if points > MAX_POINTS:
        problems.append(_l("坐标点过多（%(count)s 个，最多 %(max)s 个）：请先简化边界",
                           count=points, max=MAX_POINTS))
    if not problems:
        for code in _invalid(session, shapes):
            problems.append(_l("%(feature)s：几何图形无效（边界自相交或环重叠）",
                               feature=matched[code].describe(name_property)))
    if problems:
        raise BoundaryFileError(_l("边界文件有 %(count)s 处问题，未载入任何边界",
                                   count=len(problems)), problems)
    if not shapes:
        raise BoundaryFileError(_l("文件中没有与区划对应的要素，未载入任何边界"),
                                [_l("文件中没有与区划对应的要素，未载入任何边界")])
    simplified = _simplified(session, shapes, tolerance)
    stored = dict(session.execute(
        select(Division.code, func.ST_AsText(Division.boundary))
        .where(Division.code.in_(list(simplified)))).all())
    changed = sorted(code for code, text in simplified.items() if stored.get(code) != text)
    if changed:
        table = Division.__table__
        session.execute(
            update(table).where(table.c.code == bindparam("target"))
            .values(boundary=func.ST_GeomFromText(bindparam("shape"), SRID),
                    updated_at=bindparam("at")),
            [{"target": code, "shape": simplified[code], "at": clock.now()} for code in changed])
        record(session, "boundaries_loaded", target_type="divisions",
               division=_common_ancestor(session, changed),
               after={"divisions": changed, "file": Path(path).name, "tolerance": tolerance},
               also=changed)
        for division in [o for o in session.identity_map.values() if isinstance(o, Division)]:
            session.expire(division, ["boundary"])
    session.flush()
    return BoundaryLoad(changed, sorted(set(simplified) - set(changed)), skipped, points)


def _match(session: Session, features: list[Feature], code_property: str, name_property: str,
           problems: list, skip_unmatched: bool) -> tuple[dict[str, Feature], list[str]]:
    """``{division code: feature}``; problems appended for what cannot be matched."""
    codes = {division_code(f.properties.get(code_property)) for f in features} - {None}
    names = {str(f.properties.get(name_property)).strip() for f in features
             if f.properties.get(name_property) not in (None, "")}
    known = set(session.scalars(select(Division.code).where(Division.code.in_(codes)))) \
        if codes else set()
    by_name: dict[str, list[str]] = {}
    if names:
        for code, name in session.execute(select(Division.code, Division.name)
                                          .where(Division.name.in_(names))):
            by_name.setdefault(name, []).append(code)
    matched: dict[str, Feature] = {}
    skipped: list[str] = []
    for feature in features:
        raw_code = feature.properties.get(code_property)
        code = division_code(raw_code)
        name = str(feature.properties.get(name_property) or "").strip()
        where = feature.describe(name_property)
        if code is None and raw_code not in (None, ""):
            problems.append(_l("%(feature)s：%(property)s 值 %(value)s 不是6位、9位或12位"
                               "区划代码", feature=where, property=code_property,
                               value=raw_code))
            continue
        if code is None or code not in known:
            candidates = by_name.get(name, []) if code is None else []
            if len(candidates) > 1:
                problems.append(_l("%(feature)s：有多个区划名为 %(name)s，请用区划代码匹配",
                                   feature=where, name=name))
                continue
            if not candidates:
                if skip_unmatched:
                    skipped.append(str(where))
                else:
                    problems.append(_l("%(feature)s：没有对应的区划（代码 %(code)s）",
                                       feature=where, code=code or "—"))
                continue
            code = candidates[0]
        if code in matched:
            problems.append(_l("%(feature)s：区划 %(code)s 已由%(other)s匹配", feature=where,
                               code=code, other=matched[code].describe(name_property)))
            continue
        matched[code] = feature
    return matched, skipped


def _batches(shapes: dict[str, str]):
    items = list(shapes.items())
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _invalid(session: Session, shapes: dict[str, str]) -> list[str]:
    """The codes whose geometry is not valid (OGC rules), in one statement per batch."""
    invalid = []
    for batch in _batches(shapes):
        statement = union_all(*[
            select(literal(code).label("code"),
                   func.ST_IsValid(func.ST_GeomFromText(literal(wkt), SRID)).label("valid"))
            for code, wkt in batch])
        invalid += [code for code, valid in session.execute(statement) if valid != 1
                    and valid is not True]
    return sorted(invalid)


def _simplified(session: Session, shapes: dict[str, str], tolerance: float) -> dict[str, str]:
    """Each shape simplified with its topology kept, as MULTIPOLYGON WKT from the database."""
    found = {}
    for batch in _batches(shapes):
        statement = union_all(*[
            select(literal(code).label("code"),
                   func.ST_AsText(func.ST_Multi(func.ST_SimplifyPreserveTopology(
                       func.ST_GeomFromText(literal(wkt), SRID), tolerance))).label("shape"))
            for code, wkt in batch])
        found.update(dict(session.execute(statement).all()))
    return found


def _common_ancestor(session: Session, codes: list[str]) -> str:
    """The division the event is filed under: the parent all share, else the first."""
    parents = set(session.scalars(select(Division.parent_code).where(Division.code.in_(codes))))
    parents.discard(None)
    return parents.pop() if len(parents) == 1 else codes[0]
