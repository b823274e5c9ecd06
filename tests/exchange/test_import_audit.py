"""The ``create`` events of an import: one per inserted row, whichever way they are made.

Where the bulk writer streams (PostgreSQL's COPY) the importer lists them in Python; where
it does not (SQLite) the database builds them from the rows just written
(``audit.operations.record_inserted``). Both must give the same events."""
from __future__ import annotations

import collections
import shutil

import pytest
from sqlalchemy import Boolean, func, select
from stdnum.cn import ric

from field_app.audit import operations
from field_app.audit.actor import Actor
from field_app.audit.models import AuditEvent
from field_app.exchange.importer import import_dataset
from field_app.exchange.targets import TARGETS
from field_app.extensions import db
from field_app.households.models import Household, Person
from tests.exchange.csv_files import read, rewrite

# Each test runs with both of the importer's ways of writing (``both_import_paths``).
pytestmark = pytest.mark.usefixtures("both_import_paths")

Event = collections.namedtuple(
    "Event", "target_type target_id division_code after actor_name ip note")
UPLOADER = Actor(None, "upload:test", "10.0.0.7", "152201000000")


def _created_events(directory, *, streamed: bool, monkeypatch, actor=UPLOADER):
    """The create events and counts of one import, rolled back after."""
    mark = db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))
    with monkeypatch.context() as patch:
        patch.setattr(operations, "streams_rows", lambda conn: streamed)
        result = import_dataset(db.session.connection(), directory, actor=actor)
    assert result.ok, result.errors[:3]
    events = db.session.execute(
        select(AuditEvent.target_type, AuditEvent.target_id, AuditEvent.division_code,
               AuditEvent.after, AuditEvent.actor_name, AuditEvent.ip, AuditEvent.note)
        .where(AuditEvent.id > mark, AuditEvent.action == "create")).all()
    # Serial ids as the natural keys they stand for: PostgreSQL's sequences do not go
    # back with the rollback, so a second import gives the same rows other ids.
    keys = {"person_id": dict(db.session.execute(select(Person.id, Person.id_number)).all()),
            "household_id": dict(db.session.execute(select(Household.id, Household.code)).all())}
    db.session.rollback()
    return [_natural(event, keys) for event in events], result.counts


def _natural(event, keys):
    after = {name: keys[name][value] if name in keys else value
             for name, value in event.after.items()}
    target_id = event.target_id
    if "person_id" in keys and event.target_type not in ("persons", "households",
                                                          "divisions"):
        first, sep, rest = target_id.partition("|")
        if first.isdigit() and int(first) in keys["person_id"]:
            target_id = keys["person_id"][int(first)] + sep + rest
    return Event(**event._mapping)._replace(target_id=target_id, after=after)


def _by_key(events):
    return {(e.target_type, e.target_id): e for e in events}


def test_the_database_makes_the_same_events_as_the_listed_ones(app_ctx, small_dir,
                                                                monkeypatch):
    built, counts = _created_events(small_dir, streamed=False, monkeypatch=monkeypatch)
    listed, _ = _created_events(small_dir, streamed=True, monkeypatch=monkeypatch)
    # One event per inserted row, in each table, either way.
    for filename, target in TARGETS.items():
        if filename in counts:
            for events in (built, listed):
                assert sum(e.target_type == target.table.name for e in events) == \
                    counts[filename].inserted, filename
    assert len(built) == len(listed) == len(_by_key(built))
    assert _by_key(built) == _by_key(listed)
    # The comparison covers every kind of value: dates, flags both ways, coordinates,
    # empty cells, a composite key.
    values = [value for event in built for value in event.after.values()]
    assert True in values and False in values and None in values
    # Flags are JSON true and false, not SQLite's 1 and 0 (which Python finds equal).
    tables = {target.table.name: target.table for target in TARGETS.values()}
    flags = [event.after[name] for event in built for name in event.after
             if name in tables[event.target_type].c
             and isinstance(tables[event.target_type].c[name].type, Boolean)]
    assert {type(flag) for flag in flags} <= {bool, type(None)} and True in flags
    spell = next(e for e in built if e.target_type == "transfer_spells")
    id_number, start, kind = spell.target_id.split("|")
    assert id_number == spell.after["person_id"] and start == spell.after["start_date"]
    assert len(start) == 10
    assert kind == spell.after["kind"]
    household = next(e for e in built if e.target_type == "households"
                     and e.after["longitude"] is not None)
    assert isinstance(household.after["longitude"], float)
    assert household.division_code == household.after["village_code"]
    # A record without a division of its own (a person) is in the uploader's.
    person = next(e for e in built if e.target_type == "persons")
    assert person.division_code == UPLOADER.division_code
    assert person.target_id == person.after["id_number"]
    assert person.after["birth_date"] == (f"{person.target_id[6:10]}-{person.target_id[10:12]}"
                                          f"-{person.target_id[12:14]}")
    assert {(e.actor_name, e.ip, e.note) for e in built} == {("upload:test", "10.0.0.7",
                                                              "import")}


@pytest.mark.parametrize("streamed", [False, True], ids=["built", "listed"])
def test_a_later_import_logs_only_the_rows_it_adds(app_ctx, small_dir, tmp_path,
                                                   monkeypatch, streamed):
    assert import_dataset(db.session.connection(), small_dir, actor=UPLOADER).ok
    db.session.commit()
    more = tmp_path / "more"
    shutil.copytree(small_dir, more, ignore=shutil.ignore_patterns("*.json"))
    first = read(more / "persons.csv")[1]
    # The first person again under a new ID number: the same birth date and sex.
    number = first[0][:14] + "9" + first[0][15:17]
    number += ric.calc_check_digit(number + "0")
    rewrite(more / "persons.csv", lambda rows: rows.append([number, "新来的", *first[2:]]))
    events, counts = _created_events(more, streamed=streamed, monkeypatch=monkeypatch)
    assert counts["persons.csv"].inserted == 1
    assert [(e.target_type, e.target_id, e.after["name"]) for e in events] == [
        ("persons", number, "新来的")]
