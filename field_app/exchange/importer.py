"""Write a checked data set: all or nothing, idempotent, set-based.

``import_dataset`` checks the whole data set first (``reader.read_dataset``); with any fault
it returns the faults and writes nothing. Otherwise each file is merged into its table by
natural key: new keys are inserted in bulk (``core.sql.insert_rows``: COPY on PostgreSQL),
changed rows are updated with one executemany UPDATE, identical rows are left alone, so a
second import of the same data set changes nothing. Tables that a large import changed are
analysed for the planner. The caller commits (or rolls back) once.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from geoalchemy2 import WKTElement
from sqlalchemy import Connection, Row, Select, Table, bindparam, func, select, text, update

from field_app.audit.actor import Actor, operator_actor
from field_app.audit.operations import plain, record_many
from field_app.core.clock import clock
from field_app.core.sql import insert_rows
from field_app.divisions.codes import level_of
from field_app.divisions.models import Division
from field_app.exchange.reader import Dataset, RowError, read_dataset
from field_app.households.models import Household, HouseholdMember, Person
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from field_app.surveys.models import Training, TransferSpell

CHUNK = 5000


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


@dataclasses.dataclass(frozen=True)
class Target:
    """How one file's parsed rows become rows of one table."""

    table: Table
    key: tuple[str, ...]  # table columns forming the natural key
    to_record: Callable[[dict[str, Any], "Lookups"], dict[str, Any]]
    read_as: dict[str, Any] = dataclasses.field(default_factory=dict)
    write_as: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    order: Callable[[dict[str, Any]], Any] | None = None


@dataclasses.dataclass
class Lookups:
    person_ids: dict[str, int] = dataclasses.field(default_factory=dict)
    household_ids: dict[str, int] = dataclasses.field(default_factory=dict)


def _person(row, lookups):
    number = row["id_number"]
    return {
        "id_number": number,
        "name": row["name"],
        "hukou": row["hukou"],
        "phone": row["phone"],
        "birth_date": dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        "sex": "male" if int(number[16]) % 2 else "female",
    }


def _with_person(*names: str, rename: dict[str, str] | None = None):
    rename = rename or {}

    def to_record(row, lookups):
        record = {rename.get(name, name): row[name] for name in names}
        record["person_id"] = lookups.person_ids[row["id_number"]]
        return record

    return to_record


def _household_location(record):
    lon, lat = record.pop("longitude"), record.pop("latitude")
    record["location"] = None if lon is None else WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)
    return record


