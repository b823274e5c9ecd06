"""A scan's working tables: every rule's rows, then one row per finding, built in SQL.

``collect`` runs each rule's statement as ``INSERT ... SELECT`` into the temporary table
``quality_scan_rows`` and folds those rows into ``quality_scan_found``, one row per finding
with the columns ``quality_findings`` stores (first record, division, scope, the records
and figures as JSON). ``operations.scan`` compares that table with the stored findings in
SQL; no finding passes through Python on its way to storage (at 150,000 findings the
per-finding Python cost more than the rules themselves).

The temporary tables live per connection (both databases), are created on first use and
emptied at the start and end of each collection.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    delete,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from field_app.quality.rules import COLUMNS, Rule, Settings

# Not in ``Base.metadata``: no migration creates them and no model compares with them.
scratch = MetaData()

rows_table = Table(
    "quality_scan_rows", scratch,
    Column("rule", String(40)),
    Column("rule_no", Integer),  # the rule's place in the catalogue
    Column("severity", String(10)),
    Column("subject", String(200)),
    Column("ord", Integer),
    Column("division_code", String(12)),
    Column("file", String(40)),
    Column("record_id", Integer),
    Column("record_key", Text),
    Column("n1", Float),
    Column("n2", Float),
    Column("label", Text),
    prefixes=["TEMPORARY"],
)

found_table = Table(
    "quality_scan_found", scratch,
    Column("rule", String(40)),
    Column("rule_no", Integer),
    Column("severity", String(10)),
    Column("subject", String(200)),
    Column("division_code", String(12)),
    Column("scope_code", String(12)),
    Column("record_file", String(40)),
    Column("record_key", String(200)),
    Column("record_id", Integer),
    Column("records", JSON),
    Column("params", JSON),
    prefixes=["TEMPORARY"],
)
_found_key = Index("ix_quality_scan_found_key", found_table.c.rule, found_table.c.subject)


# --- JSON built by the database --------------------------------------------------------------
# SQLite's JSON1 and PostgreSQL's json functions do the same things under other names.

class json_object(FunctionElement):
    """``json_object(k1, v1, ...)``; keys are given as Python strings."""

    type = JSON()
    inherit_cache = True
    name = "json_object"


def _pairs(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(json_object, "sqlite")
def _json_object_sqlite(element, compiler, **kw):
    return f"json_object({_pairs(element, compiler, **kw)})"


@compiles(json_object, "postgresql")
def _json_object_pg(element, compiler, **kw):
    return f"json_build_object({_pairs(element, compiler, **kw)})"


class json_array_agg(FunctionElement):
    """The JSON array of an expression's values; as a window function over a full frame,
    in the window's order on both databases."""

    type = JSON()
    inherit_cache = True
    name = "json_array_agg"


@compiles(json_array_agg, "sqlite")
def _json_array_agg_sqlite(element, compiler, **kw):
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(json_array_agg, "postgresql")
def _json_array_agg_pg(element, compiler, **kw):
    return f"json_agg({compiler.process(element.clauses, **kw)})"


class json_without_nulls(FunctionElement):
    """A JSON object without its null members (an RFC 7396 merge patch drops them)."""

    type = JSON()
    inherit_cache = True
    name = "json_without_nulls"


@compiles(json_without_nulls, "sqlite")
def _json_without_nulls_sqlite(element, compiler, **kw):
    return f"json_patch('{{}}', {compiler.process(element.clauses, **kw)})"


@compiles(json_without_nulls, "postgresql")
def _json_without_nulls_pg(element, compiler, **kw):
    return f"json_strip_nulls({compiler.process(element.clauses, **kw)})"


def _object(**members: ColumnElement) -> json_object:
    arguments: list[ColumnElement] = []
    for key, value in members.items():
        arguments += [literal_column(f"'{key}'"), value]  # keys are identifiers of ours
    return json_object(*arguments)


# --- the scope: the lowest division holding every record -------------------------------------

