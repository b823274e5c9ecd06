"""SQL constructs whose spelling differs between SQLite and PostgreSQL.

Each is one ``FunctionElement`` with a ``@compiles`` per dialect, so no query anywhere
branches on the dialect itself; bulk writing (``insert_rows``) picks its method from one
table of writers keyed by dialect and driver.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    insert,
)
from sqlalchemy.dialects.sqlite import base as sqlite_types
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine


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


# --- bulk writing ----------------------------------------------------------------------

BULK_BATCH = 10_000  # rows per executemany
SQLITE_BULK_CACHE_KIB = 2048 * 1024  # SQLite's page cache for a bulk write (``bulk_cache``)


class json_object(FunctionElement):
    """A JSON object built in the database from ``name, value, name, value, ...``: the
    values' own JSON forms (numbers, strings; dates as ISO text, as ``audit.plain`` writes
    them). The names are rendered inline (PostgreSQL cannot type a bound key), so they
    must be plain identifiers; booleans go through ``json_flag``."""

    type = JSON()
    inherit_cache = True
    name = "json_object"


@compiles(json_object, "sqlite")
def _json_object_sqlite(element, compiler, **kw):
    return "json_object(%s)" % _json_pairs(element, compiler, **kw)


@compiles(json_object, "postgresql")
def _json_object_pg(element, compiler, **kw):
    """``row_to_json`` of a one-row subquery whose columns are named by the keys: the same
    object as ``json_build_object(name, value, ...)`` (each value through the same JSON
    conversion, the keys in order), without the spaces around its colons, and made a third
    faster: ``json_build_object``, a variadic function of "any", finds each argument's
    type and its output function anew for every row (the create events of a million
    persons: 6.6 s instead of 8.8 in one ``INSERT ... SELECT``)."""
    columns = ", ".join(f'{value} AS "{key}"'
                        for key, value in _json_items(element, compiler, **kw))
    return f"(SELECT row_to_json(_json_row) FROM (SELECT {columns}) AS _json_row)"


def _json_pairs(element, compiler, **kw) -> str:
    return ", ".join(f"'{key}', {value}" for key, value in _json_items(element, compiler, **kw))


def _json_items(element, compiler, **kw) -> list[tuple[str, str]]:
    """The (name, compiled value) pairs of a ``json_object``."""
    items = []
    clauses = list(element.clauses)
    for name, value in zip(clauses[::2], clauses[1::2]):
        key = name.value
        if not key.isidentifier():
            raise ValueError(f"json_object: {key!r} is not a plain name")
        items.append((key, compiler.process(value, **kw)))
    return items


class json_flag(FunctionElement):
    """A boolean column as a JSON ``true``/``false`` in ``json_object`` (SQLite keeps
    booleans as 0 and 1, which its ``json_object`` writes as numbers)."""

    type = Boolean()
    inherit_cache = True
    name = "json_flag"


@compiles(json_flag, "sqlite")
def _json_flag_sqlite(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return (f"CASE WHEN {arg} IS NULL THEN NULL WHEN {arg} THEN json('true')"
            f" ELSE json('false') END")


@compiles(json_flag, "postgresql")
def _json_flag_pg(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


class key_text(FunctionElement):
    """A key column's value as the text ``audit.plain`` would make of it: dates as
    ``YYYY-MM-DD`` whatever PostgreSQL's ``DateStyle``, numbers in decimal."""

    type = String()
    inherit_cache = True
    name = "key_text"


@compiles(key_text, "sqlite")
def _key_text_sqlite(element, compiler, **kw):
    return "CAST(%s AS TEXT)" % compiler.process(element.clauses, **kw)


