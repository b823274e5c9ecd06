"""Reads for the maps: children's boundaries with a figure from the grouped engine, and the
households' GPS points of a township or village with their survey status.

Both take a division the caller has already authorised; neither reads ``current_user``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import Counter
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from field_app.charts.maps import choropleth, point_map
from field_app.core.codes import Level, ancestor_at, prefix
from field_app.core.context import current_policy
from field_app.core.periods import period_label
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.households.models import Household
from field_app.indicators import compute_grouped
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.statistics.labels import INDICATOR_LABELS
from field_app.surveys.models import SurveyRound

# The coverage map's three states, in the legend's order.
SURVEYED, NOT_SURVEYED, RETURNED = "surveyed", "not_surveyed", "returned"
COVERAGE_LABELS = {SURVEYED: _l("已调查"), NOT_SURVEYED: _l("未调查"), RETURNED: _l("已退回")}
# Entered, submitted and approved households have been visited; returned ones need another
# visit; a household without a status row came after the round opened: not surveyed.
COVERAGE_OF_STATUS = {SurveyStatus.NOT_SURVEYED: NOT_SURVEYED,
                      SurveyStatus.ENTERED: SURVEYED, SurveyStatus.SUBMITTED: SURVEYED,
                      SurveyStatus.APPROVED: SURVEYED, SurveyStatus.RETURNED: RETURNED}
PERCENT_FIGURES = {"registered_unemployment_rate"}


# --- geometry from the database -----------------------------------------------------------

_PAIR = re.compile(r"(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s+(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)")


def geometry_from_wkt(text: str | None) -> dict | None:
    """A MULTIPOLYGON or POLYGON WKT (as ST_AsText writes it) as a GeoJSON mapping: the
    pairs become arrays and the parentheses brackets, which is JSON."""
    if not text or "(" not in text:
        return None
    kind = text.split("(", 1)[0].strip().upper()
    if kind not in ("MULTIPOLYGON", "POLYGON"):
        return None
    nested = json.loads(_PAIR.sub(r"[\1,\2]", text[text.index("("):])
                        .replace("(", "[").replace(")", "]"))
    return {"type": "MultiPolygon", "coordinates": nested if kind == "MULTIPOLYGON" else [nested]}


# --- the choropleth -----------------------------------------------------------------------

def figure_unit(figure: str) -> str:
    return "%" if figure in PERCENT_FIGURES else _("人")


def children_figure(division_code: str, figure: str, start: dt.date, end: dt.date
                    ) -> list[tuple[Division, dict | None, int | Decimal | None]]:
    """``(child, its boundary as GeoJSON, its figure)`` for every child of the division, in
    code order; the figures are the grouped engine's (``indicators.grouped``, by child), so
    each equals the division page of that child."""
    if figure not in INDICATOR_KEYS:
        raise ValueError(f"unknown figure {figure!r}")
    session = db.session
    groups = dict(compute_grouped(session.connection(), division_code, start, end,
                                  current_policy(), "child", indicators=[figure]))
    rows = session.execute(select(Division, func.ST_AsText(Division.boundary))
                           .where(Division.parent_code == division_code)
                           .order_by(Division.code)).all()
    return [(child, geometry_from_wkt(text), groups.get(child.code, {}).get(figure))
            for child, text in rows]


def figure_map_title(division: Division | str, figure: str, start: dt.date, end: dt.date) -> str:
    name = division.name if isinstance(division, Division) else division
    return _("%(division)s %(figure)s（%(period)s）", division=name,
             figure=INDICATOR_LABELS[figure], period=period_label(start, end))


def render_figure_map(division: Division, figure: str, start: dt.date, end: dt.date,
                      children: list[tuple[Division, dict | None, int | Decimal | None]]
                      ) -> str | None:
    """The choropleth of ``children`` (``children_figure``); None when none has a boundary."""
    if not any(geometry for _child, geometry, _value in children):
        return None
    return choropleth([(child.name, geometry, value) for child, geometry, value in children],
                      title=figure_map_title(division, figure, start, end),
                      unit=figure_unit(figure), no_value=_("无数据"), no_boundary=_("无边界"))


def figure_map_svg(division_code: str, figure: str, start: dt.date, end: dt.date) -> str | None:
    """SVG of ``figure`` over ``[start, end]`` by child of the division, shaded by value;
    None when no child has a boundary (or the division does not exist). ``figure`` is an
    indicator key (``indicators.engine.INDICATOR_KEYS``); ValueError otherwise. The caller
    has authorised the division; this reads no user."""
    division = db.session.get(Division, division_code)
    if division is None:
        return None
    children = children_figure(division_code, figure, start, end)
    return render_figure_map(division, figure, start, end, children)


# --- the coverage map ---------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Coverage:
    points: list[tuple[float, float, str]]  # longitude, latitude, state
    counts: dict[str, int]  # every household by state, located or not
    unlocated: int  # households without a GPS point

    @property
    def households(self) -> int:
        return sum(self.counts.values())


def rounds_for(division_code: str) -> list[SurveyRound]:
    """The survey rounds of the division's county, newest first."""
    county = ancestor_at(division_code, Level.COUNTY)
    return list(db.session.scalars(select(SurveyRound).where(SurveyRound.county_code == county)
                                   .order_by(SurveyRound.year.desc())))


def coverage(division_code: str, round_id: int) -> Coverage:
    """The households of the division's subtree with their state in the round: one query.
    A household without a status row in the round is not surveyed."""
    status = func.coalesce(HouseholdSurvey.status, SurveyStatus.NOT_SURVEYED.value)
    state = case(*[(status == s.value, COVERAGE_OF_STATUS[s]) for s in SurveyStatus],
                 else_=NOT_SURVEYED)
    rows = db.session.execute(
        select(func.ST_X(Household.location), func.ST_Y(Household.location), state)
        .outerjoin(HouseholdSurvey, (HouseholdSurvey.household_id == Household.id)
                   & (HouseholdSurvey.round_id == round_id))
        .where(Household.village_code.like(prefix(division_code) + "%"))
        .order_by(Household.id)).all()
    counts = Counter({key: 0 for key in COVERAGE_LABELS})
    points = []
    for x, y, key in rows:
        counts[key] += 1
        if x is not None and y is not None:
            points.append((float(x), float(y), key))
    return Coverage(points, dict(counts), len(rows) - len(points))


def division_outline(division_code: str) -> dict | None:
    return geometry_from_wkt(db.session.scalar(
        select(func.ST_AsText(Division.boundary)).where(Division.code == division_code)))


def render_coverage_map(division: Division, round_: SurveyRound, found: Coverage) -> str | None:
    """The points of ``found`` over the division's outline; None with neither."""
    outline = division_outline(division.code)
    if not found.points and outline is None:
        return None
    title = _("%(division)s %(year)s年度入户调查覆盖", division=division.name, year=round_.year)
    return point_map(outline, found.points, title=title,
                     labels={key: str(label) for key, label in COVERAGE_LABELS.items()})


def coverage_map_svg(division_code: str, round_id: int) -> str | None:
    """SVG of the households' GPS points of a township or village coloured by their state in
    survey round ``round_id`` (surveyed, not surveyed, returned); None when no household has
    a point and the division has no boundary, or the round is not its county's."""
    division = db.session.get(Division, division_code)
    round_ = db.session.get(SurveyRound, round_id)
    if division is None or round_ is None or \
            round_.county_code != ancestor_at(division_code, Level.COUNTY):
        return None
    return render_coverage_map(division, round_, coverage(division_code, round_id))
