"""The report calendar: monthly, quarterly and annual periods, and when each level's report
of a period is due (configuration ``REPORT_DUE_DAYS``, days after the period's end)."""
from __future__ import annotations

import calendar as _calendar
import dataclasses
import datetime as dt
import enum

from field_app.core.codes import Level
from field_app.core.periods import PeriodError, parse_period, period_key, period_label

# The level that submits → the configuration key of its due days.
SUBMITTING_LEVELS = {Level.TOWNSHIP: "township", Level.COUNTY: "county",
                     Level.LEAGUE: "league"}
DEFAULT_DUE_DAYS = {"township": 3, "county": 5, "league": 10}
# The quarterly analysis (季分析) of each level that writes one → its due days (configuration
# ``ANALYSIS_DUE_DAYS``); the region's goes upward outside this system.
ANALYSIS_LEVELS = {Level.REGION: "region", Level.LEAGUE: "league", Level.COUNTY: "county"}
DEFAULT_ANALYSIS_DUE_DAYS = {"county": 7, "league": 10, "region": 15}


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclasses.dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        return period_key(self.start, self.end)

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)

    @property
    def kind(self) -> PeriodKind | None:
        key = self.key
        if key.isdigit():
            return PeriodKind.YEAR
        if "Q" in key:
            return PeriodKind.QUARTER
        if ".." not in key:
            return PeriodKind.MONTH
        return None

    @classmethod
    def parse(cls, text: str) -> Period:
        """A calendar period (a month, quarter or year); ``PeriodError`` otherwise."""
        start, end = parse_period(text or "")
        period = cls(start, end)
        if period.kind is None:
            raise PeriodError(_not_calendar(text))
        return period


def _not_calendar(text: str):
    from flask_babel import lazy_gettext as _l  # noqa: PLC0415

    return _l("报送期间应为一个月、一个季度或一年（如 2026-11、2026Q3、2026）：%(text)s",
              text=repr(text))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _calendar.monthrange(year, month)[1])


def period_containing(day: dt.date, kind: PeriodKind) -> Period:
    if kind == PeriodKind.YEAR:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    if kind == PeriodKind.QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        return Period(dt.date(day.year, first, 1), _month_end(day.year, first + 2))
    return Period(dt.date(day.year, day.month, 1), _month_end(day.year, day.month))


def previous(period: Period) -> Period:
    day = period.start - dt.timedelta(days=1)
    return period_containing(day, period.kind or PeriodKind.MONTH)


def recent_periods(today: dt.date, kinds: list[str], count: int = 3) -> list[Period]:
    """The last ``count`` ended periods of each kind, newest first (what offices report
    now), months before quarters before years."""
    found: list[Period] = []
    for kind in PeriodKind:
        if kind.value not in kinds:
            continue
        period = previous(period_containing(today, kind))
        for _ in range(count if kind == PeriodKind.MONTH else 1 if kind == PeriodKind.YEAR else 2):
            found.append(period)
            period = previous(period)
    return found


def due_days(config, level: int) -> int | None:
    """Days after a period's end that ``level``'s report is due; ``None`` for the region,
    which reports to nobody in this system."""
    name = SUBMITTING_LEVELS.get(Level(level))
    if name is None:
        return None
    days = {**DEFAULT_DUE_DAYS, **(config.get("REPORT_DUE_DAYS") or {})}
    return int(days[name])


def due_date(config, level: int, period: Period) -> dt.date | None:
    days = due_days(config, level)
    return None if days is None else period.end + dt.timedelta(days=days)


def due_dates(config, day_range: tuple[dt.date, dt.date]) -> list[tuple[int, Period, dt.date]]:
    """(level, period, due date) of every report due within ``day_range`` (inclusive), for
    the scheduled pre-report check."""
    first, last = day_range
    kinds = config.get("REPORT_PERIOD_KINDS") or [k.value for k in PeriodKind]
    found = []
    for level in SUBMITTING_LEVELS:
        days = due_days(config, level)
        for kind in PeriodKind:
            if kind.value not in kinds:
                continue
            # Periods ending between first - days and last - days.
            period = period_containing(first - dt.timedelta(days=days), kind)
            while period.end + dt.timedelta(days=days) <= last:
                due = period.end + dt.timedelta(days=days)
                if due >= first:
                    found.append((int(level), period, due))
                period = period_containing(period.end + dt.timedelta(days=1), kind)
    return sorted(found, key=lambda item: (item[2], item[0]))


def analysis_due_date(config, level: int, period: Period) -> dt.date | None:
    """When ``level``'s quarterly analysis of ``period`` is due (``ANALYSIS_DUE_DAYS``, days
    after the quarter's end); ``None`` for a level that writes none."""
    name = ANALYSIS_LEVELS.get(Level(level))
    if name is None:
        return None
    days = {**DEFAULT_ANALYSIS_DUE_DAYS, **(config.get("ANALYSIS_DUE_DAYS") or {})}
    return period.end + dt.timedelta(days=int(days[name]))
