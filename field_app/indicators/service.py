"""A division's indicators with its name, as the CLI, the API and the pages show them."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlalchemy import Connection, select

from field_app.divisions.models import Division
from field_app.indicators.engine import compute_indicators
from field_app.indicators.policy import Policy

LABELS = {
    "new_employment_gross": "城镇累计新就业人数",
    "natural_attrition": "累计自然减员人数",
    "urban_new_employment": "城镇新增就业人数",
    "reemployment_of_unemployed": "城镇失业人员再就业人数",
    "hard_to_employ_employed": "就业困难人员就业人数",
    "registered_unemployed": "城镇登记失业人员期末实有人数",
    "employed_total": "期末从业人员总数",
    "registered_unemployment_rate": "城镇登记失业率(%)",
    "rural_transfer": "农村牧区劳动力转移就业人数",
    "new_generation_transfer": "新生代农牧民工转移就业人数",
    "stable_transfer_180d": "转移就业6个月以上人数",
    "rural_training": "农村牧区劳动力转移就业培训人数",
}


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
    """Two queries: the division's name, then every indicator. ``LookupError`` if unknown."""
    row = connection.execute(
        select(Division.name, Division.level).where(Division.code == division)
    ).one_or_none()
    if row is None:
        raise LookupError(f"区划代码 {division} 不存在 / unknown division code {division}")
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
