"""Write a checked data set: all or nothing, idempotent, set-based.

``import_dataset`` checks the whole data set first (``reader.read_dataset``, with a scope
``scope.scope_faults``, and always the period locks, ``scope.lock_faults``); with any fault
it returns the faults and writes nothing. Otherwise
each file is merged into its table by natural key: new keys are inserted in bulk
(``core.sql.insert_rows``: COPY on PostgreSQL), changed rows are updated with one
executemany UPDATE, identical rows are left alone, so a second import of the same data set
changes nothing. A table the import more than doubles is written without its secondary
indexes (and, on PostgreSQL, the foreign keys between such tables), built again at the end
(``_bulk_tables``, ``core.sql.indexes_rebuilt``). Tables that a large import changed are
analysed for the planner. On SQLite the figure cache's per-row triggers are paused while
the importer writes (dropped, on the tables it more than doubles), and the codes they
would log are logged once at the end (``_FigureLog``); the page cache is large for the
whole import (``core.sql.bulk_cache``). The caller commits (or rolls back) once.

A large data set (``PIPELINE_MIN_ROWS``) is written while it is read
(``_import_while_reading``): each file is checked and merged as soon as it is read, against
the database as it was before the import (a second connection, ``_view_before``), and on
any fault everything is rolled back to a savepoint; the faults and the rows written are
those of the sequential import.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import gc
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
    text,
    update,
)

from field_app.audit.actor import Actor, operator_actor
from field_app.audit.models import AuditEvent
from field_app.audit.operations import plain, record_inserted, record_many
from field_app.core.clock import clock
from field_app.core.database import READING_ONLY, checkpoint_later
from field_app.core.sql import (
    bulk_cache,
    indexes_rebuilt,
    insert_rows,
    json_flag,
    json_object,
    key_text,
    marks,
    sqlite_dropped,
    streams_rows,
)
from field_app.divisions.models import Division
from field_app.exchange.checks import head_faults
from field_app.exchange.files import FILES
from field_app.exchange.lookups import chunks, fetch_map, rows_with_keys
from field_app.exchange.reader import (
    Dataset,
    ParsedFile,
    RowError,
    check_references,
    check_village_levels,
    dataset_directory,
    read_dataset,
    read_file,
)
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


def _division_of(record: dict[str, Any]) -> str | None:
    return record.get("division_code") or record.get("village_code") or record.get("code")


# The columns ``_division_of`` looks at, in its order.
_DIVISION_COLUMNS = ("division_code", "village_code", "code")


def _key_getter(key: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple]:
    """``tuple(record[k] for k in key)``, without a generator per record."""
    if len(key) == 1:
        name = key[0]
        return lambda record: (record[name],)
    return operator.itemgetter(*key)


def merge(conn: Connection, target: Target, records: list[dict[str, Any]], *,
          actor: Actor, now: dt.datetime, provenance: dict[str, Any] | None = None,
          written: Callable[[list[dict[str, Any]], list[tuple[dict[str, Any], Any, list[str]]]],
                            None] | None = None, events_listed: bool = True,
          later: Callable[[Callable[[], None]], None] | None = None,
          numbered: dict[Any, int] | None = None) -> Counts:
    """Insert new natural keys, update changed rows, leave identical rows alone.

    Every inserted row gets a ``create`` audit event (keyed by its natural key, with its
    values) and every changed row an ``update`` event with the values before and after,
    written in bulk beside the data. ``provenance`` (column: value, for the columns the
    table has) is written on the rows inserted or changed, never compared: a row the data
    set leaves as it was keeps the provenance it had. ``written(inserted, updated)``, if
    given, is told the records inserted and, for each changed row, (record, the row as it
    was, the names of the changed columns). The ``create`` events are built by the
    database (``audit.operations.record_inserted``), or, with ``events_listed`` and where
    the rows are streamed to the server, listed in Python beside them. ``later(work)``, if
    given, is handed that writing of the ``create`` events instead of it being done here
    (``_InBackground``: the importer reads on meanwhile). ``numbered``, if given, gets
    the key (of a one-column natural key) and the id of every row inserted, where the
    database numbered them in the order written (``_numbered``).
    """
    actor_id = actor.user_id
    table = target.table
    pk = next(iter(table.primary_key.columns))
    names = list(records[0]) if records else []
    read_cols = [target.read_as.get(name, table.c.get(name)).label(name) for name in names]
    existing: dict[Any, Any] = {}
    first = target.key[0]
    query = select(pk.label("_pk"), *read_cols)
    wanted = set(map(operator.itemgetter(first), records))
    for found in rows_with_keys(conn, table, query, first, wanted):
        row = found._mapping
        existing[tuple(row[k] for k in target.key)] = row

    counts = Counts()
    inserts, updates, events, changes = [], [], [], []
    # A plain str: the table's name is a str subclass, which sqlite3 adapts anew per row.
    kind = str(table.name)
    key_of = _key_getter(target.key)
    if not existing:  # none of these keys is stored: every record is new
        inserts = list(records)
    else:
        for record in records:
            key = key_of(record)
            found = existing.get(key)
            if found is None:
                inserts.append(record)
                continue
            changed = [name for name in names if normalise(found[name]) != record[name]]
            if changed:
                updates.append(record | {"_pk": found["_pk"]})
                if written is not None:
                    changes.append((record, found, changed))
                events.append({"action": "update", "target_id": str(found["_pk"]),
                               "division_code": _division_of(record) or actor.division_code,
                               "before": {name: plain(found[name]) for name in changed},
                               "after": {name: plain(record[name]) for name in changed}})
            else:
                counts.unchanged += 1
    if written is not None:
        written(inserts, changes)
    write = target.write_as or (lambda record: record)
    marks = {name: value for name, value in (provenance or {}).items() if name in table.c}
    stamp = {"created_at": now, "updated_at": now, "created_by_id": actor_id,
             "updated_by_id": actor_id} | marks
    if inserts:
        if target.order:
            inserts.sort(key=target.order)
        elif target.postgresql_order and conn.dialect.name == "postgresql":
            inserts.sort(key=target.postgresql_order)
        created = inserts  # as read, before ``write_as``: the events' values
        if target.write_as is not None:  # it changes the record in place: give it a copy
            inserts = [write(dict(record)) for record in inserts]
        # A serial key narrows the events' query to the new rows (divisions have a code).
        since = (conn.execute(select(func.max(pk))).scalar()
                 if isinstance(pk.type, Integer) else None)
        insert_rows(conn, table, inserts, stamp)
        counts.inserted = len(inserts)
        if numbered is not None and len(target.key) == 1:
            numbered.update(_numbered(conn, pk, since, map(operator.itemgetter(first),
                                                           created), len(created)))
        created_events = functools.partial(
            record_inserted, conn, _created_events(target, names, since=since, now=now,
                                                   actor=actor),
            listed=(lambda: _created_list(target, created, actor)) if events_listed else None,
            actor=actor, target_type=kind, note="import")
        (later or _at_once)(created_events)
    if updates:
        changed_rows = [write(dict(record)) for record in updates]
        columns = [name for name in changed_rows[0] if name != "_pk"]
        # Records a phone may edit offline carry a version: an import moves it on, so a
        # change made on the old version is answered as a conflict, not silently applied.
        versioned = {"version": table.c.version + 1} if "version" in table.c else {}
        statement = (
            update(table)
            .where(pk == bindparam("b__pk"))
            .values({name: bindparam(f"b_{name}") for name in columns}
                    | {"updated_at": now, "updated_by_id": actor_id} | marks | versioned)
        )
        for chunk in chunks(changed_rows):
            conn.execute(statement, [{f"b_{k}": v for k, v in record.items()} for record in chunk])
        counts.updated = len(updates)
    if events:
        record_many(conn, events, actor=actor, target_type=kind, note="import")
    return counts


def _numbered(conn: Connection, pk: Column, since: int | None, keys: Iterable[Any],
              count: int) -> dict[Any, int]:
    """``{key: id}`` for ``count`` rows just inserted with ``keys``, in that order, into
    a table numbered by ``pk`` (its largest id before was ``since``); ``{}`` unless the
    database gave them consecutive ids, which the caller then looks up.

    A serial key numbers rows in the order written (SQLite: the largest rowid plus one;
    PostgreSQL: the sequence, row by row of the COPY), so when the ids above ``since``
    are exactly ``count`` consecutive ones, they are these rows' ids in order: one query
    instead of looking a million new persons up again (a pass over the table, 1 s). Ids
    taken meanwhile by another transaction leave a gap or an extra row: ``{}``.
    """
    if not isinstance(pk.type, Integer) or count == 0:
        return {}
    query = select(func.count(), func.min(pk), func.max(pk))
    if since is not None:
        query = query.where(pk > since)
    found, low, high = conn.execute(query).one()
    if found != count or high - low + 1 != count:
        return {}
    return dict(zip(keys, range(low, high + 1), strict=True))


def _at_once(work: Callable[[], None]) -> None:
    work()


def _created_list(target: Target, records: list[dict[str, Any]],
                  actor: Actor) -> list[dict[str, Any]]:
    """The events of ``_created_events``, made in Python from the records themselves (the
    record is the event's "after": nothing changes it from here on, and the engine's JSON
    serialiser writes dates and enums itself)."""
    key_of = _key_getter(target.key)
    return [{"action": "create", "target_id": "|".join(str(plain(v)) for v in key_of(record)),
             "division_code": _division_of(record) or actor.division_code,
             "before": None, "after": record} for record in records]


def _created_events(target: Target, names: list[str], *, since: int | None,
                    now: dt.datetime, actor: Actor) -> Select:
    """The ``create`` events of the rows ``merge`` has just inserted, as the database
    makes them (``audit.operations.record_inserted``): keyed by the natural key's values
    joined by "|", in the record's own division (else the actor's), with the record's
    values, each read back as ``merge`` compares them (``Target.read_as``).

    The rows are those created at ``now`` (this import's time, to the microsecond) by the
    actor, and, for a table with a serial key, with a key above ``since`` (the largest
    before the insert): on SQLite the import is the only writer; on PostgreSQL another
    transaction may commit rows with ids in between, but not at this import's time.
    """
    table = target.table
    pk = next(iter(table.primary_key.columns))
    columns = {name: target.read_as.get(name, table.c.get(name)) for name in names}
    keys = [key_text(columns[name]) for name in target.key]
    target_id = keys[0] if len(keys) == 1 else functools.reduce(
        lambda joined, part: joined + "|" + part, keys)
    division = [columns[name] for name in _DIVISION_COLUMNS if name in columns]
    pairs = []
    for name, column in columns.items():
        pairs += [name, json_flag(column) if isinstance(column.type, Boolean) else column]
    fallback = literal(actor.division_code, String)
    query = select(target_id.label("target_id"),
                   (func.coalesce(*division, fallback) if division else fallback)
                   .label("division_code"),
                   json_object(*pairs).label("after")).where(
        table.c.created_at == now,
        table.c.created_by_id.is_(None) if actor.user_id is None
        else table.c.created_by_id == actor.user_id)
    if since is not None:
        query = query.where(pk > since)
    return query.order_by(pk)


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

    A large data set is written while it is read (``_import_while_reading``), where the
    database allows it; the faults, and what is written, are the same.
    """
    actor = actor or operator_actor()
    report = progress or (lambda done, total: None)
    directory = Path(directory)
    present = sum((directory / spec.filename).is_file() for spec in FILES)
    steps, done = 2 * present + 1, 0

    def step(*_args) -> None:
        nonlocal done
        done += 1
        report(done, steps)

    with _collector_paused():
        if rule is None:
            lines = _estimated_rows(directory)
            # Decided once: the second connection copies the tables the import will lock.
            bulk = (_bulk_tables_for(conn, lines)
                    if sum(lines.values()) >= PIPELINE_MIN_ROWS else [])
            with _view_before(conn, lines, bulk) as view:
                if view is not None:
                    return _import_while_reading(conn, view, directory, bulk, actor=actor,
                                                 scope=scope, step=step,
                                                 provenance=provenance)
        dataset: Dataset = read_dataset(directory, existing_keys_in(conn), step)
        if scope is not None:
            dataset.errors.extend(scope_faults(conn, dataset, scope))
        if rule is not None:
            dataset.errors.extend(rule(dataset))
        dataset.errors.extend(head_faults(conn, dataset))
        # Rows that would change a locked period: the ORM's check does not see Core writes.
        dataset.errors.extend(lock_faults(conn, dataset))
        if dataset.errors:
            return _refused(dataset.errors)
        step()
        bulk = _bulk_tables(conn, dataset)
        if bulk:
            checkpoint_later(conn)  # SQLite: the commit's WAL copied in a thread after it
        with bulk_cache(conn), _figure_log(conn, bulk) as log:
            with indexes_rebuilt(conn, bulk) as rebuilt:
                # An audit log without its indexes takes the events fastest from one
                # INSERT ... SELECT per table, on every database (``merge``).
                counts = _merge_all(conn, dataset, actor=actor, now=clock.now(),
                                    provenance=provenance, step=step, log=log,
                                    events_listed=AuditEvent.__table__ not in rebuilt)
            # After the indexes are back: their statistics too.
            _analyze_changed(conn, counts)
    return ImportResult([], counts)


def _refused(errors: list[RowError]) -> ImportResult:
    return ImportResult(sorted(errors, key=lambda e: (e.file, e.line)), {})


def _analyze_changed(conn: Connection, counts: dict[str, Counts]) -> None:
    analyze_after_import(conn, [TARGETS[name].table for name, c in counts.items()
                                if c.inserted + c.updated >= ANALYZE_MIN_ROWS])


def _merge_all(conn: Connection, dataset: Dataset, *, actor: Actor, now: dt.datetime,
               provenance: dict[str, Any] | None, step: Callable[[], None],
               log: _FigureLog | None, events_listed: bool = True) -> dict[str, Counts]:
    """Merge every file of the checked ``dataset``, in the order of ``TARGETS``."""
    lookups = Lookups()
    counts: dict[str, Counts] = {}
    for filename, target in TARGETS.items():
        parsed = dataset.files.get(filename)
        if parsed is None:
            continue
        counts[filename] = _merge_file(conn, parsed, lookups, dataset, actor=actor, now=now,
                                       provenance=provenance, log=log,
                                       events_listed=events_listed)
        step()
    return counts


def _merge_file(conn: Connection, parsed: ParsedFile, lookups: Lookups,
                dataset: Dataset, *, actor: Actor, now: dt.datetime,
                provenance: dict[str, Any] | None, log: _FigureLog | None,
                events_listed: bool,
                later: Callable[[Callable[[], None]], None] | None = None,
                ready: Callable[[], None] = lambda: None) -> Counts:
    """Merge one checked file (``merge``), after the files before it; ``lookups`` carries
    the ids found for the files after it. ``dataset`` holds the files read so far: the
    persons of those still to come are looked up with this file's. ``ready()`` is called
    before ``conn`` is first used (``_import_while_reading``: the records are made while
    the work of the file before still runs on it)."""
    filename = parsed.spec.filename
    target = TARGETS[filename]
    if filename == "household_members.csv":
        missing = set(map(operator.itemgetter("household_code"),
                          parsed.rows)) - lookups.household_ids.keys()
        if missing:
            ready()
            lookups.household_ids |= fetch_map(conn, Household.__table__, "code", "id",
                                               missing)
    if "id_number" in parsed.spec.column_names and filename != "persons.csv":
        missing = set(map(_ID_NUMBER, parsed.rows)) - lookups.person_ids.keys()
        if missing:
            # persons.csv is merged first, so the ids of the persons of every file
            # still to come are known now: one look-up (often one pass over the
            # table) instead of one per file.
            missing = _id_numbers_from(dataset, filename) - lookups.person_ids.keys()
            ready()
            lookups.person_ids |= fetch_map(conn, Person.__table__, "id_number", "id", missing)
    records = [target.to_record(row, lookups) for row in parsed.rows]
    ready()
    # The ids of the persons and households inserted, for the files after them.
    numbered = {"persons.csv": lookups.person_ids,
                "households.csv": lookups.household_ids}.get(filename)
    return merge(conn, target, records, actor=actor, now=now, provenance=provenance,
                 events_listed=events_listed, later=later, numbered=numbered,
                 written=None if log is None else log.collector(target))


_ID_NUMBER = operator.itemgetter("id_number")


def _id_numbers_from(dataset: Dataset, filename: str) -> set[str]:
    """The ID numbers in ``filename`` and the files merged after it."""
    names = list(TARGETS)
    wanted: set[str] = set()
    for name in names[names.index(filename):]:
        parsed = dataset.files.get(name)
        if parsed is not None and "id_number" in parsed.spec.column_names:
            wanted.update(map(_ID_NUMBER, parsed.rows))
    return wanted


# --- a large data set, written while it is read ------------------------------------------

# A data set of this many rows (its files' lines) or more is written while it is read.
PIPELINE_MIN_ROWS = 50_000


def _import_while_reading(conn: Connection, view: Connection, directory: Path,
                          bulk: list[Table], *, actor: Actor, scope: str | None,
                          step: Callable[[], None],
                          provenance: dict[str, Any] | None) -> ImportResult:
    """``import_dataset`` for a large data set: each file is merged as soon as it is read
    and its references checked, and the audit events of one file are written (in a
    thread, ``_InBackground``) while the next file is read, and so are the file's
    table's indexes built again (``core.sql.RebuiltIndexes``) and its statistics
    gathered; the checks of the whole data set run (in a thread) while the audit log's
    indexes are built again. On two cores the Python work then overlaps the database's:
    PostgreSQL's server, or SQLite's own code, which runs without Python's lock.

    The checks are those of the sequential import, made against the database as it was
    before the import: ``view`` is a second connection that sees that state
    (``_view_before``), while this transaction's own writes are not visible to it. A file
    refers only to files before it (``reader.check_references``), so each is checked
    before it is merged, and rows are dropped exactly as when all are checked at once.
    The checks that need the whole data set (household heads, scope, period locks,
    village levels) come after the last file. Once a fault is found nothing more is
    written (every file is still read, for its faults), and with any fault everything
    written is rolled back to a savepoint: the caller's transaction is as it was.
    """
    errors: list[RowError] = []
    files: dict[str, ParsedFile] = {}
    dataset = Dataset(files, errors)
    memo: dict = {}
    known: dict[str, set] = {}
    existing_keys = existing_keys_in(view)
    now = clock.now()
    counts: dict[str, Counts] = {}
    lookups = Lookups()
    dataset_directory(directory, errors)

    def whole_dataset_faults() -> list[RowError]:
        faults: list[RowError] = []
        check_village_levels(Dataset(files, faults))
        if scope is not None:
            faults.extend(scope_faults(view, dataset, scope))
        faults.extend(head_faults(view, dataset))
        faults.extend(lock_faults(view, dataset))
        return faults

    savepoint = conn.begin_nested()
    try:
        if bulk:
            checkpoint_later(conn)
        with bulk_cache(conn), _figure_log(conn, bulk) as log:
            with _InBackground() as checking:
                with indexes_rebuilt(conn, bulk) as rebuilt, _InBackground() as later:
                    events_listed = AuditEvent.__table__ not in rebuilt
                    # Events listed in Python would take Python's lock from the reading.
                    defer = None if events_listed and streams_rows(conn) else later
                    for spec in FILES:
                        parsed = read_file(directory, spec, errors, memo)
                        if parsed is None:
                            continue
                        files[spec.filename] = parsed
                        step()
                        check_references(dataset, existing_keys, [spec.filename], known)
                        if errors:
                            continue  # nothing more is written: the rest is read for faults
                        counts[spec.filename] = _merge_file(
                            conn, parsed, lookups, Dataset({spec.filename: parsed}, []),
                            actor=actor, now=now, provenance=provenance, log=log,
                            events_listed=events_listed, later=defer,
                            ready=later.wait)  # the connection is the merge's again
                        # No later file writes this table: its indexes are made, and
                        # its statistics gathered, while the next file is read (the
                        # audit log's indexes after the last file).
                        later(functools.partial(rebuilt.build_now,
                                                TARGETS[spec.filename].table))
                        later(functools.partial(_analyze_changed, conn, {
                            spec.filename: counts[spec.filename]}))
                        step()

                    def check_and_let_go() -> None:
                        errors.extend(whole_dataset_faults())
                        # The rows read are not needed any more: freeing millions of
                        # them takes a second of Python, done here while the connection
                        # builds the indexes instead of after.
                        files.clear()
                        memo.clear()
                        known.clear()
                        lookups.person_ids.clear()
                        lookups.household_ids.clear()

                    # The checks of the whole data set, on the second connection, while
                    # this one builds the indexes again (their work is undone on a fault).
                    checking(check_and_let_go)
                checking.wait()
            if errors:
                raise _Refused
            step()
    except _Refused:
        savepoint.rollback()
        return _refused(errors)
    savepoint.commit()
    return ImportResult([], counts)


class _Refused(Exception):
    """The data set has faults: what ``_import_while_reading`` wrote is rolled back."""


class _InBackground:
    """Database work on the import's connection, one piece at a time, in a thread.

    ``later(work)`` queues ``work`` to run after the pieces before it (and not at all if
    one of them raised); ``wait()`` returns once nothing is queued or running (raising
    what the work raised), so the connection is the caller's again. The caller touches
    the connection only after ``wait()``. On leaving the block the work is always waited
    for: an exception never leaves it running on a connection about to be rolled back.
    """

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="import")
        self._queued: list[concurrent.futures.Future] = []
        self._failed = False

    def __enter__(self) -> _InBackground:
        return self

    def __call__(self, work: Callable[[], None]) -> None:
        def run() -> None:
            if self._failed:
                return
            try:
                work()
            except BaseException:
                self._failed = True
                raise

        # In the caller's context (the application, the request: the faults' messages).
        self._queued.append(self._pool.submit(contextvars.copy_context().run, run))

    def wait(self) -> None:
        queued, self._queued = self._queued, []
        concurrent.futures.wait(queued)
        for future in queued:
            future.result()  # the first failure, if any

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if kind is None:
                self.wait()
            else:
                concurrent.futures.wait(self._queued)
        finally:
            self._pool.shutdown(wait=True)


