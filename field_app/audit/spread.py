"""The further divisions an event belongs to (``audit_event_divisions``).

An event is filed under one division: the record's, or the writer's for records that have
none (persons, transfer spells, trainings, household members). The auditors of every
division the record belongs to must see it, before and after the change, so an event also
belongs to:

* for a person, and for a record tied to a person that has no division of its own: every
  division holding a record of that person (``households.scope``), plus the village of any
  household membership the same flush adds, changes or removes;
* for a record tied to a household without a division of its own: the household's village,
  before and after;
* for a record whose division column changed: the old and the new division.

Set-based throughout: one query for all the persons of a flush or an import, one for the
households, whatever the number of rows.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, inspect, select

DIVISION_COLUMNS = ("division_code", "village_code", "former_division_code")
# Persons asked about per query: five tables' IN lists stay under SQLite's bound limit.
PERSON_CHUNK = 2000


def _history(obj, name: str) -> tuple[list, list]:
    """(current values, values replaced in this flush) of a column attribute."""
    state = inspect(obj)
    if name not in state.mapper.column_attrs:
        return [], []
    history = state.attrs[name].history
    current = [*history.unchanged, *history.added]
    if not current and name not in state.dict and not state.was_deleted:
        # Expired since the last commit and not touched by this change: read it (the
        # flush's own connection; a deleted row has nothing left to read).
        current = [getattr(obj, name)]
    return current, list(history.deleted)


def own_division_columns(obj) -> bool:
    return any(name in inspect(obj).mapper.column_attrs for name in DIVISION_COLUMNS)


def moved_divisions(obj) -> set[str]:
    """Old and new codes of the division columns this flush changed."""
    found: set[str] = set()
    for name in DIVISION_COLUMNS:
        current, replaced = _history(obj, name)
        if replaced:
            found.update(code for code in (*current, *replaced) if code)
    return found


def person_division_map(conn: Connection, person_ids: Collection[int]) -> dict[int, set[str]]:
    """Person id → every division holding a record of that person."""
    # households sits above audit in the package order: imported when needed.
    from field_app.households.scope import person_divisions

    found: dict[int, set[str]] = defaultdict(set)
    ordered = sorted(person_ids)
    for start in range(0, len(ordered), PERSON_CHUNK):
        rows = person_divisions(ordered[start:start + PERSON_CHUNK]).subquery()
        for person_id, code in conn.execute(select(rows.c.person_id, rows.c.division_code)):
            if code:
                found[person_id].add(code)
    return found


def household_villages(conn: Connection, household_ids: Collection[int]) -> dict[int, str]:
    from field_app.households.models import Household

    if not household_ids:
        return {}
    return dict(conn.execute(select(Household.id, Household.village_code)
                             .where(Household.id.in_(sorted(household_ids)))).all())


def flush_extras(conn: Connection, objects: Iterable[Any]) -> list[set[str]]:
    """For each of ``objects`` (rows an ORM flush wrote), the further divisions its event
    belongs to (the event's own division is removed by the caller)."""
    objects = list(objects)
    persons_of: list[set[int]] = []
    households_of: list[set[int]] = []
    for obj in objects:
        persons: set[int] = set()
        households: set[int] = set()
        if obj.__tablename__ == "persons":
            persons.add(obj.id)
        elif not own_division_columns(obj):
            for name, bucket in (("person_id", persons), ("household_id", households)):
                current, replaced = _history(obj, name)
                bucket.update(value for value in (*current, *replaced) if value is not None)
        persons_of.append(persons)
        households_of.append(households)
    all_persons = set().union(*persons_of)
    villages = household_villages(conn, set().union(*households_of))
    by_person = person_division_map(conn, all_persons) if all_persons else {}
    # A membership added, moved or removed in this flush puts its village(s) on the
    # person too: after a removal the person's records no longer show it.
    for persons, households in zip(persons_of, households_of):
        for person in persons:
            by_person.setdefault(person, set()).update(
                villages[h] for h in households if h in villages)
    extras = []
    for obj, persons, households in zip(objects, persons_of, households_of):
        found = moved_divisions(obj)
        found.update(villages[h] for h in households if h in villages)
        for person in persons:
            found.update(by_person.get(person, ()))
        extras.append(found)
    return extras


def bulk_extras(conn: Connection, rows: list[dict[str, Any]],
                target_type: str | None) -> dict[tuple[str | None, str], set[str]]:
    """(target_type, target_id) → further divisions, for the ``update`` rows of a bulk
    write: a division column's old and new value, and for persons every division holding a
    record of them. New rows need none: a record is created in its own division, and a
    new person has no records yet."""
    extras: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    person_rows: dict[int, str] = {}
    for row in rows:
        if row.get("action") != "update":
            continue
        kind = row.get("target_type", target_type)
        key = (kind, str(row["target_id"]))
        before, after = row.get("before") or {}, row.get("after") or {}
        for name in DIVISION_COLUMNS:
            if name in before:
                extras[key].update(code for code in (before[name], after.get(name)) if code)
        if kind == "persons" and str(row["target_id"]).isdigit():
            person_rows[int(row["target_id"])] = key[1]
    if person_rows:
        for person, codes in person_division_map(conn, person_rows).items():
            extras[("persons", person_rows[person])].update(codes)
    return {key: codes for key, codes in extras.items() if codes}