def scope_code(first, low, high) -> ColumnElement[str]:
    """``operations.lowest_common_division`` in SQL: ``first`` is the first record's
    division, ``low`` and ``high`` the least and greatest division code of the finding's
    records (codes sharing a prefix with both share it with every code between). A level
    counts only where ``first``'s ancestor there is a division of that level."""

    def same(length: int):
        return func.substr(low, 1, length) == func.substr(high, 1, length)

    def nonzero(start: int, length: int):
        return func.substr(first, start, length) != "0" * length

    def ancestor(length: int):
        return func.substr(first, 1, length, type_=String) + literal("0" * (12 - length))

    return case(
        (and_(low == high, nonzero(10, 3)), first),
        (and_(same(9), nonzero(7, 3)), ancestor(9)),
        (and_(same(6), nonzero(5, 2)), ancestor(6)),
        (and_(same(4), nonzero(3, 2)), ancestor(4)),
        else_=ancestor(2),
    )


# --- collecting ----------------------------------------------------------------------------

def _prepare(connection: Connection) -> None:
    for table in (rows_table, found_table):
        connection.execute(CreateTable(table, if_not_exists=True))
        connection.execute(delete(table))
    connection.execute(CreateIndex(_found_key, if_not_exists=True))


def clear(connection: Connection) -> None:
    """Empty the working tables (they outlive the transaction on a pooled connection)."""
    for table in (rows_table, found_table):
        connection.execute(delete(table))


def _fill_rows(connection: Connection, rules: Sequence[tuple[int, Rule]], division: str,
               start: dt.date, end: dt.date, settings: Settings) -> None:
    names = ["rule", "rule_no", "severity", *COLUMNS]
    for number, rule in rules:
        statement = rule.build(division, start, end, settings).subquery("rule_rows")
        connection.execute(rows_table.insert().from_select(names, select(
            literal(rule.code, String), literal(number, Integer),
            literal(str(rule.severity), String), *(statement.c[name] for name in COLUMNS))))


def _fold(connection: Connection) -> None:
    """One row per (rule, subject): the first record by ``(ord, file, record_id)`` gives the
    division, the stored record columns and the figures; every record goes into
    ``records`` in that order."""
    r = rows_table
    window = {"partition_by": (r.c.rule_no, r.c.subject),
              "order_by": (r.c.ord, r.c.file, r.c.record_id)}
    whole = {**window, "rows": (None, None)}  # one window definition: one sort
    ranked = select(
        r.c.rule, r.c.rule_no, r.c.severity, r.c.subject, r.c.division_code, r.c.file,
        r.c.record_id, r.c.record_key, r.c.n1, r.c.n2, r.c.label,
        func.row_number().over(**window).label("rn"),
        json_array_agg(_object(file=r.c.file, key=r.c.record_key, id=r.c.record_id,
                               division=r.c.division_code)).over(**whole).label("records"),
        func.min(r.c.division_code).over(**whole).label("low"),
        func.max(r.c.division_code).over(**whole).label("high"),
    ).subquery("ranked")
    params = json_without_nulls(_object(n1=ranked.c.n1, n2=ranked.c.n2, label=ranked.c.label))
    connection.execute(found_table.insert().from_select(
        ["rule", "rule_no", "severity", "subject", "division_code", "scope_code",
         "record_file", "record_key", "record_id", "records", "params"],
        select(ranked.c.rule, ranked.c.rule_no, ranked.c.severity, ranked.c.subject,
               ranked.c.division_code,
               scope_code(ranked.c.division_code, ranked.c.low, ranked.c.high),
               ranked.c.file, func.substr(ranked.c.record_key, 1, 200, type_=String),
               ranked.c.record_id, ranked.c.records, params)
        .where(ranked.c.rn == 1)))


def collect(connection: Connection, rules: Sequence[Rule], division: str, start: dt.date,
            end: dt.date, settings: Settings) -> None:
    """Fill ``quality_scan_found`` with the findings of ``rules`` (numbered in the given
    order) for ``division``'s subtree and ``[start, end]``."""
    _prepare(connection)
    _fill_rows(connection, list(enumerate(rules)), division, start, end, settings)
    _fold(connection)
    connection.execute(delete(rows_table))
