"""Write a checked data set: all or nothing, idempotent, set-based.

``import_dataset`` checks the whole data set first (``reader.read_dataset``, with a scope
``scope.scope_faults``, and always the period locks, ``scope.lock_faults``); with any fault
it returns the faults and writes nothing. Otherwise
each file is merged into its table by natural key: new keys are inserted in bulk
(``core.sql.insert_rows``: COPY on PostgreSQL), changed rows are updated with one
executemany UPDATE, identical rows are left alone, so a second import of the same data set
changes nothing. Tables that a large import changed are analysed for the planner. The
caller commits (or rolls back) once.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, text, update

from field_app.audit.actor import Actor, operator_actor
from field_app.audit.operations import plain, record_many
from field_app.core.clock import clock
from field_app.core.sql import insert_rows
from field_app.divisions.models import Division
from field_app.exchange.checks import head_faults
from field_app.exchange.files import FILES
from field_app.exchange.lookups import chunks, fetch_map, rows_with_keys
from field_app.exchange.reader import Dataset, RowError, read_dataset
from field_app.exchange.scope import lock_faults, scope_faults
from field_app.exchange.targets import TARGETS, Lookups, Target, normalise
from field_app.households.models import Household, Person


@dataclasses.dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclasses.dataclass
class ImportResult:
    errors: list[RowError]
    counts: dict[str, Counts]

    @property
    def ok(self) -> bool:
        return not self.errors


_EXISTING_KEY = {
    "persons.csv": (Person.__table__, "id_number"),
    "divisions.csv": (Division.__table__, "code"),
    "households.csv": (Household.__table__, "code"),
}


def existing_keys_in(conn: Connection) -> Callable[[str, set], set]:
    def existing_keys(filename: str, keys: set) -> set:
        table, column = _EXISTING_KEY[filename]
        return set(fetch_map(conn, table, column, column, keys))

    return existing_keys


def plain_text(value: Any) -> str:
    return str(plain(value))


def _division_of(record: dict[str, Any]) -> str | None:
    return record.get("division_code") or record.get("village_code") or record.get("code")


def merge(conn: Connection, target: Target, records: list[dict[str, Any]], *,
          actor: Actor, now: dt.datetime, provenance: dict[str, Any] | None = None) -> Counts:
    """Insert new natural keys, update changed rows, leave identical rows alone.

    Every inserted row gets a ``create`` audit event (keyed by its natural key, with its
    values) and every changed row an ``update`` event with the values before and after,
    written in bulk beside the data. ``provenance`` (column: value, for the columns the
    table has) is written on the rows inserted or changed, never compared: a row the data
    set leaves as it was keeps the provenance it had.
    """
    actor_id = actor.user_id
    table = target.table
    pk = next(iter(table.primary_key.columns))
    names = list(records[0]) if records else []
    read_cols = [target.read_as.get(name, table.c.get(name)).label(name) for name in names]
    existing: dict[Any, Any] = {}
    first = target.key[0]
    query = select(pk.label("_pk"), *read_cols)
    wanted = {record[first] for record in records}
    for found in rows_with_keys(conn, table, query, first, wanted):
        row = found._mapping
        existing[tuple(row[k] for k in target.key)] = row

    counts = Counts()
    inserts, updates, events = [], [], []
    kind = table.name
    for record in records:
        key = tuple(record[k] for k in target.key)
        found = existing.get(key)
        if found is None:
            inserts.append(record)
            events.append({"action": "create", "target_id": "|".join(map(plain_text, key)),
                           "division_code": _division_of(record) or actor.division_code,
                           # The engine's JSON serialiser writes dates and enums itself.
                           "before": None, "after": dict(record)})
            continue
        changed = [name for name in names if normalise(found[name]) != record[name]]
        if changed:
            updates.append(record | {"_pk": found["_pk"]})
            events.append({"action": "update", "target_id": str(found["_pk"]),
                           "division_code": _division_of(record) or actor.division_code,
                           "before": {name: plain(found[name]) for name in changed},
                           "after": {name: plain(record[name]) for name in changed}})
        else:
            counts.unchanged += 1
    write = target.write_as or (lambda record: record)
    marks = {name: value for name, value in (provenance or {}).items() if name in table.c}
    stamp = {"created_at": now, "updated_at": now, "created_by_id": actor_id,
             "updated_by_id": actor_id} | marks
    if inserts:
        if target.order:
            inserts.sort(key=target.order)
        if target.write_as is not None:  # it changes the record in place: give it a copy
            inserts = [write(dict(record)) for record in inserts]
        insert_rows(conn, table, inserts, stamp)
        counts.inserted = len(inserts)
    if updates:
        written = [write(dict(record)) for record in updates]
        columns = [name for name in written[0] if name != "_pk"]
        # Records a phone may edit offline carry a version: an import moves it on, so a
        # change made on the old version is answered as a conflict, not silently applied.
        versioned = {"version": table.c.version + 1} if "version" in table.c else {}
        statement = (
            update(table)
            .where(pk == bindparam("b__pk"))
            .values({name: bindparam(f"b_{name}") for name in columns}
                    | {"updated_at": now, "updated_by_id": actor_id} | marks | versioned)
        )
        for chunk in chunks(written):
            conn.execute(statement, [{f"b_{k}": v for k, v in record.items()} for record in chunk])
        counts.updated = len(updates)
    record_many(conn, events, actor=actor, target_type=kind, note="import")
    return counts


def import_dataset(conn: Connection, directory: Path, *, actor: Actor | None = None,
                   scope: str | None = None,
                   rule: Callable[[Dataset], Iterable[RowError]] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   provenance: dict[str, Any] | None = None) -> ImportResult:
    """Check the whole data set in ``directory``, then merge it; never half-writes.

    With any fault, returns every fault and writes nothing. ``actor`` (default: the
    operating-system user) is who the audit log names for every row written. ``scope``, a
    division code, confines the import to that subtree (``scope.scope_faults``): every
    import started from the web passes the uploader's division; the command line passes
    none and may write anywhere. ``rule`` adds the caller's own faults, found in the parsed
    data set (the desk's upload takes persons only with their attrition rows).
    ``progress(done, total)`` is told of each step: each file read, the checks, each file
    merged. ``provenance`` marks the rows inserted or changed (``merge``): a partner
    channel's batch. The caller commits.
    """
    actor = actor or operator_actor()
    report = progress or (lambda done, total: None)
    present = sum((Path(directory) / spec.filename).is_file() for spec in FILES)
    steps, done = 2 * present + 1, 0

    def step(*_args) -> None:
        nonlocal done
        done += 1
        report(done, steps)

    with _collector_paused():
        dataset: Dataset = read_dataset(Path(directory), existing_keys_in(conn), step)
        if scope is not None:
            dataset.errors.extend(scope_faults(conn, dataset, scope))
        if rule is not None:
            dataset.errors.extend(rule(dataset))
        dataset.errors.extend(head_faults(conn, dataset))
        # Rows that would change a locked period: the ORM's check does not see Core writes.
        dataset.errors.extend(lock_faults(conn, dataset))
        if dataset.errors:
            return ImportResult(sorted(dataset.errors, key=lambda e: (e.file, e.line)), {})
        step()
        now = clock.now()
        lookups = Lookups()
        counts: dict[str, Counts] = {}
        for filename, target in TARGETS.items():
            parsed = dataset.files.get(filename)
            if parsed is None:
                continue
            if filename == "household_members.csv":
                lookups.household_ids = fetch_map(
                    conn, Household.__table__, "code", "id",
                    {row["household_code"] for row in parsed.rows})
            if "id_number" in parsed.spec.column_names and filename != "persons.csv":
                missing = {row["id_number"] for row in parsed.rows} - lookups.person_ids.keys()
                if missing:
                    # persons.csv is merged first, so the ids of the persons of every file
                    # still to come are known now: one look-up (often one pass over the
                    # table) instead of one per file.
                    missing = _id_numbers_from(dataset, filename) - lookups.person_ids.keys()
                    lookups.person_ids |= fetch_map(
                        conn, Person.__table__, "id_number", "id", missing)
            records = [target.to_record(row, lookups) for row in parsed.rows]
            counts[filename] = merge(conn, target, records, actor=actor, now=now,
                                     provenance=provenance)
            step()
        analyze_after_import(conn, [TARGETS[name].table for name, c in counts.items()
                                    if c.inserted + c.updated >= ANALYZE_MIN_ROWS])
    return ImportResult([], counts)


def _id_numbers_from(dataset: Dataset, filename: str) -> set[str]:
    """The ID numbers in ``filename`` and the files merged after it."""
    names = list(TARGETS)
    wanted: set[str] = set()
    for name in names[names.index(filename):]:
        parsed = dataset.files.get(name)
        if parsed is not None and "id_number" in parsed.spec.column_names:
            wanted.update(row["id_number"] for row in parsed.rows)
    return wanted


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cycle collector while an import builds its rows.

    A large data set is millions of small dicts and tuples, none of them in a cycle; the
    collector would traverse all of them again and again as they accumulate (2 of the 15 s
    it took to read the 2.6 million rows of a million persons). Whatever cycles arise
    meanwhile are collected once it runs again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# A table that gained or changed this many rows gets fresh planner statistics.
ANALYZE_MIN_ROWS = 10_000


def analyze_after_import(conn: Connection, tables: list[Table]) -> None:
    """``ANALYZE`` the tables a large import changed, in the import's transaction.

    SQLite has no statistics until told, and PostgreSQL's autovacuum gathers them only some
    time after the commit, while the indicator queries right after a bulk import are
    planned on them.
    """
    preparer = conn.dialect.identifier_preparer
    for table in tables:
        conn.execute(text(f"ANALYZE {preparer.format_table(table)}"))
