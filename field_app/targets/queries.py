"""Reads: the targets and reported figures of divisions, set against the engine's figures.

Callers load the division through a scoped helper first (``divisions.queries``); these
functions read the figures of the codes they are given.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.divisions.models import Division
from field_app.indicators import Policy, compute_indicators
from field_app.targets import measures
from field_app.targets.models import TARGET_INDICATORS, AnnualTarget, ReportedFigure

RATE = "registered_unemployment_rate"
Figure = int | Decimal | None


def plain(value: Decimal | None, indicator: str) -> Figure:
    """A stored figure as shown: the rate with two decimals, a count as an integer."""
    if value is None or indicator == RATE:
        return value
    return int(value)


@dataclasses.dataclass(frozen=True)
class TargetProgress:
    indicator: str
    target: int
    figure: Figure
    completion: Decimal | None  # percent
    time_progress: Decimal  # percent (序时进度)

    @property
    def behind(self) -> bool:
        """Completion short of the time progress (慢于序时进度)."""
        return self.completion is not None and self.completion < self.time_progress

    def as_json(self) -> dict:
        return {"target": self.target, "figure": self.figure,
                "completion": None if self.completion is None else str(self.completion),
                "time_progress": str(self.time_progress)}


def targets_of(session: Session, codes: Iterable[str], year: int) -> dict[str, dict[str, int]]:
    """Division code → indicator → target of ``year``. One query."""
    found: dict[str, dict[str, int]] = {}
    for code, indicator, value in session.execute(
            select(AnnualTarget.division_code, AnnualTarget.indicator, AnnualTarget.value)
            .where(AnnualTarget.division_code.in_(list(codes)), AnnualTarget.year == year)):
        found.setdefault(code, {})[indicator] = int(value)
    return found


def progress(figures: Mapping[str, Figure], targets: Mapping[str, int],
             end: dt.date) -> dict[str, TargetProgress]:
    """For each indicator with a target: the figure, completion rate and time progress at
    ``end`` (the period is the year to ``end``)."""
    elapsed = measures.time_progress(end)
    return {key: TargetProgress(key, targets[key], figures.get(key),
                                measures.completion_rate(figures.get(key), targets[key]),
                                elapsed)
            for key in TARGET_INDICATORS if key in targets}


@dataclasses.dataclass(frozen=True)
class Reconciled:
    division_code: str
    division_name: str
    indicator: str
    start: dt.date
    end: dt.date
    reported: Figure
    system: Figure
    deviation: Decimal | None
    flagged: bool
    note: str | None = None

    def as_json(self) -> dict:
        return {"code": self.division_code, "indicator": self.indicator,
                "reported": None if self.reported is None else str(self.reported),
                "system": None if self.system is None else str(self.system),
                "deviation": None if self.deviation is None else str(self.deviation),
                "flagged": self.flagged}


def reported_of(session: Session, codes: Iterable[str], start: dt.date,
                end: dt.date) -> list[tuple[ReportedFigure, str]]:
    """The reported figures of ``codes`` for exactly ``[start, end]`` with their division's
    name, in code and indicator order. One query."""
    return list(session.execute(
        select(ReportedFigure, Division.name)
        .join(Division, Division.code == ReportedFigure.division_code)
        .where(ReportedFigure.division_code.in_(list(codes)),
               ReportedFigure.period_start == start, ReportedFigure.period_end == end)
        .order_by(ReportedFigure.division_code, ReportedFigure.id)).all())


def reconcile(rows: Iterable[tuple[ReportedFigure, str]],
              system: Mapping[str, Mapping[str, Figure]]) -> list[Reconciled]:
    """Each reported figure against the system's figure of its division (``system``: code →
    indicator → value, for the same period)."""
    out = []
    for figure, name in rows:
        value = system.get(figure.division_code, {}).get(figure.indicator)
        deviation = measures.deviation(figure.value, value)
        out.append(Reconciled(figure.division_code, name, figure.indicator,
                              figure.period_start, figure.period_end,
                              plain(figure.value, figure.indicator), value, deviation,
                              measures.flagged(deviation), figure.note))
    return out


def reconciliation(session: Session, codes: Iterable[str], start: dt.date, end: dt.date,
                   policy: Policy) -> list[Reconciled]:
    """The reconciliation of ``codes`` for ``[start, end]``: one query for the reported
    figures and one engine call per division that has any."""
    rows = reported_of(session, codes, start, end)
    connection = session.connection()
    system = {code: compute_indicators(connection, code, start, end, policy)
              for code in dict.fromkeys(figure.division_code for figure, _ in rows)}
    return reconcile(rows, system)


def reported_periods(session: Session, code: str, year: int) -> list[tuple[dt.date, dt.date]]:
    """The periods of ``year`` for which ``code`` has reported figures, latest end first."""
    return list(session.execute(
        select(ReportedFigure.period_start, ReportedFigure.period_end).distinct()
        .where(ReportedFigure.division_code == code,
               ReportedFigure.period_end.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .order_by(ReportedFigure.period_end.desc(), ReportedFigure.period_start)).all())