@compiles(key_text, "postgresql")
def _key_text_pg(element, compiler, **kw):
    (arg,) = element.clauses
    text = compiler.process(element.clauses, **kw)
    if isinstance(arg.type, Date):
        return f"to_char({text}, 'YYYY-MM-DD')"
    return f"CAST({text} AS TEXT)"


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (mappings with the same keys) into ``table``, each completed with
    ``constants``, as ``conn.execute(insert(table), rows)`` would, only faster.

    Values go through the column types' bind processing exactly as in an ``insert()``; a
    table that needs more than that (a client-side default for an omitted column, a bind
    expression other than the geometry constructor) takes the ordinary ``insert()``.
    PostgreSQL over psycopg receives the rows with ``COPY``: an executemany INSERT there
    is one statement per row. Other databases get one ``executemany`` of the compiled
    ``INSERT`` per batch, without SQLAlchemy's parameter handling for each row, which on
    SQLite cost about as much as the database's own work.
    """
    if not rows:
        return
    constants = dict(constants or {})
    names = [name for name in rows[0] if name not in constants]
    columns = [table.c[name] for name in names + list(constants)]
    if not _plain_insert_possible(table, columns):
        conn.execute(insert(table), [dict(row) | constants for row in rows])
        return
    dialect = conn.dialect
    processors = [_bind_processor(column, dialect) for column in columns]
    constant_values = [
        value if processor is None else processor(value)
        for value, processor in zip(constants.values(), processors[len(names):])
    ]

    def batches(order: Sequence[int]) -> Iterator[Iterator[tuple]]:
        """The rows as tuples of their processed values, the columns in ``order``
        (indexes into ``columns``), ``BULK_BATCH`` rows at a time.

        Made a column at a time: ``map`` with an ``itemgetter`` and the column's
        processor, the columns joined by ``zip``, so no Python function runs per row
        (a per-row function took 5.8 s of a million persons' 2.6 million rows).
        """
        for start in range(0, len(rows), BULK_BATCH):
            chunk = rows[start:start + BULK_BATCH]
            made = []
            for i in order:
                if i >= len(names):
                    made.append(itertools.repeat(constant_values[i - len(names)], len(chunk)))
                    continue
                values = map(operator.itemgetter(names[i]), chunk)
                made.append(values if processors[i] is None else map(processors[i], values))
            yield zip(*made, strict=True)

    writer = _BULK_WRITERS.get((dialect.name, dialect.driver), _executemany)
    writer(conn, table, columns, batches)


def _bind_processor(column: Column, dialect) -> Any:
    """The column type's bind processor; on SQLite, for a date, a faster one of the same
    result. SQLAlchemy's formats each date through a dict of its parts (1.9 s of a
    million persons' import); ``date.isoformat`` writes the same text, its default
    storage format, and anything else still goes to SQLAlchemy's."""
    impl = column.type.dialect_impl(dialect)
    processor = impl.bind_processor(dialect)
    if (isinstance(impl, sqlite_types.DATE)
            and impl._storage_format == sqlite_types.DATE._storage_format):
        date, general = dt.date, processor

        def processor(value):
            return value.isoformat() if type(value) is date else general(value)
    return processor


def _plain_insert_possible(table: Table, columns: list[Column]) -> bool:
    given = {column.key for column in columns}
    for column in table.columns:
        if column.key in given:
            continue
        # Omitted columns must be filled by the database itself (keys, server defaults).
        if column.default is not None:
            return False
    for column in columns:
        has_expression = type(column.type).bind_expression is not TypeEngine.bind_expression
        if has_expression and not isinstance(column.type, Geometry):
            return False
    return True


def _executemany(conn: Connection, table: Table, columns: list[Column], batches) -> None:
    keys = [column.key for column in columns]
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
    if compiled.positiontup is None:  # a driver with named parameters
        for batch in batches(range(len(keys))):
            conn.exec_driver_sql(compiled.string, [dict(zip(keys, row)) for row in batch])
        return
    # The compiled INSERT lists its parameters in the table's column order.
    for batch in batches([keys.index(name) for name in compiled.positiontup]):
        conn.exec_driver_sql(compiled.string, list(batch))


def _copy_psycopg(conn: Connection, table: Table, columns: list[Column], batches) -> None:
    # COPY ... FROM STDIN in text format. Geometry values arrive as the EWKT the bind
    # processor makes of them, which the geometry input function reads as ST_GeomFromEWKT
    # would; every other value is adapted by psycopg as for a bound parameter.
    preparer = conn.dialect.identifier_preparer
    statement = "COPY {} ({}) FROM STDIN".format(
        preparer.format_table(table), ", ".join(preparer.quote(c.name) for c in columns)
    )
    driver_connection = conn.connection.driver_connection
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for batch in batches(range(len(columns))):
                for row in batch:
                    copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as error:
        # As ``conn.execute`` raises it: a broken constraint is SQLAlchemy's IntegrityError.
        raise DBAPIError.instance(statement, None, error,
                                  conn.dialect.loaded_dbapi.Error) from error


def _executemany_sqlite(conn: Connection, table: Table, columns: list[Column], batches) -> None:
    checks = [c for c in table.constraints if isinstance(c, CheckConstraint)]
    # New rows are found by their rowid, above the largest before: not with keys given.
    keyed = any(column.primary_key and isinstance(column.type, Integer) for column in columns)
    if not checks or keyed:
        with bulk_cache(conn):
            _executemany(conn, table, columns, batches)
        return
    name = conn.dialect.identifier_preparer.format_table(table)
    since = conn.exec_driver_sql(f"SELECT max(rowid) FROM {name}").scalar()
    with bulk_cache(conn), _checks_deferred(conn):
        _executemany(conn, table, columns, batches)
    _check_rows(conn, table, checks, since)


@contextlib.contextmanager
def _checks_deferred(conn: Connection) -> Iterator[None]:
    """SQLite's CHECK constraints off while the block inserts; ``_check_rows`` checks
    the new rows after, in one statement.

    SQLite redoes a statement's one-off work each time it is reset, which an executemany
    does for every row: a ``CHECK (x IN ('a', 'b', 'c'))`` (an enumerated column) builds
    its list's look-up table anew per row, which made 780,000 household members take 9.8 s
    instead of 3.4. One SELECT over the new rows builds it once. (The pragma expires the
    prepared statements, so the inserts are compiled without the checks, and after it
    with them again.)
    """
    conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")


def _check_rows(conn: Connection, table: Table, checks: list[CheckConstraint],
                since: int | None) -> None:
    """Raise SQLite's own IntegrityError if a row of ``table`` after rowid ``since``
    breaks one of ``checks`` (false, not null: as a CHECK constraint judges)."""
    name = conn.dialect.identifier_preparer.format_table(table)
    for check in checks:
        condition = check.sqltext.compile(dialect=conn.dialect,
                                          compile_kwargs={"literal_binds": True})
        statement = (f"SELECT rowid FROM {name} WHERE rowid > ? AND NOT ({condition})"
                     f" LIMIT 1")
        broken = conn.exec_driver_sql(statement, (-1 if since is None else since,)).first()
        if broken is not None:
            constraint = check.name or condition
            raise IntegrityError(statement, (since,), sqlite3.IntegrityError(
                f"CHECK constraint failed: {constraint}"))


@contextlib.contextmanager
def indexes_rebuilt(conn: Connection, tables: Sequence[Table]) -> Iterator[RebuiltIndexes]:
    """The secondary indexes of ``tables`` dropped while the block writes and made again,
    as they were, after it; the block is given the tables whose indexes are gone
    (``RebuiltIndexes``: on SQLite it may have a table's indexes made at once, when the
    block has written it).

    Rows inserted in no particular key order update every index entry by entry (on
    SQLite spilling and reading back pages all over the file); building an index afresh
    sorts its keys once. It is all in the writer's transaction: a rollback brings every
    index back. The indexes behind a PRIMARY KEY or UNIQUE constraint stay: they check
    the rows as they come.

    SQLite: the ``CREATE INDEX`` indexes go, and SpatiaLite's INSERT triggers on the
    tables' geometry columns, whose checks are made once after
    (``_geometry_triggers_deferred``); other connections keep reading the last committed
    state, indexes included. PostgreSQL (``_pg_rebuilt``): the indexes no
    constraint owns go, and so do the foreign keys between two of ``tables`` (checked
    row by row on insert, once by a join when added again); that takes the tables' ACCESS
    EXCLUSIVE lock until the commit, so readers of these tables wait for the import. It
    is asked for only when the import more than doubles every one of them, which in
    practice is a first load; if another transaction holds one of them for longer than
    ``REBUILD_LOCK_TIMEOUT_MS``, nothing is dropped and the block gets ``[]``."""
    if not tables:
        yield RebuiltIndexes()
        return
    if conn.dialect.name == "postgresql":
        with _pg_rebuilt(conn, tables) as (rebuilt, build):
            yield RebuiltIndexes(rebuilt, build)
        return
    if conn.dialect.name != "sqlite":
        yield RebuiltIndexes()
        return
    names = tuple(str(table.name) for table in tables)
    # The indexes made again only after the block has written everything (and the
    # geometry checks made), but for those the block has made already.
    with bulk_cache(conn), sqlite_dropped(conn, "index", f"tbl_name IN ({marks(names)})",
                                          names) as dropped, \
            _geometry_triggers_deferred(conn, tables):
        yield RebuiltIndexes(tables, dropped.restore)


class RebuiltIndexes(list):
    """The tables whose indexes ``indexes_rebuilt`` dropped; ``build_now(table)`` makes the
    indexes of one of them at once, once the block has written all it will write to it.

    The pipelined importer has them made (in a thread, on its connection) while it reads
    the next files, instead of after the last one: the index builds run in SQLite's code
    without Python's lock, or in PostgreSQL's server. On PostgreSQL a foreign key between
    two of the tables is made once both are finished (``_PgWaiting``).
    """

    def __init__(self, tables: Sequence[Table] = (),
                 build: Callable[[str], None] | None = None) -> None:
        super().__init__(tables)
        self._build = build

    def build_now(self, table: Table) -> None:
        if self._build is not None and table in self:
            self._build(str(table.name))


def marks(values: Sequence) -> str:
    """One ``?`` per value, for an ``IN (...)`` (``NULL`` for none: matches nothing)."""
    return ", ".join("?" * len(values)) or "NULL"


@contextlib.contextmanager
def sqlite_dropped(conn: Connection, kind: str, condition: str,
                   params: Sequence = ()) -> Iterator[Dropped]:
    """SQLite's ``kind`` objects ("index" or "trigger") that ``condition`` (SQL on
    ``sqlite_master``, with ``params``) picks, dropped while the block runs and created
    again from their own SQL after it; the block gets their names (``Dropped``, which can
    create a table's objects again before the end). An index behind a PRIMARY KEY or
    UNIQUE constraint has no SQL of its own and is never picked. After an exception
    nothing is created: the caller rolls back, which restores them all."""
    if kind not in ("index", "trigger"):
        raise ValueError(f"not a schema object to drop: {kind!r}")
    found = conn.exec_driver_sql(
        f"SELECT name, tbl_name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL"
        f" AND ({condition}) ORDER BY name", (kind, *params)).all()
    quote = conn.dialect.identifier_preparer.quote
    for name, _table, _sql in found:
        conn.exec_driver_sql(f"DROP {kind.upper()} {quote(name)}")
    dropped = Dropped(conn, found)
    yield dropped
    dropped.restore()


class Dropped(list):
    """The names of the objects ``sqlite_dropped`` dropped; ``restore(table)`` creates
    those of one table again at once (and the end of the block does not)."""

    def __init__(self, conn: Connection, found: Sequence[tuple[str, str, str]]) -> None:
        super().__init__(name for name, _table, _sql in found)
        self._conn = conn
        self._waiting = list(found)

    def restore(self, table: str | None = None) -> None:
        """Create again the objects of ``table`` (default: all) not yet created."""
        now = [item for item in self._waiting if table is None or item[1] == table]
        self._waiting = [item for item in self._waiting if item not in now]
        for _name, _table, sql in now:
            self._conn.exec_driver_sql(sql)


@contextlib.contextmanager
def _geometry_triggers_deferred(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """SpatiaLite's INSERT triggers on the geometry columns of ``tables`` dropped while
    the block writes; their work done once for all the new rows after it.

    For each geometry column SpatiaLite has a trigger that checks a new row's geometry
    type and SRID (``ggi_``: a look-up in ``geometry_columns`` per row) and one that
    stamps ``geometry_columns_time`` (``tmi_``: an UPDATE per row): 3.5 of the 8.5 s that
    330,000 households took. After the block, one query applies the same check to every
    row added (rowid above the largest before) and one UPDATE stamps the time; then the
    triggers are created again as they were. The UPDATE trigger stays throughout.
    """
    preparer = conn.dialect.identifier_preparer
    spatial = [(table, column) for table in tables for column in table.columns
               if isinstance(column.type, Geometry)]
    names = tuple(f"{prefix}_{table.name}_{column.name}"
                  for table, column in spatial for prefix in ("ggi", "tmi"))
    since = {table: conn.exec_driver_sql(
        f"SELECT max(rowid) FROM {preparer.format_table(table)}").scalar()
        for table in {table for table, _ in spatial}}
    with sqlite_dropped(conn, "trigger", f"name IN ({marks(names)})", names) as dropped:
        yield
        for table, column in spatial if dropped else ():
            found = {"table": str(table.name), "column": str(column.name),
                     "since": -1 if since[table] is None else since[table]}
            # The condition of SpatiaLite's ggi_ trigger, for every new row at once.
            broken = conn.exec_driver_sql(
                f"SELECT rowid FROM {preparer.format_table(table)} AS new"
                f" WHERE rowid > :since AND (SELECT geometry_type FROM geometry_columns"
                f" WHERE Lower(f_table_name) = Lower(:table)"
                f" AND Lower(f_geometry_column) = Lower(:column)"
                f" AND GeometryConstraints(new.{preparer.quote(column.name)}, geometry_type,"
                f" srid) = 1) IS NULL LIMIT 1", found).first()
            if broken is not None:
                raise IntegrityError("ggi", found, sqlite3.IntegrityError(
                    f"{table.name}.{column.name} violates Geometry constraint"
                    f" [geom-type or SRID not allowed]"))
            conn.exec_driver_sql(
                "UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ',"
                " 'now') WHERE Lower(f_table_name) = Lower(:table)"
                " AND Lower(f_geometry_column) = Lower(:column)"
                " AND EXISTS (SELECT 1 FROM {} WHERE rowid > :since)".format(
                    preparer.format_table(table)), found)


# How long a PostgreSQL import waits for the tables' exclusive lock before it writes with
# their indexes in place (``indexes_rebuilt``).
REBUILD_LOCK_TIMEOUT_MS = 2_000
# Sort memory for building the indexes again (PostgreSQL's default is 64 MB).
REBUILD_MAINTENANCE_MEM = "256MB"

_PG_INDEXES = """
    SELECT CAST(i.indrelid AS regclass)::text, CAST(i.indexrelid AS regclass)::text,
           pg_get_indexdef(i.indexrelid)
    FROM pg_index AS i
    WHERE i.indrelid = ANY(CAST(%(tables)s AS regclass[])) AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
    ORDER BY 1"""
_PG_FOREIGN_KEYS = """
    SELECT CAST(c.conrelid AS regclass)::text, CAST(c.confrelid AS regclass)::text,
           quote_ident(c.conname), pg_get_constraintdef(c.oid)
    FROM pg_constraint AS c
    WHERE c.contype = 'f' AND c.conrelid = ANY(CAST(%(tables)s AS regclass[]))
      AND c.confrelid = ANY(CAST(%(tables)s AS regclass[]))
    ORDER BY 1, 2"""


@contextlib.contextmanager
def _pg_rebuilt(conn: Connection, tables: Sequence[Table]) -> Iterator[list[Table]]:
    preparer = conn.dialect.identifier_preparer
    names = sorted(preparer.format_table(table) for table in tables)
    listed = {"tables": names}
    previous = conn.exec_driver_sql("SELECT current_setting('lock_timeout')").scalar_one()
    conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, true)",
                         (f"{REBUILD_LOCK_TIMEOUT_MS}ms",))
    savepoint = conn.begin_nested()
    try:
        # All the locks at once, in one order: no deadlock with another such import.
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE")
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        savepoint.rollback()
        conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, true)", (previous,))
        yield [], None
        return
    savepoint.commit()
    conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, true)", (previous,))
    indexes = conn.exec_driver_sql(_PG_INDEXES, listed).all()
    keys = conn.exec_driver_sql(_PG_FOREIGN_KEYS, listed).all()
    for table, _referred, name, _definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for _table, name, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    # After an exception the caller rolls back, which restores them.
    waiting = _PgWaiting(conn, indexes, keys,
                         {str(table.name): preparer.format_table(table) for table in tables})
    yield list(tables), waiting.build
    waiting.build()


