"""Confine an import to one jurisdiction: the rule for every import started from the web.

With a scope (the uploader's division code) a data set is refused whole if any row reaches
outside that subtree (STYLE 14):

* a row placed outside it: its ``division_code``, a household's village, a division's own
  code; a member row by its household's village; a transfer spell or training by the
  village of its person's household (the data set's membership first, else the stored one);
* a row whose natural key matches a record stored outside it, which merging would change
  or move in;
* a ``persons.csv`` row that would change a person with any record outside it
  (``households.scope.persons_outside``). A row repeating the stored values changes nothing
  and passes, so a person known elsewhere may still be linked to a record of one's own.

Every offending row is reported in the importer's fault format; no reason names the other
place. Set-based: a few look-ups per file, whatever the number of rows. The command-line
import runs without a scope and never comes here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.orm import Session

from field_app.core.codes import in_subtree, subtree_bounds
from field_app.core.i18n import both
from field_app.exchange.lookups import chunks, fetch_map, rows_with_keys
from field_app.exchange.reader import Dataset, ParsedFile, RowError
from field_app.exchange.targets import TARGETS, Lookups, normalise
from field_app.households.models import Household, HouseholdMember, Person
from field_app.households.scope import persons_outside
from field_app.locks.checks import (
    DATED_TABLES,
    PERSON_LINKED,
    ActiveLock,
    active_locks,
    covering,
    describe,
    lazily,
    membership_changed,
    person_division_map,
    person_spans,
    touched_dates,
)

OUTSIDE = _l("区划不在本辖区")
UNPLACED = _l("该人员不属于本辖区的任何户，无法确定所属区划")
RECORD_ELSEWHERE = _l("该记录由本辖区以外维护，上传不能修改或移入本辖区")
PERSON_ELSEWHERE = _l("该人员在本辖区以外另有记录，上传不能修改其信息")

# Files whose rows name their division in a column of their own.
_PLACED_BY = {"divisions.csv": "code", "households.csv": "village_code"}
# Files placed by the village of their person's household.
_BY_PERSON = ("transfer_spells.csv", "trainings.csv")


class _PersonIds(dict):
    """ID number → stored person id; ``None`` for a person not stored yet (whose records
    cannot exist yet either), so ``Target.to_record`` gives a key that matches nothing."""

    def __missing__(self, key: str) -> None:
        return None


def _fault(parsed: ParsedFile, line: int, column: str, value: Any,
           message) -> RowError:
    return RowError(parsed.spec.filename, line, column, "" if value is None else str(value),
                    both(message))


def _rows(parsed: ParsedFile) -> Iterator[tuple[dict[str, Any], int]]:
    return zip(parsed.rows, parsed.lines)


def scope_faults(conn: Connection, dataset: Dataset, scope: str) -> list[RowError]:
    """Every row of ``dataset`` (its rows that passed the reader) reaching outside the
    subtree of ``scope``; an empty list when the data set stays inside."""
    def inside(code: str | None) -> bool:
        return in_subtree(code, scope)

    files = dataset.files
    numbers = {row["id_number"] for parsed in files.values()
               if "id_number" in parsed.spec.column_names for row in parsed.rows}
    person_ids = _PersonIds(fetch_map(conn, Person.__table__, "id_number", "id", numbers))
    faults = [*_placed_outside(conn, dataset, person_ids, inside),
              *_stored_outside(conn, dataset, person_ids, inside)]
    if "persons.csv" in files:
        faults += _persons_changed(conn, files["persons.csv"], scope)
    # One fault per row: a row placed outside may also name a record stored outside.
    first: dict[tuple[str, int], RowError] = {}
    for fault in faults:
        first.setdefault((fault.file, fault.line), fault)
    return list(first.values())


def _placed_outside(conn: Connection, dataset: Dataset, person_ids: _PersonIds,
                    inside: Callable[[str | None], bool]) -> Iterator[RowError]:
    files = dataset.files
    for filename, parsed in files.items():
        column = _PLACED_BY.get(filename)
        if column is None and "division_code" in parsed.spec.column_names:
            column = "division_code"
        if column is not None:
            for row, line in _rows(parsed):
                if not inside(row[column]):
                    yield _fault(parsed, line, column, row[column], OUTSIDE)

    villages = _household_villages(conn, dataset)
    members = files.get("household_members.csv")
    if members is not None:
        for row, line in _rows(members):
            if not inside(villages.get(row["household_code"])):
                yield _fault(members, line, "household_code", row["household_code"], OUTSIDE)

    by_person = [files[name] for name in _BY_PERSON if name in files]
    if by_person:
        # The person's household after the import: the data set's membership wins.
        village_of = {row["id_number"]: villages.get(row["household_code"])
                      for row in (members.rows if members is not None else ())}
        stored = _stored_villages(conn, {person_ids[number] for parsed in by_person
                                         for number in (row["id_number"] for row in parsed.rows)
                                         if number not in village_of} - {None})
        for parsed in by_person:
            for row, line in _rows(parsed):
                number = row["id_number"]
                village = (village_of[number] if number in village_of
                           else stored.get(person_ids[number]))
                if village is None:
                    yield _fault(parsed, line, "id_number", number, UNPLACED)
                elif not inside(village):
                    yield _fault(parsed, line, "id_number", number, OUTSIDE)


def _household_villages(conn: Connection, dataset: Dataset) -> dict[str, str]:
    """Household code → village, for the households the data set names: the data set's own
    row first, else the stored household."""
    households = dataset.files.get("households.csv")
    members = dataset.files.get("household_members.csv")
    villages = {row["household_code"]: row["village_code"]
                for row in (households.rows if households is not None else ())}
    wanted = {row["household_code"] for row in (members.rows if members is not None else ())}
    return villages | fetch_map(conn, Household.__table__, "code", "village_code",
                                wanted - villages.keys())


def _stored_villages(conn: Connection, person_ids: set[int]) -> dict[int, str]:
    """Stored person id → the village of the household the person is a member of."""
    members = HouseholdMember.__table__
    query = (select(members.c.person_id, Household.village_code)
             .join(Household, Household.id == members.c.household_id))
    return dict(rows_with_keys(conn, members, query, "person_id", person_ids))


def _stored_outside(conn: Connection, dataset: Dataset, person_ids: _PersonIds,
                    inside: Callable[[str | None], bool]) -> Iterator[RowError]:
    files = dataset.files
    households = files.get("households.csv")
    if households is not None:
        stored = fetch_map(conn, Household.__table__, "code", "village_code",
                           {row["household_code"] for row in households.rows})
        for row, line in _rows(households):
            code = row["household_code"]
            if code in stored and not inside(stored[code]):
                yield _fault(households, line, "household_code", code, RECORD_ELSEWHERE)

    members = files.get("household_members.csv")
    if members is not None:
        stored = _stored_villages(conn, {person_ids[row["id_number"]]
                                         for row in members.rows} - {None})
        for row, line in _rows(members):
            village = stored.get(person_ids[row["id_number"]])
            if village is not None and not inside(village):
                yield _fault(members, line, "id_number", row["id_number"], RECORD_ELSEWHERE)

    # Registrations, aid and attrition carry their division; a key that names a stored
    # record elsewhere would update it, whatever division the row gives.
    lookups = Lookups(person_ids=person_ids)
    for filename, parsed in files.items():
        target = TARGETS[filename]
        table = target.table
        if "division_code" not in table.c or "division_code" in target.key:
            continue
        keys = [tuple(record[k] for k in target.key)
                for record in (target.to_record(row, lookups) for row in parsed.rows)]
        query = select(*(table.c[k] for k in target.key), table.c.division_code)
        stored = {tuple(found[:-1]): found[-1] for found in rows_with_keys(
            conn, table, query, target.key[0], {key[0] for key in keys} - {None})}
        column = parsed.spec.key[0]
        for key, (row, line) in zip(keys, _rows(parsed)):
            if key in stored and not inside(stored[key]):
                yield _fault(parsed, line, column, row[column], RECORD_ELSEWHERE)


_PERSON_FIELDS = ("name", "hukou", "phone", "birth_date", "sex")


def _persons_changed(conn: Connection, parsed: ParsedFile, scope: str) -> list[RowError]:
    """The persons.csv rows changing a stored person who has a record outside ``scope``."""
    table = Person.__table__
    query = select(table.c.id_number, table.c.id, *(table.c[name] for name in _PERSON_FIELDS))
    stored = {found[0]: found for found in rows_with_keys(
        conn, table, query, "id_number", {row["id_number"] for row in parsed.rows})}
    to_record = TARGETS["persons.csv"].to_record
    changes: dict[int, tuple[int, str, Any]] = {}  # person id → (line, column, value)
    for row, line in _rows(parsed):
        found = stored.get(row["id_number"])
        if found is None:
            continue  # a new person: nobody maintains them yet
        record = to_record(row, None)
        changed = [name for position, name in enumerate(_PERSON_FIELDS, start=2)
                   if normalise(found[position]) != record[name]]
        if changed:
            # Birth date and sex come from the ID number: a change there shows as the ID.
            column = changed[0] if changed[0] in row else "id_number"
            changes[found[1]] = (line, column, row[column])
    if not changes:
        return []
    elsewhere: set[int] = set()
    with Session(bind=conn) as session:
        for chunk in chunks(list(changes)):
            elsewhere |= persons_outside(session, chunk, scope)
    return [_fault(parsed, line, column, value, PERSON_ELSEWHERE)
            for person_id, (line, column, value) in changes.items() if person_id in elsewhere]


# --- period locks ---------------------------------------------------------------------------
# The importer writes with Core statements, which the ORM hook of ``locks.checks`` never sees:
# the same rule is applied here to the rows, before anything is written, for every import
# (command line and web alike). Only an import can move a household to another village; that
# move is refused as a change of its members' memberships would be.

class _Unknown(dict):
    """Natural key → stored id; ``None`` for a row not stored yet."""

    def __missing__(self, key: str) -> None:
        return None


def lock_faults(conn: Connection, dataset: Dataset) -> list[RowError]:
    """Every row of ``dataset`` that would change a locked period's figures (the rule of
    ``locks.checks``: an inserted row by its dates, a changed row by the dates it sets or
    clears, its old values included), each named with the locked periods. No active lock:
    one query and an empty list."""
    locks = active_locks(conn)
    if not locks:
        return []
    files = dataset.files
    numbers = {row["id_number"] for parsed in files.values()
               if "id_number" in parsed.spec.column_names for row in parsed.rows}
    members = files.get("household_members.csv")
    lookups = Lookups(
        person_ids=_Unknown(fetch_map(conn, Person.__table__, "id_number", "id", numbers)),
        household_ids=_Unknown(fetch_map(
            conn, Household.__table__, "code", "id",
            {row["household_code"] for row in (members.rows if members is not None else ())})))
    villages = _household_villages(conn, dataset)
    # Where the data set itself places each person: their membership, their desk records.
    given: dict[str, set[str]] = {}
    for parsed in files.values():
        names = parsed.spec.column_names
        if "id_number" not in names or parsed.spec.filename == "persons.csv":
            continue
        for row in parsed.rows:
            place = (villages.get(row["household_code"]) if "household_code" in names
                     else row.get("division_code"))
            if place:
                given.setdefault(row["id_number"], set()).add(place)

    faults: list[RowError] = []
    for filename, parsed in files.items():
        target = TARGETS[filename]
        table = target.table.name
        if table in DATED_TABLES:
            faults += _dated_faults(conn, parsed, target, lookups, given, locks)
        elif filename == "household_members.csv":
            faults += _member_faults(conn, dataset, parsed, lookups, villages, locks)
        elif filename == "households.csv":
            faults += _moved_household_faults(conn, parsed, locks)
    return faults


def _moved_household_faults(conn: Connection, parsed: ParsedFile,
                            locks: list[ActiveLock]) -> list[RowError]:
    """A household moved to another village takes its members' spells and trainings along:
    refused as a membership change is, for the members it has now."""
    stored = fetch_map(conn, Household.__table__, "code", "village_code",
                       {row["household_code"] for row in parsed.rows})
    moved = {row["household_code"]: (stored[row["household_code"]], row["village_code"])
             for row in parsed.rows
             if row["household_code"] in stored
             and stored[row["household_code"]] != row["village_code"]}
    if not moved:
        return []
    ids = fetch_map(conn, Household.__table__, "code", "id", set(moved))
    members = HouseholdMember.__table__
    persons: dict[int, list[int]] = {}
    for household_id, person_id in rows_with_keys(
            conn, members, select(members.c.household_id, members.c.person_id),
            "household_id", set(ids.values())):
        persons.setdefault(household_id, []).append(person_id)
    spans = person_spans(conn, {p for found in persons.values() for p in found})
    faults = []
    for row, line in _rows(parsed):
        code = row["household_code"]
        if code not in moved:
            continue
        held = [span for person in persons.get(ids.get(code), ())
                for span in spans.get(person, ())]
        hit = [lock for lock in locks if lock.overlaps(set(moved[code]), held)]
        if hit:
            faults.append(_locked_fault(parsed, line, row, hit))
    return faults


def _stored_rows(conn: Connection, target, records: list[dict[str, Any]], names: list[str],
                 where=None) -> dict[tuple, dict[str, Any]]:
    table = target.table
    query = select(*(table.c[name] for name in names))
    if where is not None:
        query = query.where(where)
    wanted = {record[target.key[0]] for record in records} - {None}
    return {tuple(found._mapping[k] for k in target.key): dict(found._mapping)
            for found in rows_with_keys(conn, table, query, target.key[0], wanted)}


def _may_be_held(table, locks: list[ActiveLock], latest: dt.date):
    """The stored rows whose old values could matter: a date on or before the latest locked
    end and, where the row has a division, inside a locked subtree. A row not among them is
    taken as new: its old values hold no locked period, so only its new ones can."""
    held = or_(*(table.c[name] <= latest for name in DATED_TABLES[table.name]))
    if table.name in PERSON_LINKED:
        return held
    return and_(held, or_(*(table.c.division_code.between(*subtree_bounds(lock.division_code))
                            for lock in locks)))


def _locked_fault(parsed: ParsedFile, line: int, row: dict[str, Any],
                  hit: list[ActiveLock]) -> RowError:
    column = parsed.spec.key[0]
    day = max(lock.period_end for lock in hit)
    message = lazily(lambda: describe(hit, day))
    return _fault(parsed, line, column, row[column], message)


def _dated_faults(conn: Connection, parsed: ParsedFile, target, lookups: Lookups,
                  given: dict[str, set[str]], locks: list[ActiveLock]) -> list[RowError]:
    table = target.table.name
    records = [target.to_record(row, lookups) for row in parsed.rows]
    if not records:
        return []
    latest = max(lock.period_end for lock in locks)
    placed_by = "person_id" if table in PERSON_LINKED else "division_code"
    names = list(dict.fromkeys([*records[0], *DATED_TABLES[table], placed_by]))
    stored = _stored_rows(conn, target, records, names,
                          _may_be_held(target.table, locks, latest))
    touching = []  # the rows setting or clearing a date no later than the latest lock's end
    for record, (row, line) in zip(records, _rows(parsed)):
        old = stored.get(tuple(record[k] for k in target.key))
        if old is not None:
            old = {name: normalise(value) for name, value in old.items()}
        dates = touched_dates(table, old, record)
        if dates and min(dates) <= latest:
            touching.append((record, row, line, old, dates))
    by_person = (person_division_map(conn, {record["person_id"] for record, *_ in touching})
                 if table in PERSON_LINKED and touching else {})
    faults = []
    for record, row, line, old, dates in touching:
        if table in PERSON_LINKED:
            divisions = by_person.get(record["person_id"], set()) | given.get(row["id_number"],
                                                                               set())
        else:
            divisions = {record["division_code"]} | ({old["division_code"]} if old else set())
        hit = covering(locks, divisions, dates)
        if hit:
            faults.append(_locked_fault(parsed, line, row, hit))
    return faults


def _member_faults(conn: Connection, dataset: Dataset, parsed: ParsedFile, lookups: Lookups,
                   villages: dict[str, str], locks: list[ActiveLock]) -> list[RowError]:
    target = TARGETS["household_members.csv"]
    records = [target.to_record(row, lookups) for row in parsed.rows]
    if not records:
        return []
    stored = _stored_rows(conn, target, records, list(records[0]))
    changed = []
    for record, (row, line) in zip(records, _rows(parsed)):
        old = stored.get((record["person_id"],))
        if old is not None:
            old = {name: normalise(value) for name, value in old.items()}
        if membership_changed(old, record):
            changed.append((record, row, line, old))
    old_villages = fetch_map(conn, Household.__table__, "id", "village_code",
                             {old["household_id"] for *_, old in changed if old is not None})
    held = []  # the changed memberships in a locked subtree, with their villages
    for record, row, line, old in changed:
        divisions = {villages.get(row["household_code"]),
                     old_villages.get(old["household_id"]) if old is not None else None}
        divisions.discard(None)
        if any(lock.holds(divisions) for lock in locks):
            held.append((record, row, line, divisions))
    if not held:
        return []
    spans = person_spans(conn, {record["person_id"] for record, *_ in held})
    # The spells and trainings the data set brings, by ID number.
    given: dict[str, list] = {}
    for name in _BY_PERSON:
        for row in (dataset.files[name].rows if name in dataset.files else ()):
            given.setdefault(row["id_number"], []).append((row["start_date"], row["end_date"]))
    faults = []
    for record, row, line, divisions in held:
        person = [*spans.get(record["person_id"], ()), *given.get(row["id_number"], ())]
        hit = [lock for lock in locks if lock.overlaps(divisions, person)]
        if hit:
            faults.append(_locked_fault(parsed, line, row, hit))
    return faults
