"""The map of a division: a choropleth of a chosen figure by child division for a county,
league or region; the survey's coverage map for a township or village."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.charts.base import to_data_url
from field_app.core.clock import clock
from field_app.core.codes import Level
from field_app.core.errors import OutOfScope
from field_app.core.periods import PeriodError
from field_app.divisions.queries import ancestors_of, get_division_or_404
from field_app.extensions import db
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.maps import queries
from field_app.statistics import operations as statistics_operations
from field_app.statistics import periods
from field_app.statistics.labels import INDICATOR_LABELS

bp = Blueprint("maps", __name__, url_prefix="/maps")

DEFAULT_FIGURE = "rural_transfer"


def can_see_coverage(user, code: str) -> bool:
    """Coverage is the survey's business, as on the survey pages: following the county's
    rounds (``VIEW_ROUNDS`` at the division) or reviewing the villages of a township
    (``REVIEW_HOUSEHOLDS``, held at village level, so the division must be in the
    reviewer's subtree)."""
    return (user.can(Capability.VIEW_ROUNDS, at=code)
            or (user.can(Capability.REVIEW_HOUSEHOLDS) and user.covers(code)))


def can_open_map(user, division) -> bool:
    return division.level < Level.TOWNSHIP or can_see_coverage(user, division.code)


@bp.get("/divisions/<code>")
def division(code: str):
    division = get_division_or_404(db.session, code, current_user)
    if division.level >= Level.TOWNSHIP:
        return _coverage_page(division)
    return _figure_page(division)


def _figure_page(division):
    figure = request.args.get("figure", DEFAULT_FIGURE)
    key, error = _period()
    if figure not in INDICATOR_KEYS:
        figure, error = DEFAULT_FIGURE, _l("没有这项指标，已显示%(figure)s",
                                           figure=INDICATOR_LABELS[DEFAULT_FIGURE])
    choice = periods.choice(key, clock.today())
    children = queries.children_figure(division.code, figure, choice.start, choice.end)
    svg = queries.render_figure_map(division, figure, choice.start, choice.end, children)
    return render_template(
        "maps/division.html", division=division, ancestors=_ancestors(division),
        map_source=svg and to_data_url(svg),
        map_title=queries.figure_map_title(division, figure, choice.start, choice.end),
        figure=figure, figures=INDICATOR_LABELS, choice=choice, children=children,
        unit=queries.figure_unit(figure), error=error, can_open_map=can_open_map,
    ), 400 if error else 200


def _period() -> tuple[str, object | None]:
    """The link's period, else the account's last choice on the division pages, else the
    year to date; with the link's error, if any."""
    fallback = (statistics_operations.remembered_period(db.session, current_user.id)
                or periods.YEAR_TO_DATE)
    asked = request.args.get("period")
    if asked is None:
        return fallback, None
    try:
        return periods.normalise(asked), None
    except PeriodError as error:
        return fallback, error.message


def _coverage_page(division):
    if not can_see_coverage(current_user, division.code):
        raise OutOfScope()
    rounds = queries.rounds_for(division.code)
    asked = request.args.get("round", type=int)
    if asked is not None:
        round_ = next((r for r in rounds if r.id == asked), None)
        if round_ is None:
            raise OutOfScope()
    else:
        round_ = next((r for r in rounds if r.is_open), rounds[0] if rounds else None)
    found = queries.coverage(division.code, round_.id) if round_ else None
    svg = queries.render_coverage_map(division, round_, found) if found else None
    return render_template(
        "maps/coverage.html", division=division, ancestors=_ancestors(division),
        map_source=svg and to_data_url(svg),
        rounds=rounds, round=round_, coverage=found, labels=queries.COVERAGE_LABELS)


def _ancestors(division) -> list:
    return [a for a in ancestors_of(db.session, division)
            if current_user.can(Capability.READ_STATISTICS, at=a.code)]