def _estimated_rows(directory: Path) -> dict[str, int]:
    """The data rows of each file of the data set, by its lines (a cell over several
    lines counts more): enough to decide how to write it before it is read."""
    lines = {}
    for spec in FILES:
        path = directory / spec.filename
        if path.is_file():
            with path.open("rb") as file:
                count = sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 20), b""))
            lines[spec.filename] = max(count - 1, 0)
    return lines


@contextlib.contextmanager
def _view_before(conn: Connection, lines: dict[str, int],
                 bulk: list[Table]) -> Iterator[Connection | None]:
    """A second connection that sees the database as ``conn`` sees it now, for as long as
    the block runs, whatever ``conn`` writes meanwhile; ``None`` where there is none to be
    had: a data set (of so many ``lines`` by file) under ``PIPELINE_MIN_ROWS`` rows, a
    transaction that has written already (its own rows would be invisible to the second
    connection), a database no second connection can share (SQLite in memory, or not in
    WAL mode, where a reader would wait for the writer).

    PostgreSQL: the transaction's snapshot, exported (``pg_export_snapshot``) and taken
    up by a REPEATABLE READ transaction of the second connection. Where the import builds
    the indexes of ``bulk`` tables anew (``_bulk_tables``), and so holds them in ACCESS
    EXCLUSIVE mode, the second connection reads copies of them taken in that snapshot
    (``_pg_copies``), and the other tables in a snapshot of its first check after them:
    it ends the exported snapshot's transaction to let go of the real tables. (The
    import's own writes are uncommitted, unseen either way.) SQLite: ``conn`` takes the
    write lock (BEGIN IMMEDIATE: no one else commits now), then the second connection
    begins and reads, which fixes its snapshot in the WAL; its readers take no table
    locks.
    """
    if sum(lines.values()) < PIPELINE_MIN_ROWS:
        yield None
        return
    name = conn.dialect.name
    if name == "postgresql":
        if conn.exec_driver_sql("SELECT pg_current_xact_id_if_assigned()").scalar() is not None:
            yield None
            return
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        if not _SNAPSHOT_ID.fullmatch(snapshot):
            raise ValueError(f"unexpected snapshot id {snapshot!r}")
        copied = [table for table in bulk if table is not AuditEvent.__table__]
        with conn.engine.connect() as view:
            view = view.execution_options(isolation_level="REPEATABLE READ")
            view.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            try:
                if copied:
                    _pg_copies(view, copied)
                yield view
            finally:
                if copied:  # its temporary tables hide the real ones: never pooled again
                    view.invalidate()
                else:
                    view.rollback()
        return
    if name != "sqlite" or not _shareable_sqlite(conn):
        yield None
        return
    with conn.engine.connect() as view:
        if view.connection.driver_connection is conn.connection.driver_connection:
            yield None  # a pool of one connection (a database in memory)
            return
        writer = conn.connection.driver_connection
        if not writer.in_transaction:  # else a writing request began it, as here
            # The transaction is begun here, not by pysqlite before the first write: the
            # savepoint that ``_import_while_reading`` takes would otherwise begin it, and
            # its release would commit (as a writing request does, ``core.database``).
            writer.isolation_level = None
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        view = view.execution_options(**{READING_ONLY: True})
        view.exec_driver_sql("BEGIN")
        view.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
        try:
            yield view
        finally:
            view.rollback()


