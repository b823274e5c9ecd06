"""The division page's figures are kept (statistics.figures) and never served stale: every
write to a table the indicators read, below the division, makes the kept figures stale,
whatever wrote it and however the requests interleave.

The tests commit their writes as requests do: on PostgreSQL figures read by a transaction
that has itself written are never served to anyone (its writes are not in its snapshot)."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text, update

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.households.models import Household, Person
from field_app.indicators import Policy
from field_app.registrations.models import EmploymentRegistration
from field_app.statistics import figures
from field_app.statistics.models import FigureCache, FigureHorizon, FigureWrite
from tests.indicators.support import (
    BANNER,
    COMMUNITY,
    GACHA,
    LEAGUE,
    OTHER_BANNER,
    OTHER_VILLAGE,
    A,
    B,
    d,
)

POLICY = Policy()


def _page(code=LEAGUE, a=A, b=B, policy=POLICY):
    return figures.page_figures(db.session, code, a, b, policy)


def _fresh(code=LEAGUE, a=A, b=B, policy=POLICY):
    return figures.compute_page(db.session.connection(), code, a, b, policy)


@contextmanager
def _statements():
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _served_from_cache(code=LEAGUE, a=A, b=B, policy=POLICY) -> bool:
    with _statements() as seen:
        _page(code, a, b, policy)
    return len(seen) == 1  # the lookup alone; a miss computes and stores


def test_a_second_read_is_one_statement_with_the_same_figures(make):
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    first = _page()
    assert first.values["new_employment_gross"] == 1
    assert first.children[BANNER]["new_employment_gross"] == 1
    with _statements() as seen:
        second = _page()
    assert len(seen) == 1
    assert second == first == _fresh()


def test_periods_and_policies_are_kept_apart(make):
    person = make.person(dt.date(1966, 6, 1))  # 58 in March 2024: working age for a man
    make.employment(person, d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    assert _page().values["new_employment_gross"] == 1
    assert _page(a=d("2024-06-01")).values["new_employment_gross"] == 0
    narrower = Policy(male_max_age=57)
    assert _page(policy=narrower).values["new_employment_gross"] == 0
    assert _page().values["new_employment_gross"] == 1


# --- every kind of write below the division makes its figures stale ------------------------
# Each case prepares records, then returns the write; the write changes BANNER's figures.

def _new_registration(make):
    person = make.person()
    return lambda: make.employment(person, d("2024-05-01"), division=COMMUNITY)


def _registration_invalidated(make):
    registration = make.employment(make.person(), d("2024-05-01"), division=COMMUNITY)

    def write():
        registration.valid = False
        db.session.flush()
    return write


def _registration_deleted(make):
    registration = make.employment(make.person(), d("2024-05-01"), division=COMMUNITY)

    def write():
        db.session.delete(registration)
        db.session.flush()
    return write


def _continued_from_another_banner(make):
    # Rule 1, clause 6: a registration in the other banner, running into 2024, makes the
    # 2024 registration in BANNER a continuation. The write is outside BANNER.
    person = make.person()
    make.employment(person, d("2024-03-01"), division=COMMUNITY)
    return lambda: make.employment(person, d("2023-06-01"), division=OTHER_VILLAGE)


def _new_spell(make):
    person = make.rural_person(village=GACHA)
    return lambda: make.spell(person, d("2024-02-01"))


def _household_moved(make):
    person = make.rural_person(village=GACHA)
    make.spell(person, d("2024-02-01"))
    household = db.session.scalar(select(Household).where(Household.village_code == GACHA))

    def write():
        household.village_code = OTHER_VILLAGE
        db.session.flush()
    return write


def _birth_date_corrected(make):
    person = make.person(dt.date(1990, 5, 17))
    make.employment(person, d("2024-05-01"), division=COMMUNITY)

    def write():  # a correction by plain SQL: the triggers see it as well
        db.session.execute(update(Person).where(Person.id == person.id)
                           .values(birth_date=dt.date(1950, 5, 17)))
    return write


def _new_training(make):
    person = make.rural_person(village=GACHA)
    return lambda: make.training(person, d("2024-04-30"))


def _new_unemployment(make):
    person = make.person()
    return lambda: make.unemployment(person, d("2024-02-01"), division=COMMUNITY)


def _new_attrition(make):
    person = make.person()
    return lambda: make.attrition(person, d("2024-02-01"), division=COMMUNITY)


def _aid_backed_by_a_registration_elsewhere(make):
    # Rule 5: the aid exit in BANNER counts once a registration of the person follows it,
    # wherever that registration is.
    person = make.person()
    make.aid(person, d("2023-01-01"), exited_on=d("2024-03-01"),
             exit_reason="flexible_employment", division=COMMUNITY)
    return lambda: make.employment(person, d("2024-03-05"), division=OTHER_VILLAGE)


def _employed_total_entered(make):
    return lambda: make.employed_total(BANNER, B, 5000)


def _new_child_division(make):
    return lambda: make.division("152201200000", "新设镇", BANNER)


WRITES = [_new_registration, _registration_invalidated, _registration_deleted,
          _continued_from_another_banner, _new_spell, _household_moved, _birth_date_corrected,
          _new_training, _new_unemployment, _new_attrition,
          _aid_backed_by_a_registration_elsewhere, _employed_total_entered,
          _new_child_division]


@pytest.mark.parametrize("case", WRITES, ids=[case.__name__.strip("_") for case in WRITES])
def test_a_write_below_the_division_makes_its_figures_stale(make, case):
    write = case(make)
    db.session.commit()
    before = {code: _page(code) for code in (BANNER, LEAGUE)}
    db.session.commit()
    assert _served_from_cache(BANNER) and _served_from_cache(LEAGUE)
    write()
    db.session.commit()
    for code in (BANNER, LEAGUE):
        assert not _served_from_cache(code)
        assert _page(code) == _fresh(code)
    assert _page(BANNER) != before[BANNER]  # the write did change the banner's figures


def test_a_write_in_another_banner_leaves_the_figures_kept(make):
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    _page(BANNER)
    make.employment(make.person(dt.date(1992, 2, 2)), d("2024-03-01"), division=OTHER_VILLAGE)
    db.session.commit()
    assert _served_from_cache(BANNER)
    assert not _served_from_cache(OTHER_BANNER)
    assert not _served_from_cache(LEAGUE)  # computed now: the league holds the write


def test_a_write_committed_while_the_figures_are_computed_is_not_missed(app_ctx, make,
                                                                        monkeypatch):
    person = make.person()
    make.employment(person, d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    computing = figures._compute_page

    def compute_while_another_request_writes(connection, *args):
        result = computing(connection, *args)
        # Another request's registration, committed after the figures were read and
        # before they are kept.
        with db.engine.begin() as other:
            register(other, "JY99999999", _other_person(other), d("2024-04-01"))
        return result

    monkeypatch.setattr(figures, "_compute_page", compute_while_another_request_writes)
    assert _page().values["new_employment_gross"] == 1  # read before the write
    db.session.commit()
    monkeypatch.setattr(figures, "_compute_page", computing)
    assert _page().values["new_employment_gross"] == 2
    assert _page() == _fresh()


def register(connection, number: str, person_id: int, day: dt.date) -> None:
    """A registration in the community, written on ``connection`` as another request."""
    connection.execute(EmploymentRegistration.__table__.insert().values(
        registration_no=number, person_id=person_id, division_code=COMMUNITY,
        employment_type="flexible", start_date=day, registered_on=day,
        person_category="new_entrant", formal_transfer=False, valid=True))


def _other_person(connection, id_number: str = "152201199101010016", name: str = "另一人",
                  born: dt.date = dt.date(1991, 1, 1)) -> int:
    """A person written on ``connection`` (another request's, or the test's own)."""
    table = Person.__table__
    return connection.execute(table.insert().values(
        id_number=id_number, name=name, sex="male", birth_date=born, hukou="urban",
        created_at=clock.now(), updated_at=clock.now()).returning(table.c.id)).scalar_one()


def test_a_reading_page_does_not_wait_for_a_writer_on_sqlite(app_ctx, make):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite has one write lock")
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    with db.engine.connect() as writer:  # an import holding the write lock
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        started = dt.datetime.now()
        assert _page().values["new_employment_gross"] == 1
        assert (dt.datetime.now() - started).total_seconds() < 5
        writer.rollback()
    db.session.commit()
    assert not db.session.scalar(select(func.count()).select_from(FigureCache))
    _page()
    db.session.commit()
    assert _served_from_cache()


def test_the_page_shows_a_new_registration_at_once(client, login_as, make):
    login_as("league_statistician")
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    assert "新增就业 1 ·" in client.get(f"/divisions/{LEAGUE}?period=2024").get_data(True)
    assert db.session.scalar(select(func.count()).select_from(FigureCache)) == 1
    make.employment(make.person(dt.date(1992, 2, 2)), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    assert "新增就业 2 ·" in client.get(f"/divisions/{LEAGUE}?period=2024").get_data(True)


def test_writes_are_logged_by_division_code(make):
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    make.division("152201200000", "新设镇", BANNER)
    codes = set(db.session.scalars(select(FigureWrite.code)))
    assert {COMMUNITY, ""} <= codes


@pytest.fixture
def postgresql_only(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the log is pruned on PostgreSQL only")


def test_pruning_keeps_every_figure_fresh(postgresql_only, make, monkeypatch):
    monkeypatch.setattr(figures, "PRUNE_ABOVE", 0)
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    logged = db.session.scalar(select(func.count()).select_from(FigureWrite))
    _page(BANNER)  # stores, and prunes the log (on a quiet cluster, all of it at once)
    db.session.commit()
    _page(OTHER_BANNER)  # stores, and prunes again
    db.session.commit()
    # Transaction ids are the cluster's: another database's open transaction may hold the
    # horizon back, so only the rows below the horizon are sure to go.
    horizon = db.session.scalar(select(FigureHorizon.horizon))
    assert horizon is not None and logged > 0
    assert not db.session.scalar(select(func.count()).select_from(FigureWrite)
                                 .where(FigureWrite.xid < horizon))
    assert _served_from_cache(BANNER)
    make.employment(make.person(dt.date(1992, 2, 2)), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    assert _page(BANNER).values["new_employment_gross"] == 2


def test_figures_read_before_a_pruning_are_not_kept(postgresql_only, make, monkeypatch):
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    db.session.commit()
    computing = figures._compute_page

    def compute_while_the_log_is_pruned(connection, *args):
        result = computing(connection, *args)
        with db.engine.begin() as other:
            other.execute(text("INSERT INTO figure_horizon (id, horizon) VALUES (1,"
                               " pg_current_xact_id()::text::bigint + 1)"))
        return result

    monkeypatch.setattr(figures, "_compute_page", compute_while_the_log_is_pruned)
    _page(BANNER)
    assert db.session.scalar(select(func.count()).select_from(FigureCache)) == 0