_households = Household.__table__
TARGETS: dict[str, Target] = {
    "divisions.csv": Target(
        Division.__table__,
        ("code",),
        lambda row, _: {
            "code": row["code"],
            "name": row["name"],
            "parent_code": row["parent_code"],
            "level": int(level_of(row["code"])),
        },
        order=lambda record: record["level"],  # parents before children
    ),
    "persons.csv": Target(Person.__table__, ("id_number",), _person),
    "households.csv": Target(
        _households,
        ("code",),
        lambda row, _: {
            "code": row["household_code"],
            "village_code": row["village_code"],
            "address": row["address"],
            "longitude": row["longitude"],
            "latitude": row["latitude"],
        },
        read_as={
            "longitude": func.ST_X(_households.c.location),
            "latitude": func.ST_Y(_households.c.location),
        },
        write_as=_household_location,
    ),
    "household_members.csv": Target(
        HouseholdMember.__table__,
        ("person_id",),
        lambda row, lookups: {
            "household_id": lookups.household_ids[row["household_code"]],
            "person_id": lookups.person_ids[row["id_number"]],
            "relation": row["relation"],
            "labour_capacity": row["labour_capacity"],
        },
    ),
    "transfer_spells.csv": Target(
        TransferSpell.__table__,
        ("person_id", "start_date", "kind"),
        _with_person("kind", "start_date", "end_date", "destination", "industry",
                     "stable_workplace", "stable_income"),
    ),
    "trainings.csv": Target(
        Training.__table__,
        ("person_id", "course", "start_date"),
        _with_person("course", "institution", "institution_certified", "funding",
                     "start_date", "end_date", "completed"),
    ),
    "employment_registrations.csv": Target(
        EmploymentRegistration.__table__,
        ("registration_no",),
        _with_person("registration_id", "division_code", "employment_type", "employer_uscc",
                     "employer_name", "start_date", "end_date", "registered_on",
                     "person_category", "formal_transfer", "valid",
                     rename={"registration_id": "registration_no"}),
    ),
    "unemployment_registrations.csv": Target(
        UnemploymentRegistration.__table__,
        ("registration_no",),
        _with_person("registration_id", "division_code", "registered_on", "cancelled_on",
                     "valid", "receives_benefit", rename={"registration_id": "registration_no"}),
    ),
    "employment_aid.csv": Target(
        EmploymentAid.__table__,
        ("person_id", "recognized_on"),
        _with_person("division_code", "recognized_on", "exited_on", "exit_reason"),
    ),
    "natural_attrition.csv": Target(
        NaturalAttrition.__table__,
        ("person_id", "occurred_on"),
        _with_person("division_code", "occurred_on", "reason"),
    ),
    "employed_totals.csv": Target(
        EmployedTotal.__table__,
        ("division_code", "as_of"),
        lambda row, _: {name: row[name] for name in
                        ("division_code", "as_of", "employed_total", "deduction")},
    ),
}


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


def _normalise(value):
    # Enum columns read back as members of a str enum; compare them as plain strings.
    return value.value if hasattr(value, "value") else value


def plain_text(value: Any) -> str:
    return str(plain(value))


def _division_of(record: dict[str, Any]) -> str | None:
    return record.get("division_code") or record.get("village_code") or record.get("code")


def merge(conn: Connection, target: Target, records: list[dict[str, Any]], *,
          actor: Actor, now: dt.datetime) -> Counts:
    """Insert new natural keys, update changed rows, leave identical rows alone.

    Every inserted row gets a ``create`` audit event (keyed by its natural key, with its
    values) and every changed row an ``update`` event with the values before and after,
    written in bulk beside the data.
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
        changed = [name for name in names if _normalise(found[name]) != record[name]]
        if changed:
            updates.append(record | {"_pk": found["_pk"]})
            events.append({"action": "update", "target_id": str(found["_pk"]),
                           "division_code": _division_of(record) or actor.division_code,
                           "before": {name: plain(found[name]) for name in changed},
                           "after": {name: plain(record[name]) for name in changed}})
        else:
            counts.unchanged += 1
    write = target.write_as or (lambda record: record)
    stamp = {"created_at": now, "updated_at": now, "created_by_id": actor_id,
             "updated_by_id": actor_id}
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
                    | {"updated_at": now, "updated_by_id": actor_id} | versioned)
        )
        for chunk in chunks(written):
            conn.execute(statement, [{f"b_{k}": v for k, v in record.items()} for record in chunk])
        counts.updated = len(updates)
    record_many(conn, events, actor=actor, target_type=kind, note="import")
    return counts


def import_dataset(conn: Connection, directory: Path, *,
                   actor: Actor | None = None) -> ImportResult:
    """Check the whole data set in ``directory``, then merge it; never half-writes.

    With any fault, returns every fault and writes nothing. ``actor`` (default: the
    operating-system user) is who the audit log names for every row written. The caller
    commits.
    """
    actor = actor or operator_actor()
    with _collector_paused():
        dataset: Dataset = read_dataset(Path(directory), existing_keys_in(conn))
        if dataset.errors:
            return ImportResult(sorted(dataset.errors, key=lambda e: (e.file, e.line)), {})
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
            counts[filename] = merge(conn, target, records, actor=actor, now=now)
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
