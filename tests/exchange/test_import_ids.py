"""The ids of the persons and households an import inserts are taken from the order they
were written in (``importer._numbered``), not looked up again for the files after them;
only where the database numbered them consecutively, on both databases."""
from __future__ import annotations

import csv
import datetime as dt

from sqlalchemy import delete, func, select, text

from field_app.core.sql import insert_rows
from field_app.divisions.models import Division
from field_app.exchange import importer
from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Person

NOW = dt.datetime(2026, 12, 7, 8, 0)
STAMP = {"created_at": NOW, "updated_at": NOW}


def _column(path, name: str) -> set[str]:
    with path.open(newline="", encoding="utf-8") as file:
        return {row[name] for row in csv.DictReader(file)}


def test_new_persons_and_households_are_not_looked_up_again_and_members_join_them(
        app_ctx, small_dir, both_import_paths, monkeypatch):
    asked: dict[str, set] = {"persons": set(), "households": set()}
    fetch_map = importer.fetch_map

    def watching(conn, table, key, value, wanted):
        wanted = set(wanted)
        if table.name in asked:
            asked[table.name] |= wanted
        return fetch_map(conn, table, key, value, wanted)

    monkeypatch.setattr(importer, "fetch_map", watching)
    assert import_dataset(db.session.connection(), small_dir).ok
    assert not asked["persons"] & _column(small_dir / "persons.csv", "id_number")
    assert not asked["households"] & _column(small_dir / "households.csv", "household_code")
    # Every member row joins the household and the person its line names (a person is a
    # member of one household: of two lines, the later is kept).
    with (small_dir / "household_members.csv").open(newline="", encoding="utf-8") as file:
        households = {row["id_number"]: row["household_code"] for row in csv.DictReader(file)}
    expected = {(household, number) for number, household in households.items()}
    stored = set(db.session.execute(text(
        "SELECT h.code, p.id_number FROM household_members AS m"
        " JOIN households AS h ON h.id = m.household_id"
        " JOIN persons AS p ON p.id = m.person_id")).all())
    assert stored == expected


def _people(count: int, start: int) -> list[dict]:
    return [{"id_number": f"15220119900101{start + i:04d}", "name": f"人{i}", "sex": "male",
             "birth_date": dt.date(1990, 1, 1), "hukou": "rural"} for i in range(count)]


def _ids(numbers) -> dict[str, int]:
    return dict(db.session.execute(select(Person.id_number, Person.id)
                                   .where(Person.id_number.in_(list(numbers)))).all())


def test_ids_are_taken_from_the_order_written_only_when_consecutive(app_ctx):
    conn = db.session.connection()
    pk = Person.__table__.c.id

    def largest():
        return conn.execute(select(func.max(pk))).scalar()

    people = _people(3, 0)
    since = largest()
    insert_rows(conn, Person.__table__, people, STAMP)
    keys = [person["id_number"] for person in people]
    numbered = importer._numbered(conn, pk, since, keys, 3)
    assert numbered == _ids(keys) and len(numbered) == 3

    # Another writer's row among the new ones: nothing is taken from the order.
    since = largest()
    insert_rows(conn, Person.__table__, _people(2, 10), STAMP)
    db.session.add(Person(**_people(1, 20)[0], **STAMP))
    db.session.flush()
    assert importer._numbered(conn, pk, since, ["a", "b"], 2) == {}

    # A gap among the new ids: nothing either.
    since = largest()
    people = _people(3, 30)
    insert_rows(conn, Person.__table__, people, STAMP)
    middle = _ids([people[1]["id_number"]])[people[1]["id_number"]]
    db.session.execute(delete(Person).where(Person.id == middle))
    assert importer._numbered(conn, pk, since, ["a", "b"], 2) == {}

    # A natural key as the primary key (the divisions' code): nothing to number.
    assert importer._numbered(conn, Division.__table__.c.code, None, ["a"], 1) == {}
    db.session.rollback()