_SNAPSHOT_ID = re.compile(r"[0-9A-F]+(-[0-9A-F]+)+")


def _pg_copies(view: Connection, tables: list[Table]) -> None:
    """Temporary copies of ``tables`` on ``view``, as its snapshot shows them, which its
    queries read from then on instead of the tables themselves; its transaction is then
    committed, so it holds no lock on them.

    The import builds these tables' indexes anew (``core.sql.indexes_rebuilt``) and so
    holds them in ACCESS EXCLUSIVE mode until it commits: a look at one of them from
    ``view`` would wait for the import, which waits for the checks. A session's
    temporary tables come first in its search path (PostgreSQL's ``pg_temp``), and every
    query of the checks names its tables without a schema, so they read the copies.
    Only a data set at least as large as what each of these tables held is imported
    that way (``_bulk_tables``): the copying costs at most as much as writing it, and
    nothing on a first load. The connection is closed after, never handed out again.
    """
    preparer = view.dialect.identifier_preparer
    for table in tables:
        # The real table's own name, schema included: the copy takes its plain name.
        source = view.exec_driver_sql(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class AS c"
            " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE c.oid = CAST(%s AS regclass)", (preparer.format_table(table),)).scalar_one()
        copy = preparer.quote(str(table.name))
        view.exec_driver_sql(f"CREATE TEMPORARY TABLE {copy} (LIKE {source} INCLUDING INDEXES)")
        view.exec_driver_sql(f"INSERT INTO pg_temp.{copy} SELECT * FROM {source}")
        view.exec_driver_sql(f"ANALYZE pg_temp.{copy}")
    view.commit()


