"""How an import finds the stored rows a data set names (``exchange.lookups``): the same
answer whichever way, on both databases, the import's own rows not yet committed included;
and the person record it makes of a row."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.exchange import lookups
from field_app.exchange.importer import existing_keys_in, import_dataset
from field_app.exchange.lookups import fetch_map
from field_app.exchange.reader import read_dataset
from field_app.exchange.targets import TARGETS
from field_app.extensions import db
from field_app.households.models import Household, Person

UNKNOWN = {"110101199003077777", "110101199003070000"}


@pytest.fixture
def imported(app_ctx, small_dir):
    """hinggan-small imported in the test's transaction, not committed."""
    conn = db.session.connection()
    assert import_dataset(conn, small_dir).ok
    return conn


@pytest.fixture
def cursor_reads(monkeypatch):
    """Counts the look-ups ``fetch_map`` answered from the driver's own cursor."""
    seen = []
    original = lookups._as_stored

    def watching(conn, query):
        answer = original(conn, query)
        seen.append(answer)
        return answer

    monkeypatch.setattr(lookups, "_as_stored", watching)
    return seen


def test_every_way_of_finding_rows_gives_the_same_map(imported, monkeypatch, cursor_reads):
    table = Person.__table__
    stored = dict(imported.execute(select(table.c.id_number, table.c.id)).all())
    assert len(stored) > 100
    numbers = set(stored) | UNKNOWN
    expected = stored  # the unknown numbers are simply absent

    monkeypatch.setattr(lookups, "SCAN_MIN_KEYS", 1)  # every key set counts as large
    scanned = fetch_map(imported, table, "id_number", "id", numbers)
    assert cursor_reads == [True]  # one pass, read through the driver's cursor
    assert scanned == expected
    # Half the stored keys: still one pass, and only the keys wanted.
    half = set(sorted(stored)[::2]) | UNKNOWN
    assert fetch_map(imported, table, "id_number", "id", half) == {
        number: stored[number] for number in half if number in stored}
    assert cursor_reads == [True, True]

    # A few keys: IN look-ups, through SQLAlchemy.
    few = set(list(stored)[:10]) | UNKNOWN
    assert fetch_map(imported, table, "id_number", "id", few) == {
        number: stored[number] for number in few if number in stored}
    assert cursor_reads == [True, True]

    monkeypatch.setattr(lookups, "SCAN_MIN_KEYS", 10**9)  # never a pass over the table
    assert fetch_map(imported, table, "id_number", "id", numbers) == expected
    assert fetch_map(imported, Household.__table__, "code", "id", set()) == {}


def test_a_value_the_driver_does_not_give_as_python_does_goes_through_sqlalchemy(
        imported, monkeypatch, cursor_reads):
    monkeypatch.setattr(lookups, "SCAN_MIN_KEYS", 1)
    table = Person.__table__
    numbers = set(imported.execute(select(table.c.id_number)).scalars())
    births = fetch_map(imported, table, "id_number", "birth_date", numbers)
    # psycopg gives dates itself; SQLite stores text, which SQLAlchemy makes dates.
    assert cursor_reads == [db.engine.dialect.name != "sqlite"]
    assert len(births) == len(numbers)
    # Dates, not SQLite's stored text.
    assert all(type(born) is dt.date for born in births.values())
    number = next(iter(numbers))
    assert births[number] == dt.date(int(number[6:10]), int(number[10:12]),
                                     int(number[12:14]))


def test_a_person_record_takes_birth_date_and_sex_from_the_id_number(imported, small_dir):
    dataset = read_dataset(small_dir, existing_keys_in(imported))
    persons = dataset.files["persons.csv"].rows
    to_record = TARGETS["persons.csv"].to_record
    stored = {row.id_number: row for row in imported.execute(select(Person.__table__))}
    sexes = set()
    for row in persons:
        number, record = row["id_number"], to_record(row, None)
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        sex = "male" if int(number[16]) % 2 else "female"
        assert record == {"id_number": number, "name": row["name"], "hukou": row["hukou"],
                          "phone": row["phone"], "birth_date": born, "sex": sex}
        assert (stored[number].birth_date, stored[number].sex.value) == (born, sex)
        sexes.add(sex)
    assert sexes == {"male", "female"}
