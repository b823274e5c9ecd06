"""Runs the rules: all twelve indicators of a division and period in one statement."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, case, func, select, union

from field_app.indicators import rules
from field_app.indicators.policy import SYNCED, Policy
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


@dataclasses.dataclass(frozen=True)
class EmployedTotalBasis:
    """Where rule 7's value of a division comes from: ``as_of`` is the date of the entered
    figure used; ``None`` with a value is the sum of the children (下级合计); no value, no
    date."""

    value: int | None
    as_of: dt.date | None

    @property
    def children_sum(self) -> bool:
        return self.value is not None and self.as_of is None


def employed_total_basis(connection: Connection, division: str, b: dt.date) -> EmployedTotalBasis:
    """Rule 7 (rev. 2) of ``division`` at ``b`` with the date of the figure it used, so that
    every page showing the employed total and the rate can say what date it is as of. One
    query, the engine's own statement (``rules.employed_total_values``)."""
    values = rules.employed_total_values(division, b).subquery("employed_total_values")
    row = connection.execute(
        select(values.c.value, values.c.as_of).where(values.c.code == division)).one_or_none()
    if row is None or row.value is None:
        return EmployedTotalBasis(None, None)
    as_of = row.as_of
    if isinstance(as_of, str):  # SQLite hands a CASE over dates back as text
        as_of = dt.date.fromisoformat(as_of)
    return EmployedTotalBasis(int(row.value), as_of)


@dataclasses.dataclass(frozen=True)
class ReviewCoverage:
    """How much of the rural figures (rules 9 to 12) rests on reviewed households:
    ``households`` behind them (every synced household counted by the spec's rules) and
    the ``approved`` among them; ``basis`` is the survey basis the figures were counted on."""

    households: int
    approved: int
    basis: str = SYNCED

    @property
    def share(self) -> Decimal | None:
        """Percent approved, one decimal, rounded half-up; None without households."""
        if not self.households:
            return None
        share = Decimal(self.approved) * 100 / Decimal(self.households)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def review_coverage(connection: Connection, division: str, a: dt.date, b: dt.date,
                    policy: Policy | None = None) -> ReviewCoverage:
    """The households with a person counted by rule 9 or rule 12 (on the synced basis,
    whatever the policy's) and how many of them are approved in review. One query."""
    policy = policy or Policy()
    synced = dataclasses.replace(policy, survey_basis=SYNCED)
    household = rules.households.c.id.label("household_id")
    behind = union(
        rules.transfer_persons(division, a, b, synced).with_only_columns(household),
        rules.rural_training(division, a, b, synced).with_only_columns(household),
    ).subquery("behind")
    approved = rules.approved_households(division, b)
    row = connection.execute(select(
        func.count(),
        func.count(case((behind.c.household_id.in_(approved), 1))),
    ).select_from(behind)).one()
    return ReviewCoverage(int(row[0]), int(row[1]), policy.survey_basis)