def _shareable_sqlite(conn: Connection) -> bool:
    """A SQLite database in a file in WAL mode, on a connection with no transaction open
    (so nothing written yet that a second connection would not see)."""
    if conn.connection.driver_connection.in_transaction:
        return False
    files = conn.exec_driver_sql("PRAGMA database_list").all()
    main = next((file for _seq, schema, file in files if schema == "main"), "")
    mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    return bool(main) and str(mode).lower() == "wal"


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


# --- the figure cache's write log, on SQLite ----------------------------------------------

class _FigureLog:
    """The division codes the figure cache's triggers (migration ``0020_speed``) would
    log for what an import writes, gathered while SQLite's per-row triggers are paused
    (``0024_import_speed``) and logged once, just before the import returns: the same
    codes or more, never fewer, so no cached figure outlives a write it depends on.

    Each table's codes as its trigger finds them, from the rows written (inserted, and
    changed ones before and after the change): a record's own division; for an employment
    registration also the divisions of the person's registrations and aid; for a member,
    the household's village; for a spell or training, the villages of the person's
    households; for a person whose birth date or sex changed, every division of the
    person's records; any division ('') for a change to the tree. Asked after the last
    file is merged, the tables hold every row the triggers would have seen, or later
    ones, whose own codes are logged too (an import never deletes).
    """

    def __init__(self) -> None:
        self.codes: set[str] = set()
        self.registrants: set[int] = set()
        self.members: set[int] = set()
        self.households: set[int] = set()
        self.corrected: set[int] = set()

    def collector(self, target: Target) -> Callable[[list, list], None]:
        table = target.table.name
        own = _OWN_CODE.get(table)
        bucket = {"employment_registrations": self.registrants, "transfer_spells": self.members,
                  "trainings": self.members, "household_members": self.households}.get(table)
        by = "household_id" if table == "household_members" else "person_id"
        if own is None and bucket is None and table not in ("persons", "divisions"):
            raise LookupError(f"no figure-cache codes for {table}")

        def written(inserted: list, changed: list) -> None:
            rows = [*inserted, *(record for record, _, _ in changed),
                    *(before for _, before, _ in changed)]
            if own is not None:
                self.codes.update(map(operator.itemgetter(own), rows))
            if bucket is not None:
                bucket.update(map(operator.itemgetter(by), rows))
            if table == "persons":
                self.corrected.update(before["_pk"] for _, before, names in changed
                                      if {"birth_date", "sex"} & set(names))
            if table == "divisions" and (inserted or any(
                    {"code", "level", "parent_code"} & set(names) for *_, names in changed)):
                self.codes.add("")

        return written

    def write(self, conn: Connection) -> None:
        codes = set(self.codes)
        for ids, query in ((self.registrants, _REGISTRANT_CODES), (self.members, _MEMBER_CODES),
                           (self.households, _HOUSEHOLD_CODES),
                           (self.corrected, _PERSON_CODES)):
            ordered = sorted(ids)
            for chunk in chunks(ordered, _INLINED_IDS):
                # Integer ids of this database, inlined: no bound-parameter limit applies.
                listed = ",".join(map(str, map(int, chunk)))
                codes.update(conn.exec_driver_sql(query.format(ids=listed)).scalars())
        codes.discard(None)
        if codes:
            conn.exec_driver_sql("INSERT OR REPLACE INTO figure_writes (code, xid) VALUES (?, 0)",
                                 [(code,) for code in sorted(codes)])


