"""What a statistical table shows.

Every figure comes from the engine. The total row is ``compute_indicators`` for the
division itself, not a sum of the rows (a person registered in two towns is one person of
the banner). The rows of the children are one grouped engine pass
(``indicators.compute_grouped`` by child, each row equal to ``compute_indicators`` of that
child); rows of a deeper level are one ``compute_indicators`` call each, except the rows
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
from sqlalchemy.orm import Session

from field_app.core.codes import Level, subtree_bounds
from field_app.divisions.models import Division
from field_app.households.models import Household, Person
from field_app.indicators import (
    Policy,
    compute_grouped,
    compute_indicators,
    review_coverage,
    rules,
)
from field_app.indicators.policy import NOTICE_2019
from field_app.reports.models import ReportKind
from field_app.targets import measures
from field_app.targets import queries as targets

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
    # Issue 13, all optional: the date each row's employed total is as of (ISO date, or
    # "children" for a sum of the children's), the annual targets by row code and
    # indicator (``TargetProgress.as_json``), the time progress at the period's end, the
    # reported figures of exactly this period against the rows' figures, and how much of a
    # rural table rests on reviewed households.
    as_of: dict[str, str | None] | None = None
    targets: dict[str, dict[str, dict]] | None = None
    time_progress: str | None = None
    reconciliation: list[dict] | None = None
    coverage: dict[str, Any] | None = None

    def extras(self) -> dict[str, Any]:
        return {key: value for key, value in (
            ("as_of", self.as_of), ("targets", self.targets),
            ("time_progress", self.time_progress), ("reconciliation", self.reconciliation),
            ("coverage", self.coverage)) if value}

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
        return self.figures() | self.extras()


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
    ``row_level``) and the total. Queries: one for the rows, one grouped engine pass for
    the children (``indicators.grouped``), or for deeper rows one engine call per row
    (three in all for the villages of a rural table), and one engine call for the total."""
    columns = COLUMNS[kind]
    refs = row_divisions(connection, division, row_level)

    def engine_row(ref: DivisionRef) -> TableRow:
        values = compute_indicators(connection, ref.code, start, end, policy)
        return TableRow(ref.code, ref.name, {key: values[key] for key in columns})

    if row_level is None or row_level <= division.level:
        groups = dict(compute_grouped(connection, division.code, start, end, policy, "child",
                                      columns))
        rows = [TableRow(r.code, r.name, {key: groups[r.code][key] for key in columns})
                for r in refs]
    elif kind == ReportKind.RURAL and refs and all(r.level == Level.VILLAGE for r in refs):
        by_village = rural_by_village(connection, division.code, start, end, policy)
        zero = dict.fromkeys(RURAL_COLUMNS, 0)
        rows = [TableRow(r.code, r.name, by_village.get(r.code, zero)) for r in refs]
    else:
        rows = [engine_row(ref) for ref in refs]
    total = engine_row(division)
    return TableContext(kind, division, start, end, columns, total, rows, policy.name,
                        **table_extras(connection, kind, total, rows, start, end, policy))


def table_extras(connection: Connection, kind: ReportKind, total: TableRow,
                 rows: list[TableRow], start: dt.date, end: dt.date,
                 policy: Policy) -> dict[str, Any]:
    """Issue 13's additions to a table, from the figures already in it: the employed
    total's as-of date of every row (one query), the targets of the year (one query) and
    the reported figures of the period (one query), and for a rural table the review
    coverage of the total (one query)."""
    with Session(bind=connection) as session:
        return _extras(connection, session, kind, total, rows, start, end, policy)


def _extras(connection: Connection, session: Session, kind: ReportKind, total: TableRow,
            rows: list[TableRow], start: dt.date, end: dt.date,
            policy: Policy) -> dict[str, Any]:
    listed = [total, *rows]
    codes = [row.code for row in listed]
    extras: dict[str, Any] = {}
    if "employed_total" in total.values:
        values = rules.employed_total_values(total.code, end).subquery("employed_total_values")
        found = {code: (as_of, value) for code, value, as_of in connection.execute(
            select(values.c.code, values.c.value, values.c.as_of)
            .where(values.c.code.in_(codes)))}
        extras["as_of"] = {code: _as_of_text(*found.get(code, (None, None))) for code in codes}
    by_code = targets.targets_of(session, codes, end.year)
    if by_code and start.year == end.year:
        extras["targets"] = {
            row.code: {key: p.as_json() for key, p in
                       targets.progress(row.values, by_code[row.code], end).items()
                       if key in total.values}
            for row in listed if row.code in by_code}
        extras["targets"] = {code: t for code, t in extras["targets"].items() if t}
        extras["time_progress"] = str(measures.time_progress(end))
    reported = [(figure, name) for figure, name in targets.reported_of(session, codes, start, end)
                if figure.indicator in total.values]
    if reported:
        extras["reconciliation"] = [r.as_json() | {"name": r.division_name} for r in
                                    targets.reconcile(reported, {row.code: row.values
                                                                 for row in listed})]
    if kind == ReportKind.RURAL:
        coverage = review_coverage(connection, total.code, start, end, policy)
        extras["coverage"] = {"households": coverage.households, "approved": coverage.approved,
                              "share": None if coverage.share is None else str(coverage.share),
                              "basis": coverage.basis}
    return extras


def _as_of_text(as_of, value) -> str | None:
    """An as-of date as printed: the ISO date, "children" for a sum, None for no figure."""
    if value is None:
        return None
    if as_of is None:
        return "children"
    return as_of if isinstance(as_of, str) else as_of.isoformat()
