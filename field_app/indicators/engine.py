"""Runs the rules: all twelve indicators of a division and period in one statement."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, func, select

from field_app.indicators import rules
from field_app.indicators.policy import Policy
from field_app.registrations.models import PersonCategory

INDICATOR_KEYS = (
    "new_employment_gross",
    "natural_attrition",
    "urban_new_employment",
    "reemployment_of_unemployed",
    "hard_to_employ_employed",
    "registered_unemployed",
    "employed_total",
    "registered_unemployment_rate",
    "rural_transfer",
    "new_generation_transfer",
    "stable_transfer_180d",
    "rural_training",
)


def build_statement(division: str, a: dt.date, b: dt.date, policy: Policy):
    """The single SELECT whose columns are the computed (not derived) indicators."""
    args = (division, a, b, policy)
    employment = rules.qualifying_employment(*args).cte("qualifying_employment")
    transfer = rules.transfer_persons(*args).cte("transfer_persons")
    stable = rules.stable_persons(transfer, a, b, policy).subquery("stable_persons")

    def scalar(stmt, name):
        return stmt.scalar_subquery().label(name)

    return select(
        scalar(select(func.count(employment.c.person_id.distinct())), "new_employment_gross"),
        scalar(rules.natural_attrition(*args), "natural_attrition"),
        scalar(
            select(func.count(employment.c.person_id.distinct())).where(
                employment.c.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED
            ),
            "reemployment_of_unemployed",
        ),
        scalar(rules.hard_to_employ_employed(*args), "hard_to_employ_employed"),
        scalar(rules.registered_unemployed(*args), "registered_unemployed"),
        scalar(rules.employed_total(*args), "employed_total"),
        scalar(select(func.count()).select_from(transfer), "rural_transfer"),
        scalar(
            select(func.count()).select_from(transfer).where(
                transfer.c.birth_date >= policy.new_generation_born_from
            ),
            "new_generation_transfer",
        ),
        scalar(select(func.count()).select_from(stable), "stable_transfer_180d"),
        scalar(rules.rural_training(*args), "rural_training"),
    )


def unemployment_rate(unemployed: int, employed_total: int | None) -> Decimal | None:
    """Rule 8: percent, rounded half-up to 2 decimals; empty without a denominator."""
    if employed_total is None or employed_total + unemployed == 0:
        return None
    rate = Decimal(unemployed) * 100 / Decimal(employed_total + unemployed)
    return rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def compute_indicators(
    connection: Connection,
    division: str,
    a: dt.date,
    b: dt.date,
    policy: Policy | None = None,
) -> dict[str, int | Decimal | None]:
    """All twelve indicators of the spec for ``division`` and the inclusive period ``[a, b]``.

    Issues exactly one query whatever the data size. Integers, except the rate (a
    ``Decimal`` with two places); ``None`` where the spec says empty.
    """
    if a > b:
        raise ValueError(f"period start {a} is after its end {b}")
    policy = policy or Policy()
    row = connection.execute(build_statement(division, a, b, policy)).mappings().one()
    values: dict[str, int | Decimal | None] = {
        key: (None if value is None else int(value)) for key, value in row.items()
    }
    values["urban_new_employment"] = values["new_employment_gross"] - values["natural_attrition"]
    values["registered_unemployment_rate"] = unemployment_rate(
        values["registered_unemployed"], values["employed_total"]
    )
    return {key: values[key] for key in INDICATOR_KEYS}