# Ids inlined in one query of ``_FigureLog.write`` (its queries return each code once).
_INLINED_IDS = 50_000
_OWN_CODE = {"employment_registrations": "division_code",
             "unemployment_registrations": "division_code", "employment_aid": "division_code",
             "natural_attrition": "division_code", "employed_totals": "division_code",
             "households": "village_code"}
_REGISTRANT_CODES = (
    "SELECT division_code FROM employment_registrations WHERE person_id IN ({ids})"
    " UNION SELECT division_code FROM employment_aid WHERE person_id IN ({ids})")
_MEMBER_CODES = (
    "SELECT DISTINCT h.village_code FROM household_members AS m"
    " JOIN households AS h ON h.id = m.household_id WHERE m.person_id IN ({ids})")
_HOUSEHOLD_CODES = "SELECT DISTINCT village_code FROM households WHERE id IN ({ids})"
_PERSON_CODES = (
    "SELECT division_code FROM employment_registrations WHERE person_id IN ({ids})"
    " UNION SELECT division_code FROM unemployment_registrations WHERE person_id IN ({ids})"
    " UNION SELECT division_code FROM employment_aid WHERE person_id IN ({ids})"
    " UNION SELECT division_code FROM natural_attrition WHERE person_id IN ({ids})"
    " UNION SELECT h.village_code FROM household_members AS m"
    " JOIN households AS h ON h.id = m.household_id WHERE m.person_id IN ({ids})")


