"""The snapshot's figures (``figures.json``): the twelve indicators of every league and
county for the snapshot's month, and their comparison after a restore.

The month's figures are those of its monthly report: from the first of January to the
last day of the month, as the printed monthly tables count them.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from field_app.core.codes import Level
from field_app.divisions.models import Division
from field_app.indicators import INDICATOR_KEYS, Policy, compute_indicators

FIGURE_LEVELS = (Level.LEAGUE, Level.COUNTY)


def month_period(month: str) -> tuple[dt.date, dt.date]:
    """``2026-05`` → 2026-01-01 .. 2026-05-31 (the caller has checked the text)."""
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, 1, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def _plain(value: int | Decimal | None) -> int | float | None:
    return float(value) if isinstance(value, Decimal) else value


def compute_figures(conn: Connection, month: str, policy: Policy, progress=None) -> dict[str, Any]:
    """The figures of every league and county, in code order, as ``figures.json`` holds
    them."""
    start, end = month_period(month)
    rows = conn.execute(select(Division.code, Division.name, Division.level)
                        .where(Division.level.in_([int(level) for level in FIGURE_LEVELS]))
                        .order_by(Division.code)).all()
    divisions = []
    for done, row in enumerate(rows, start=1):
        values = compute_indicators(conn, row.code, start, end, policy)
        divisions.append({"code": row.code, "name": row.name, "level": row.level,
                          "indicators": {key: _plain(values[key]) for key in INDICATOR_KEYS}})
        if progress is not None:
            progress(done, len(rows))
    return {"month": month, "from": start.isoformat(), "to": end.isoformat(),
            "policy": policy.name, "divisions": divisions}


@dataclasses.dataclass(frozen=True)
class Difference:
    code: str
    name: str
    key: str  # an indicator key, or "" when the division itself is missing
    stored: Any
    found: Any


def compare_figures(stored: dict[str, Any], found: dict[str, Any]) -> list[Difference]:
    """Every figure of ``stored`` that ``found`` does not have exactly; a league or county
    of either that the other lacks."""
    differences = []
    found_by_code = {d["code"]: d for d in found["divisions"]}
    stored_codes = set()
    for division in stored["divisions"]:
        stored_codes.add(division["code"])
        other = found_by_code.get(division["code"])
        if other is None:
            differences.append(Difference(division["code"], division["name"], "", "present",
                                          "missing"))
            continue
        for key, value in division["indicators"].items():
            if other["indicators"].get(key) != value:
                differences.append(Difference(division["code"], division["name"], key, value,
                                              other["indicators"].get(key)))
    for code, division in found_by_code.items():
        if code not in stored_codes:
            differences.append(Difference(code, division["name"], "", "missing", "present"))
    return differences
