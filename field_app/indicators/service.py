"""A division's indicators with its name, as the CLI, the API and the pages show them (their
names: ``indicators.labels``)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlalchemy import Connection, select

from field_app.divisions.models import Division
from field_app.indicators.engine import compute_indicators
from field_app.indicators.policy import Policy

@dataclasses.dataclass(frozen=True)
class DivisionIndicators:
    division: str
    name: str
    level: int
    start: dt.date
    end: dt.date
    values: dict[str, int | Decimal | None]
    policy: str = "notice-2019"


def division_indicators(connection: Connection, division: str, start: dt.date, end: dt.date,
                        policy: Policy | None = None) -> DivisionIndicators:
    """Two queries: the division's name, then every indicator. ``LookupError(division)``
    if the code is unknown (the caller words the message)."""
    row = connection.execute(
        select(Division.name, Division.level).where(Division.code == division)
    ).one_or_none()
    if row is None:
        raise LookupError(division)
    policy = policy or Policy()
    values = compute_indicators(connection, division, start, end, policy)
    return DivisionIndicators(division, row.name, row.level, start, end, values, policy.name)


def to_json(report: DivisionIndicators) -> dict:
    return {
        "division": report.division,
        "name": report.name,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "policy": report.policy,
        "indicators": {
            key: (float(value) if isinstance(value, Decimal) else value)
            for key, value in report.values.items()
        },
    }