@contextlib.contextmanager
def _figure_log(conn: Connection, bulk: list[Table]) -> Iterator[_FigureLog | None]:
    """On SQLite, pause the figure cache's per-row triggers for the import's writes and
    log their codes once at the end (``_FigureLog``). The pause is a row of
    ``figure_log_paused`` in the import's own transaction: no other connection ever sees
    it (SQLite has one writer, and it is gone before the import returns, commit or not).
    The triggers of the ``bulk`` tables are dropped instead, and created again at the
    end: even paused, a trigger costs each row its test of the pause (1.2 of the 8.5 s
    that 330,000 households took). PostgreSQL's triggers run once per statement and are
    left to do their work."""
    if conn.dialect.name != "sqlite":
        yield None
        return
    conn.exec_driver_sql("INSERT INTO figure_log_paused (id) VALUES (1)")
    names = tuple(str(table.name) for table in bulk)
    log = _FigureLog()
    try:
        with sqlite_dropped(conn, "trigger", "name LIKE 'figure\\_writes\\_%' ESCAPE '\\'"
                            f" AND tbl_name IN ({marks(names)})", names):
            yield log
            log.write(conn)
    finally:
        conn.exec_driver_sql("DELETE FROM figure_log_paused")


# A table that is to gain this many rows, and more than it holds, has its
# indexes made anew after the import (``_bulk_tables``).
REBUILD_MIN_ROWS = 50_000


def _bulk_tables(conn: Connection, dataset: Dataset) -> list[Table]:
    """The tables whose indexes are built faster anew than row by row for this data set
    (``core.sql.indexes_rebuilt``): those it may more than double, by
    ``REBUILD_MIN_ROWS`` or more; the audit log among them, which gains a row for each."""
    return _bulk_tables_for(conn, {name: len(parsed.rows)
                                   for name, parsed in dataset.files.items()})


def _bulk_tables_for(conn: Connection, rows_by_file: dict[str, int]) -> list[Table]:
    """``_bulk_tables`` of a data set of so many rows in each file."""
    adding = {TARGETS[name].table: rows for name, rows in rows_by_file.items()}
    adding[AuditEvent.__table__] = sum(adding.values())
    return [table for table, rows in adding.items()
            if rows >= REBUILD_MIN_ROWS and rows > _rows_up_to(conn, table, rows)]


def _rows_up_to(conn: Connection, table: Table, limit: int) -> int:
    """How many rows ``table`` holds, counted no further than ``limit`` (the audit log
    of a long-running service holds many millions)."""
    first = select(literal(1)).select_from(table).limit(limit).subquery()
    return conn.execute(select(func.count()).select_from(first)).scalar_one()


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
