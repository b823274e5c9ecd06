"""``core.sql.insert_rows`` refuses what the table's constraints refuse, on both
databases, however it writes: on SQLite it inserts with the CHECK constraints off and
checks the new rows after in one query (``_checks_deferred``), and inside
``indexes_rebuilt`` SpatiaLite's per-row geometry triggers are replaced by one check of
every new row (``_geometry_triggers_deferred``)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DataError, IntegrityError

from field_app.core.sql import indexes_rebuilt, insert_rows
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.households.models import Household, Person
from field_app.surveys.models import Destination, SpellKind, TransferSpell

NOW = dt.datetime(2026, 12, 7, 8, 0)
STAMP = {"created_at": NOW, "updated_at": NOW}


@pytest.fixture
def village(app_ctx):
    conn = db.session.connection()
    insert_rows(conn, Division.__table__, [
        {"code": "150000000000", "name": "内蒙古自治区", "level": 1, "parent_code": None},
        {"code": "152200000000", "name": "兴安盟", "level": 2, "parent_code": "150000000000"},
        {"code": "152201000000", "name": "乌兰浩特市", "level": 3,
         "parent_code": "152200000000"},
        {"code": "152201001000", "name": "街道", "level": 4, "parent_code": "152201000000"},
        {"code": "152201001001", "name": "社区", "level": 5, "parent_code": "152201001000"},
    ], STAMP)
    yield "152201001001"
    db.session.rollback()


def _persons(count: int, start: int = 0) -> list[dict]:
    return [{"id_number": f"15220119900101{start + i:04d}", "name": f"人{i}",
             "sex": "male" if i % 2 else "female", "birth_date": dt.date(1990, 1, 1),
             "hukou": None if i % 3 == 0 else "rural"} for i in range(count)]


def _checks_off() -> bool:
    if db.engine.dialect.name != "sqlite":
        return False
    return bool(db.session.scalar(text("PRAGMA ignore_check_constraints")))


def test_good_rows_are_written_with_their_nulls_and_the_checks_are_back(village):
    conn = db.session.connection()
    insert_rows(conn, Person.__table__, _persons(30), STAMP)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 30
    assert db.session.scalar(select(func.count()).select_from(Person)
                             .where(Person.hukou.is_(None))) == 10
    assert not _checks_off()


def test_an_enumerated_column_refuses_a_value_outside_its_list(village):
    # Before the database sees it: the column type itself refuses the value.
    with pytest.raises(LookupError):
        with db.session.begin_nested():
            insert_rows(db.session.connection(), Person.__table__,
                        [*_persons(2), _persons(1, start=5)[0] | {"sex": "other"}], STAMP)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    assert not _checks_off()


def test_a_spell_that_ends_before_it_starts_is_refused_among_good_ones(village):
    conn = db.session.connection()
    insert_rows(conn, Person.__table__, _persons(3), STAMP)
    people = db.session.scalars(select(Person.id).order_by(Person.id)).all()
    rows = [{"person_id": person, "start_date": dt.date(2026, 3, 1),
             "end_date": dt.date(2026, 9, 1), "kind": SpellKind.NON_AGRI,
             "destination": Destination.IN_REGION, "stable_workplace": True,
             "stable_income": False, "uid": f"s{person}", "version": 1}
            for person in people]
    rows[1]["end_date"] = dt.date(2026, 2, 1)
    with pytest.raises(IntegrityError) as refused:
        with db.session.begin_nested():
            insert_rows(db.session.connection(), TransferSpell.__table__, rows, STAMP)
    assert "check" in str(refused.value.orig).lower()
    assert db.session.scalar(select(func.count()).select_from(TransferSpell)) == 0
    assert not _checks_off()
    del rows[1]
    insert_rows(db.session.connection(), TransferSpell.__table__, rows, STAMP)
    assert db.session.scalar(select(func.count()).select_from(TransferSpell)) == 2


def test_a_table_check_between_columns_is_refused(village):
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            insert_rows(db.session.connection(), Division.__table__, [
                {"code": "152201001002", "name": "社区", "level": 5,
                 "parent_code": "152201001000"},
                {"code": "15220100100", "name": "短码", "level": 5,
                 "parent_code": "152201001000"}], STAMP)
    assert db.session.scalar(select(func.count()).select_from(Division)) == 5
    assert not _checks_off()


def _triggers() -> list[tuple[str, str]]:
    return db.session.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND tbl_name = 'households' ORDER BY name")).all()


def test_households_written_in_bulk_keep_their_geometry_rules(village):
    sqlite = db.engine.dialect.name == "sqlite"
    before = _triggers() if sqlite else []
    stamped = (text("SELECT last_insert FROM geometry_columns_time"
                    " WHERE f_table_name = 'households'") if sqlite else None)
    first = db.session.scalar(stamped) if sqlite else None
    table = Household.__table__
    point = "SRID=4326;POINT(122.05 46.08)"
    rows = [{"code": f"H{i}", "village_code": village,
             "location": None if i % 2 else point} for i in range(20)]
    with indexes_rebuilt(db.session.connection(), [table]) as rebuilt:
        assert rebuilt == [table]
        if sqlite:  # the per-row triggers are gone while the rows are written
            names = {name for name, _ in _triggers()}
            assert "ggi_households_location" not in names
            assert "tmi_households_location" not in names
        insert_rows(db.session.connection(), table, rows, STAMP)
    assert db.session.scalar(select(func.count()).select_from(Household)
                             .where(Household.location.is_not(None))) == 10
    assert db.session.scalar(select(func.ST_SRID(Household.location))
                             .where(Household.code == "H0")) == 4326
    if sqlite:
        assert _triggers() == before
        assert db.session.scalar(stamped) != first
    # A line where a point belongs (or another SRID) is refused after the bulk write,
    # as the triggers refuse it row by row.
    for wrong in ("SRID=4326;LINESTRING(122 46, 123 47)", "SRID=3857;POINT(1 2)"):
        # SpatiaLite's rule is a constraint, PostGIS's the column's type.
        with pytest.raises((IntegrityError, DataError)):
            with db.session.begin_nested():
                with indexes_rebuilt(db.session.connection(), [table]):
                    insert_rows(db.session.connection(), table, [
                        {"code": "H-good", "village_code": village, "location": point},
                        {"code": "H-bad", "village_code": village, "location": wrong}],
                        STAMP)
        assert db.session.scalar(select(func.count()).select_from(Household)) == 20
        if sqlite:
            assert _triggers() == before


def test_rows_over_several_batches_are_stored_as_an_insert_stores_them(village, monkeypatch):
    """Values are made a column at a time, in batches: every row keeps its own values
    in every column, dates (a datetime given for a date too) as SQLAlchemy writes them."""
    monkeypatch.setattr("field_app.core.sql.BULK_BATCH", 7)
    conn = db.session.connection()
    people = _persons(30)
    people[4]["birth_date"] = dt.date(1, 2, 3)
    people[5]["birth_date"] = dt.datetime(1985, 6, 7, 23, 59)
    insert_rows(conn, Person.__table__, people[:15], STAMP)
    db.session.add_all(Person(**person, **STAMP) for person in people[15:])
    db.session.flush()
    # The bulk rows and the ORM's rows are stored alike, byte for byte.
    stored = db.session.execute(text(
        "SELECT id_number, name, sex, CAST(birth_date AS TEXT), hukou,"
        " CAST(created_at AS TEXT) FROM persons ORDER BY id_number")).all()
    assert len(stored) == 30
    assert [row[0] for row in stored] == [person["id_number"] for person in people]
    assert [row[1] for row in stored] == [person["name"] for person in people]
    assert [row[4] for row in stored] == [person["hukou"] for person in people]
    assert {row[5] for row in stored} == {row[5] for row in stored[15:]}
    dates = [row[3] for row in stored]
    assert dates[4] == "0001-02-03" and dates[5] == "1985-06-07"
    assert set(dates[:4] + dates[6:]) == {"1990-01-01"}
    assert [row[2] for row in stored] == [person["sex"] for person in people]


def test_a_natural_key_written_twice_in_bulk_is_refused_and_nothing_stays(village):
    """Inside ``indexes_rebuilt`` the UNIQUE constraints stay and check the rows as they
    come: the second row with the same ID number is refused, nothing is written, and the
    constraint is there for the next writer."""
    table = Person.__table__
    constraints = _unique_constraints()
    twice = _persons(3) + [_persons(1)[0] | {"name": "另一人"}]
    with pytest.raises(IntegrityError) as refused:
        with db.session.begin_nested():
            with indexes_rebuilt(db.session.connection(), [table]):
                insert_rows(db.session.connection(), table, twice, STAMP)
    assert "id_number" in str(refused.value.orig)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    assert _unique_constraints() == constraints
    with indexes_rebuilt(db.session.connection(), [table]):
        insert_rows(db.session.connection(), table, _persons(3), STAMP)
    assert _unique_constraints() == constraints
    with pytest.raises(IntegrityError):  # and it holds again for the next writer
        with db.session.begin_nested():
            insert_rows(db.session.connection(), table, _persons(1), STAMP)


def _unique_constraints() -> list:
    if db.engine.dialect.name == "sqlite":
        return db.session.execute(text(
            "SELECT name FROM pragma_index_list('persons') WHERE \"unique\"")).all()
    return db.session.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'persons'::regclass ORDER BY 1")).all()