class _PgWaiting:
    """The indexes and foreign keys ``_pg_rebuilt`` dropped and has not made again yet.

    ``build(table)`` makes those of ``table`` (its name), which the caller has finished
    writing: its indexes, and each foreign key both of whose tables are finished (a
    key is checked by one join of the two); ``build()`` makes all that are left."""

    def __init__(self, conn: Connection, indexes, keys, formatted: dict[str, str]) -> None:
        self._conn = conn
        self._indexes = list(indexes)
        self._keys = list(keys)
        self._formatted = formatted
        self._finished: set[str] = set()

    def build(self, table: str | None = None) -> None:
        if table is None:
            indexes, keys = self._indexes, self._keys
        else:
            self._finished.add(self._formatted.get(table, table))
            indexes = [item for item in self._indexes if item[0] in self._finished]
            keys = [item for item in self._keys
                    if item[0] in self._finished and item[1] in self._finished]
        if not indexes and not keys:
            return
        self._indexes = [item for item in self._indexes if item not in indexes]
        self._keys = [item for item in self._keys if item not in keys]
        conn = self._conn
        memory = conn.exec_driver_sql(
            "SELECT current_setting('maintenance_work_mem')").scalar_one()
        conn.exec_driver_sql("SELECT set_config('maintenance_work_mem', %s, true)",
                             (REBUILD_MAINTENANCE_MEM,))
        for _table, _name, definition in indexes:
            conn.exec_driver_sql(definition)
        for table, _referred, name, definition in keys:  # checked in one pass each
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        conn.exec_driver_sql("SELECT set_config('maintenance_work_mem', %s, true)", (memory,))


