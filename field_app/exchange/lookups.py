"""Finding the database rows an import touches, by natural key, in bulk.

Shared by the importer (which merges) and the scope check (which refuses rows reaching
outside the uploader's jurisdiction): both look rows up the same cheapest way.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from sqlalchemy import Connection, Row, Select, Table, func, select

CHUNK = 5000


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]



# Past this many wanted keys, counting the table's rows (one query) is worth it to choose
# between IN lookups and one pass over the table.
SCAN_MIN_KEYS = 20_000
# One pass over the table instead of IN lookups when the wanted keys are at least a quarter
# of its rows: reading a row in order costs a fraction of an index probe, and a first import
# of a million persons would otherwise spend 200 round trips finding nothing.
SCAN_SHARE = 4


def rows_with_keys(conn: Connection, table: Table, query: Select, column: str,
                   wanted: Collection) -> Iterator[Row]:
    """The rows of ``query`` (a SELECT from ``table`` with ``column`` among its columns)
    whose ``column`` is in ``wanted``, found the cheapest way: none when the table is empty,
    one streamed pass over the table when ``wanted`` is large, else IN lookups by chunk."""
    if not wanted:
        return
    if conn.execute(select(table.c[column]).limit(1)).first() is None:
        return
    if len(wanted) >= SCAN_MIN_KEYS:
        size = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if len(wanted) * SCAN_SHARE >= size:
            wanted = wanted if isinstance(wanted, (set, frozenset)) else set(wanted)
            position = list(query.selected_columns.keys()).index(column)
            streamed = conn.execute(query, execution_options={"yield_per": CHUNK * 4})
            for row in streamed:
                if row[position] in wanted:
                    yield row
            return
    for chunk in chunks(list(wanted)):
        yield from conn.execute(query.where(table.c[column].in_(chunk)))


def fetch_map(conn: Connection, table: Table, key: str, value: str, wanted: Iterable) -> dict:
    """``{key: value}`` for the rows of ``table`` whose ``key`` is in ``wanted``."""
    wanted = wanted if isinstance(wanted, (set, frozenset)) else set(wanted)
    query = select(table.c[key], table.c[value])
    return dict(rows_with_keys(conn, table, query, key, wanted))


