"""The period chooser of the statistics pages: month, quarter, year, a range of months or
the year to date, read from a link (``period=2026Q3``) or from the chooser's fields, and the
neighbouring periods for stepping back and forth with one thumb.

A period is kept as ``parse_period`` reads it (``2026``, ``2026Q3``, ``2026-03``,
``2026-01..2026-06``), or ``ytd``: the year to date, which moves with the calendar."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from field_app.core.periods import PeriodError, parse_period, period_label, year_to_date

YEAR_TO_DATE = "ytd"
KINDS = {
    "ytd": _l("本年累计"),
    "month": _l("月"),
    "quarter": _l("季"),
    "year": _l("年"),
    "range": _l("区间"),
}
MAX_KEY = 32  # the stored column's width; no valid period is longer


def kind_of(key: str) -> str:
    if key == YEAR_TO_DATE:
        return "ytd"
    if ".." in key:
        return "range"
    if re.fullmatch(r"\d{4}", key):
        return "year"
    if re.fullmatch(r"\d{4}Q[1-4]", key):
        return "quarter"
    return "month"


def normalise(key: str) -> str:
    """``key`` as stored and linked (``PeriodError`` if it is no period): ``2026q3`` is
    ``2026Q3``, a range of one month is that month."""
    key = (key or "").strip()
    if key.lower() == YEAR_TO_DATE:
        return YEAR_TO_DATE
    if len(key) > MAX_KEY:
        raise PeriodError(_l("无法识别的期间「%(text)s」，应为 2026、2026Q1、2026-03 或 2026-01..2026-06",
                             text=key[:MAX_KEY] + "…"))
    start, end = parse_period(key)
    key = key.upper()
    if ".." in key and (start.year, start.month) == (end.year, end.month):
        return f"{start:%Y-%m}"
    return key


def span(key: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of period ``key`` (already normalised)."""
    return year_to_date(today) if key == YEAR_TO_DATE else parse_period(key)


def from_fields(args: Mapping[str, str]) -> str:
    """The period the chooser's fields name (``kind`` with ``month``, ``year`` and
    ``quarter``, or ``first`` and ``last``), normalised; ``PeriodError`` says what is wrong."""
    kind = args.get("kind", "")
    if kind == "ytd":
        return YEAR_TO_DATE
    if kind == "month":
        return normalise(_required(args, "month", _l("请选择月份")))
    if kind == "quarter":
        year = _required(args, "year", _l("请填写年份"))
        quarter = _required(args, "quarter", _l("请选择季度"))
        return normalise(f"{year}Q{quarter}")
    if kind == "year":
        return normalise(_required(args, "year", _l("请填写年份")))
    if kind == "range":
        first = _required(args, "first", _l("请选择起始月份"))
        last = _required(args, "last", _l("请选择截止月份"))
        return normalise(f"{first}..{last}")
    raise PeriodError(_l("请选择期间类型：月、季、年或区间"))


def _required(args: Mapping[str, str], name: str, message) -> str:
    value = (args.get(name) or "").strip()
    if not value:
        raise PeriodError(message)
    return value


def _shift(key: str, kind: str, step: int) -> str | None:
    start, _ = parse_period(key)
    if kind == "year":
        return str(start.year + step)
    months = 3 if kind == "quarter" else 1
    index = start.year * 12 + start.month - 1 + step * months
    year, month = divmod(index, 12)
    return f"{year}Q{month // 3 + 1}" if kind == "quarter" else f"{year:04d}-{month + 1:02d}"


@dataclasses.dataclass(frozen=True)
class Choice:
    """What the chooser shows: the period, its name, its neighbours and the fields' values."""

    key: str
    kind: str
    start: dt.date
    end: dt.date
    label: str
    previous: str | None
    following: str | None
    quick: list[tuple[str, str]]  # (key, label) of the one-tap choices
    month: str
    year: int
    quarter: int
    first: str
    last: str


def choice(key: str, today: dt.date) -> Choice:
    """The chooser for period ``key`` (normalised) seen on ``today``."""
    kind = kind_of(key)
    start, end = span(key, today)
    label = (str(_l("%(year)s年1月1日至今", year=today.year)) if kind == "ytd"
             else period_label(start, end))
    previous = following = None
    if kind in ("month", "quarter", "year"):
        previous = _shift(key, kind, -1)
        # No stepping into a period that has not begun.
        candidate = _shift(key, kind, 1)
        following = candidate if parse_period(candidate)[0] <= today else None
    this_month = f"{today:%Y-%m}"
    this_quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    quick = [(YEAR_TO_DATE, str(_l("本年累计"))),
             (this_month, str(_l("本月"))),
             (_shift(this_month, "month", -1), str(_l("上月"))),
             (this_quarter, str(_l("本季度"))),
             (_shift(this_quarter, "quarter", -1), str(_l("上季度"))),
             (str(today.year - 1), str(_l("上年")))]
    return Choice(key=key, kind=kind, start=start, end=end, label=label, previous=previous,
                  following=following, quick=quick,
                  month=f"{start:%Y-%m}" if kind != "ytd" else this_month,
                  year=start.year, quarter=(start.month - 1) // 3 + 1,
                  first=f"{start:%Y-%m}", last=f"{end:%Y-%m}")
