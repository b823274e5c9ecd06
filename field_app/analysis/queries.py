"""Reads of the quarterly analyses, always scoped to the reader's jurisdiction."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.analysis import labels
from field_app.analysis.models import QuarterlyAnalysis
from field_app.analysis.operations import is_late
from field_app.core.errors import OutOfScope
from field_app.core.periods import PeriodError
from field_app.core.permissions import get_or_404
from field_app.divisions.models import Division
from field_app.divisions.queries import get_division
from field_app.reporting.calendar import (
    ANALYSIS_LEVELS,
    Period,
    PeriodKind,
    analysis_due_date,
    period_containing,
    previous,
)
from field_app.reports.models import Report


def get_analysis_division_or_404(session: Session, code: str | None, user) -> Division:
    """A division that writes an analysis (county, league, region), inside the reader's
    jurisdiction; 404 otherwise."""
    return get_or_404(get_division(session, code or ""),
                      lambda d: d.level in ANALYSIS_LEVELS
                      and user.can(Capability.VIEW_SUBMISSIONS, at=d.code))


def quarter_or_404(text: str | None) -> Period:
    """``2026Q3`` as a calendar quarter; anything else is not a page (404)."""
    try:
        period = Period.parse(text or "")
    except PeriodError:
        raise OutOfScope() from None
    if period.kind != PeriodKind.QUARTER:
        raise OutOfScope()
    return period


def recent_quarters(today: dt.date, count: int = 8) -> list[Period]:
    """The current quarter and the ``count - 1`` before it, newest first."""
    found = [period_containing(today, PeriodKind.QUARTER)]
    while len(found) < count:
        found.append(previous(found[-1]))
    return found


def default_quarter(today: dt.date) -> Period:
    """The quarter whose analysis is being written now: the last one ended."""
    return previous(period_containing(today, PeriodKind.QUARTER))


@dataclasses.dataclass(frozen=True)
class Row:
    division: Division
    period: Period
    analysis: QuarterlyAnalysis | None
    due: dt.date | None
    late: bool

    @property
    def status(self) -> str:
        return self.analysis.status.value if self.analysis else labels.NOT_STARTED

    @property
    def status_label(self):
        return labels.STATUS[self.status]


def _found(session: Session, pairs: list[tuple[str, Period]]
           ) -> dict[tuple[str, dt.date], QuarterlyAnalysis]:
    """The analyses of (division, quarter) pairs, in one query."""
    if not pairs:
        return {}
    keys = {(code, period.start) for code, period in pairs}
    rows = session.scalars(select(QuarterlyAnalysis).where(
        QuarterlyAnalysis.division_code.in_({code for code, _ in keys}),
        QuarterlyAnalysis.period_start.in_({start for _, start in keys})))
    return {(row.division_code, row.period_start): row for row in rows
            if (row.division_code, row.period_start) in keys}


def _rows(session: Session, config, pairs: list[tuple[Division, Period]],
          today: dt.date) -> list[Row]:
    found = _found(session, [(d.code, p) for d, p in pairs])
    rows = []
    for division, period in pairs:
        analysis = found.get((division.code, period.start))
        due = analysis_due_date(config, division.level, period)
        rows.append(Row(division, period, analysis, due, is_late(analysis, due, today)))
    return rows


def own_rows(session: Session, config, division: Division, today: dt.date) -> list[Row]:
    """The division's own analyses over the recent quarters, newest first."""
    return _rows(session, config, [(division, p) for p in recent_quarters(today)], today)


def children_rows(session: Session, config, division: Division, period: Period,
                  today: dt.date) -> list[Row]:
    """The analyses of the divisions directly below that write one, for ``period``."""
    children = session.scalars(select(Division).where(
        Division.parent_code == division.code,
        Division.level.in_(list(ANALYSIS_LEVELS))).order_by(Division.code))
    return _rows(session, config, [(child, period) for child in children], today)


def report_of(session: Session, analysis: QuarterlyAnalysis | None) -> Report | None:
    if analysis is None or analysis.report_id is None:
        return None
    return session.get(Report, analysis.report_id)


def people_of(session: Session, analysis: QuarterlyAnalysis | None) -> dict:
    if analysis is None:
        return {}
    ids = {i for i in (analysis.created_by_id, analysis.submitted_by_id,
                       analysis.reviewed_by_id) if i}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