@contextlib.contextmanager
def bulk_cache(conn: Connection) -> Iterator[None]:
    """SQLite's page cache at ``SQLITE_BULK_CACHE_KIB`` while the block runs (elsewhere
    nothing).

    SQLite's default page cache is 2 MiB. Inserting a million rows in no particular key
    order touches index pages all over the file, and with the small cache each touch is a
    read, and often a spill of a dirty page to the WAL: a larger cache for the bulk insert
    took a million persons from 28 s to 17 s. The importer holds it for the whole import
    (a million persons write 1.25 GB, held until the commit): shrunk back between tables,
    the cache wrote its dirty pages out each time, and the audit events' INSERT ... SELECT
    ran in 2 MiB (the merge took 43 s instead of 60). The cache grows only as pages are
    used, and the memory is given back after.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")


def streams_rows(conn: Connection) -> bool:
    """Whether ``insert_rows`` streams its rows to the database server (COPY), which then
    stores them while the caller makes the next ones."""
    dialect = conn.dialect
    return (dialect.name, dialect.driver) in _STREAMING_WRITERS


_STREAMING_WRITERS = {("postgresql", "psycopg")}
_BULK_WRITERS = {
    ("postgresql", "psycopg"): _copy_psycopg,
    ("sqlite", "pysqlite"): _executemany_sqlite,
}
