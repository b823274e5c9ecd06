"""Report periods written as ``2026``, ``2026Q1``, ``2026-03`` or ``2026-01..2026-06``."""
from __future__ import annotations

import calendar
import datetime as dt
import re

from flask_babel import lazy_gettext as _l


class PeriodError(ValueError):
    """A period that cannot be read; ``message`` (lazy) says why, in the reader's language."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


# Statistics begin long after 1900 and the engine subtracts up to a lifetime from a period's
# dates (birth-date bounds of working age); far years would overflow the date type.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _year_error(year: int) -> PeriodError:
    return PeriodError(_l("期间的年份应在%(first)s至%(last)s之间：%(year)s", first=FIRST_YEAR,
                          last=LAST_YEAR, year=f"{year:04d}"))


def check_span(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """``(start, end)`` if both lie within FIRST_YEAR..LAST_YEAR, else ``PeriodError``."""
    for day in (start, end):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise _year_error(day.year)
    return start, end


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise PeriodError(_l("月份应写作YYYY-MM：%(text)s", text=repr(text)))
    return int(match[1]), int(match[2])


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """The inclusive first and last day of the period ``text`` (``PeriodError`` for anything
    else, years outside FIRST_YEAR..LAST_YEAR included)."""
    try:
        start, end = _parse(text.strip())
    except PeriodError:
        raise
    except ValueError:  # year 0000, which the date type does not have
        raise _year_error(0) from None
    return check_span(start, end)


def _parse(text: str) -> tuple[dt.date, dt.date]:
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    match = re.fullmatch(r"(\d{4})[Qq]([1-4])", text)
    if match:
        year, quarter = int(match[1]), int(match[2])
        return dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if ".." in text:
        first, _, last = text.partition("..")
        (y1, m1), (y2, m2) = _month(first), _month(last)
        if (y2, m2) < (y1, m1):
            raise PeriodError(_l("期间终点早于起点：%(text)s", text=repr(text)))
        return dt.date(y1, m1, 1), _month_end(y2, m2)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = _month(text)
        return dt.date(year, month, 1), _month_end(year, month)
    raise PeriodError(_l("无法识别的期间「%(text)s」，应为 2026、2026Q1、2026-03 或 2026-01..2026-06",
                         text=text))


def year_to_date(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year, 1, 1), today


def period_label(start: dt.date, end: dt.date) -> str:
    """The period as a reader names it: ``2026年``, ``2026年第3季度``, ``2026年11月``,
    ``2026年1月至6月`` or ``2026-01-15至2026-06-20`` (in the reader's language)."""
    from flask_babel import gettext as _  # noqa: PLC0415 - a page's or command's language

    whole = start.day == 1 and end == _month_end(end.year, end.month)
    if not whole:
        return _("%(start)s至%(end)s", start=start.isoformat(), end=end.isoformat())
    if start.year == end.year:
        if (start.month, end.month) == (1, 12):
            return _("%(year)s年", year=start.year)
        if start.month % 3 == 1 and end.month == start.month + 2:
            return _("%(year)s年第%(quarter)s季度", year=start.year, quarter=end.month // 3)
        if start.month == end.month:
            return _("%(year)s年%(month)s月", year=start.year, month=start.month)
        return _("%(year)s年%(first)s月至%(last)s月", year=start.year, first=start.month,
                 last=end.month)
    return _("%(start)s至%(end)s", start=f"{start:%Y-%m}", end=f"{end:%Y-%m}")


def period_key(start: dt.date, end: dt.date) -> str:
    """The period as ``parse_period`` reads it back: ``2026``, ``2026Q3``, ``2026-11``,
    ``2026-01..2026-06``; ``ValueError`` for a span that is not whole months."""
    if start.day != 1 or end != _month_end(end.year, end.month):
        raise ValueError(f"not whole months: {start}..{end}")
    if start.year == end.year and (start.month, end.month) == (1, 12):
        return str(start.year)
    if start.year == end.year and start.month % 3 == 1 and end.month == start.month + 2:
        return f"{start.year}Q{end.month // 3}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m}..{end:%Y-%m}"
