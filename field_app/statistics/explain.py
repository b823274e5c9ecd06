"""Explain a figure on the web: the persons an indicator counts (ID numbers masked), each
with the rule clause and the record, 50 to a page; and who is counted in one figure and not
in another. Reading the persons is a read of personal data: each page is audited."""
from __future__ import annotations

import datetime as dt

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, select

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope, ValidationFailed
from field_app.core.periods import PeriodError, check_span, parse_period, year_to_date
from field_app.divisions import queries
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.indicators import explain as engine
from field_app.statistics import labels
from field_app.statistics.views import bp

PER_PAGE = 50
BAD_DATES = _l("日期应为YYYY-MM-DD，且起始日期不晚于截止日期")


def _division(code: str, indicator: str):
    """The division, when the user may explain its figures; 404 otherwise (and for an
    indicator that does not exist)."""
    division = queries.get_division_or_404(db.session, code, current_user)
    if indicator not in engine.EXPLAINED or not current_user.can(Capability.EXPLAIN_FIGURES,
                                                                 at=code):
        raise OutOfScope()
    return division


def _dates(period: str | None, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """``period`` (2026, 2026Q1, ...), else ``from``/``to``, else the year to date."""
    try:
        if period:
            return parse_period(period)
        if start or end:
            first, last = dt.date.fromisoformat(start or ""), dt.date.fromisoformat(end or "")
            if first > last:
                raise ValueError
            return check_span(first, last)
    except PeriodError as error:
        raise ValidationFailed(str(error.message)) from None
    except ValueError:
        raise ValidationFailed(str(BAD_DATES)) from None
    return year_to_date(clock.today())


def _names(rows) -> dict[str, str]:
    codes = [row.code for row in rows if row is not None]
    return dict(db.session.execute(select(Division.code, Division.name)
                                   .where(Division.code.in_(codes))).all())


def _page() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _record_links(code: str) -> bool:
    """A record counted in ``code``'s figure lies in ``code``'s subtree: the desk's reader
    there may open it."""
    return current_user.can(Capability.READ_DESK, at=code)


def _audit(code: str, indicator: str, note: str) -> None:
    audit(db.session, "explain_view", target_type="divisions", target_id=code, division=code,
          note=f"{indicator} {note}"[:200])


@bp.get("/divisions/<code>/explain/<indicator>")
def explain(code: str, indicator: str):
    division = _division(code, indicator)
    start, end = _dates(request.args.get("period"), request.args.get("from"),
                        request.args.get("to"))
    scope = engine.Scope(code, start, end)
    connection, policy = db.session.connection(), current_policy()
    context = {"division": division, "indicator": indicator, "scope": scope,
               "labels": labels, "links": _record_links(code),
               "diffable": indicator in engine.PERSON_INDICATORS}
    if indicator in engine.FIGURE_INDICATORS:
        figure = engine.figure_explanation(connection, indicator, scope, policy)
        _audit(code, indicator, f"{start}..{end}")
        return render_template("statistics/explain_figure.html", figure=figure, **context,
                               names=_names([figure.own, *figure.children]))
    page = engine.explain_page(connection, indicator, scope, policy, page=_page(),
                               per_page=PER_PAGE)
    _audit(code, indicator, f"{start}..{end} p{page.page}")
    return render_template("statistics/explain.html", page=page, **context)


@bp.get("/divisions/<code>/explain/<indicator>/diff")
def explain_difference(code: str, indicator: str):
    division = _division(code, indicator)
    if indicator not in engine.PERSON_INDICATORS:
        raise OutOfScope()
    first = engine.Scope(code, *_dates(request.args.get("period"), request.args.get("from"),
                                       request.args.get("to")))
    against = (request.args.get("against") or "").strip()
    if not against:  # the picker only
        return render_template("statistics/explain_diff.html", division=division,
                               indicator=indicator, first=first, second=None,
                               labels=labels, suggestions=_suggestions(first))
    second = engine.Scope(code, *_dates(against, None, None))
    return render_difference(division, indicator, first, second, against=against)


def _suggestions(first: engine.Scope) -> list[tuple[str, str]]:
    """Periods worth comparing with: the same span a year earlier, and the whole year."""
    year = first.start.year
    return [(str(year - 1), str(_l("上年全年"))), (str(year), str(_l("本年全年"))),
            (f"{year}Q1", str(_l("本年第一季度")))]


def render_difference(division, indicator: str, first: engine.Scope, second: engine.Scope, *,
                      first_ids: Select | None = None, second_ids: Select | None = None,
                      titles: tuple[str, str] | None = None, against: str | None = None):
    """The difference page of two figures of ``division``: two periods, or (with
    ``first_ids``/``second_ids``, the persons stored with two submitted versions, and their
    ``titles``) two versions. The caller has loaded and authorised ``division``."""
    connection, policy = db.session.connection(), current_policy()
    counts, page = engine.difference_page(connection, indicator, first, second, policy,
                                          page=_page(), per_page=PER_PAGE,
                                          first_ids=first_ids, second_ids=second_ids)
    _audit(division.code, indicator, f"{first.start}..{first.end} vs "
                                     f"{second.start}..{second.end} p{page.page}")
    return render_template("statistics/explain_diff.html", division=division,
                           indicator=indicator, first=first, second=second, counts=counts,
                           page=page, labels=labels, titles=titles, against=against,
                           links=_record_links(division.code), suggestions=_suggestions(first))
