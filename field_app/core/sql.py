"""SQL constructs whose spelling differs between SQLite and PostgreSQL.

Each is one ``FunctionElement`` with a ``@compiles`` per dialect, so no query anywhere
branches on the dialect itself.
"""
from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class date_key(FunctionElement):
    """A date as the integer ``yyyymmdd``.

    Completed years compare exactly on it: a person born on B has completed n years on D
    when ``key(B) + n * 10000 <= key(D)``, which also gives 29 February birthdays their
    anniversary on 1 March in common years, as the spec requires.
    """

    type = Integer()
    inherit_cache = True
    name = "date_key"


@compiles(date_key, "sqlite")
def _date_key_sqlite(element, compiler, **kw):
    return "CAST(strftime('%%Y%%m%%d', %s) AS INTEGER)" % compiler.process(element.clauses, **kw)


@compiles(date_key, "postgresql")
def _date_key_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(date_part('year', {arg}) AS INTEGER) * 10000"
        f" + CAST(date_part('month', {arg}) AS INTEGER) * 100"
        f" + CAST(date_part('day', {arg}) AS INTEGER))"
    )


class day_number(FunctionElement):
    """A date as the integer count of days since 1970-01-01 (for day arithmetic)."""

    type = Integer()
    inherit_cache = True
    name = "day_number"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return "CAST(julianday(%s) - 2440587.5 AS INTEGER)" % compiler.process(element.clauses, **kw)


@compiles(day_number, "postgresql")
def _day_number_pg(element, compiler, **kw):
    return "(%s - DATE '1970-01-01')" % compiler.process(element.clauses, **kw)
