"""What a statistical table shows.

Every figure comes from the engine. The total row is ``compute_indicators`` for the
division itself, not a sum of the rows (a person registered in two towns is one person of
the banner). Rows of divisions are one ``compute_indicators`` call each, except the rows
of a rural table listing villages: rules 9 to 12 are predicates on a person plus "the
household's village is in D", so the engine's own rule statements for D, split by the
household's village, give every village's figures in three queries (a league table of
1,000 villages would otherwise take 1,000 engine calls).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, func, select

from field_app.core.codes import Level, subtree_bounds
from field_app.divisions.models import Division
from field_app.households.models import Household, Person
from field_app.indicators import Policy, compute_indicators, rules
from field_app.indicators.policy import NOTICE_2019
from field_app.reports.models import ReportKind

RURAL_COLUMNS = ("rural_transfer", "new_generation_transfer", "stable_transfer_180d",
                 "rural_training")
URBAN_COLUMNS = ("new_employment_gross", "natural_attrition", "urban_new_employment",
                 "reemployment_of_unemployed", "hard_to_employ_employed",
                 "registered_unemployed", "employed_total", "registered_unemployment_rate")
COLUMNS = {ReportKind.RURAL: RURAL_COLUMNS, ReportKind.URBAN: URBAN_COLUMNS}

Figure = int | Decimal | None


@dataclasses.dataclass(frozen=True)
class DivisionRef:
    code: str
    name: str
    level: int


@dataclasses.dataclass(frozen=True)
class TableRow:
    code: str
    name: str
    values: dict[str, Figure]


@dataclasses.dataclass(frozen=True)
class TableContext:
    kind: ReportKind
    division: DivisionRef
    start: dt.date
    end: dt.date
    columns: tuple[str, ...]
    total: TableRow
    rows: list[TableRow]
    policy: str = NOTICE_2019  # the working-age policy the figures were counted under

    def figures(self) -> dict[str, Any]:
        """The figures as stored and shown by /verify: every row and the total."""
        return {
            "division": dataclasses.asdict(self.division),
            "policy": self.policy,
            "columns": list(self.columns),
            "total": _row_json(self.total),
            "rows": [_row_json(row) for row in self.rows],
        }

    def content(self) -> dict[str, Any]:
        """Everything the document prints, for the content fingerprint."""
        return self.figures()


def plain_figure(value: Figure) -> int | str | None:
    """JSON form of a figure: the rate as its two-place string, so it reads back exactly."""
    return str(value) if isinstance(value, Decimal) else value


def _row_json(row: TableRow) -> dict[str, Any]:
    return {"code": row.code, "name": row.name,
            "values": {key: plain_figure(value) for key, value in row.values.items()}}


def row_divisions(connection: Connection, division: DivisionRef,
                  row_level: Level | None = None) -> list[DivisionRef]:
    """The table's rows: the children of ``division``, or every division of ``row_level``
    below it (a league table by village), in code order. One query."""
    d = Division.__table__
    stmt = select(d.c.code, d.c.name, d.c.level).order_by(d.c.code)
    if row_level is None or row_level <= division.level:
        stmt = stmt.where(d.c.parent_code == division.code)
    else:
        low, high = subtree_bounds(division.code)
        stmt = stmt.where(d.c.code.between(low, high), d.c.level == int(row_level))
    return [DivisionRef(*row) for row in connection.execute(stmt)]


def rural_by_village(connection: Connection, division: str, start: dt.date, end: dt.date,
                     policy: Policy) -> dict[str, dict[str, int]]:
    """Rules 9 to 12 for every village of ``division`` that has a counted person, from
    the engine's rule statements grouped by the household's village. Three queries.

    The village column is taken from the households table those statements already join
    (rules 9 and 12 define "in D" by it); tests compare every village with
    ``compute_indicators`` so that a change in the rules' joins cannot go unnoticed.
    """
    village = Household.__table__.c.village_code
    transfer = (rules.transfer_persons(division, start, end, policy)
                .add_columns(village.label("village_code")).cte("transfer_by_village"))
    stable = rules.stable_persons(transfer, start, end, policy).subquery("stable")
    new_generation = case((transfer.c.birth_date >= policy.new_generation_born_from, 1))
    training = (rules.rural_training(division, start, end, policy)
                .with_only_columns(village, func.count(Person.__table__.c.id.distinct()))
                .group_by(village))
    figures: dict[str, dict[str, int]] = {}

    def put(key, rows):
        for code, *counts in rows:
            figures.setdefault(code, dict.fromkeys(RURAL_COLUMNS, 0)).update(zip(key, counts))

    put(("rural_transfer", "new_generation_transfer"), connection.execute(
        select(transfer.c.village_code, func.count(), func.count(new_generation))
        .group_by(transfer.c.village_code)))
    put(("stable_transfer_180d",), connection.execute(
        select(transfer.c.village_code, func.count())
        .select_from(transfer.join(stable, stable.c.person_id == transfer.c.person_id))
        .group_by(transfer.c.village_code)))
    put(("rural_training",), connection.execute(training))
    return figures


def build_table(connection: Connection, kind: ReportKind, division: DivisionRef,
                start: dt.date, end: dt.date, policy: Policy,
                row_level: Level | None = None) -> TableContext:
    """The rural or urban table of ``division``: one row per child (or per division of
    ``row_level``) and the total. Queries: one for the rows, one engine call per row
    (three in all for the villages of a rural table) and one for the total."""
    columns = COLUMNS[kind]
    refs = row_divisions(connection, division, row_level)

    def engine_row(ref: DivisionRef) -> TableRow:
        values = compute_indicators(connection, ref.code, start, end, policy)
        return TableRow(ref.code, ref.name, {key: values[key] for key in columns})

    if kind == ReportKind.RURAL and refs and all(r.level == Level.VILLAGE for r in refs):
        by_village = rural_by_village(connection, division.code, start, end, policy)
        zero = dict.fromkeys(RURAL_COLUMNS, 0)
        rows = [TableRow(r.code, r.name, by_village.get(r.code, zero)) for r in refs]
    else:
        rows = [engine_row(ref) for ref in refs]
    return TableContext(kind, division, start, end, columns, engine_row(division), rows,
                        policy.name)
