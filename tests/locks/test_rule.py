"""The rule itself, on ORM writes: which dates a write sets or clears, which records and
memberships it holds, what it names, and what it costs when nothing is locked."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from field_app.extensions import db
from field_app.locks.checks import PeriodLocked, touched_dates
from tests.locks.conftest import (
    BANNER,
    COMMUNITY,
    FIRST_FREE,
    LAST_LOCKED,
    LEAGUE,
    OTHER_BANNER,
    OTHER_VILLAGE,
    VILLAGE,
)

D = dt.date


@pytest.mark.parametrize(("old", "new", "expected"), [
    pytest.param(None, {"start_date": D(2026, 2, 1), "end_date": None,
                        "registered_on": D(2026, 2, 3)}, {D(2026, 2, 1), D(2026, 2, 3)},
                 id="insert: every date"),
    pytest.param({"start_date": D(2026, 2, 1), "end_date": None, "registered_on": D(2026, 2, 3),
                  "valid": True}, None, {D(2026, 2, 1), D(2026, 2, 3)}, id="delete: every date"),
    pytest.param({"start_date": D(2026, 2, 1), "end_date": None, "registered_on": D(2026, 2, 3),
                  "valid": True},
                 {"start_date": D(2026, 2, 1), "end_date": D(2026, 5, 1),
                  "registered_on": D(2026, 2, 3), "valid": True},
                 {D(2026, 5, 1)}, id="an end: its date only"),
    pytest.param({"start_date": D(2026, 2, 1), "end_date": D(2026, 5, 1),
                  "registered_on": D(2026, 2, 3), "valid": True},
                 {"start_date": D(2026, 2, 1), "end_date": None,
                  "registered_on": D(2026, 2, 3), "valid": True},
                 {D(2026, 5, 1)}, id="an end cleared: the old date"),
    pytest.param({"start_date": D(2026, 2, 1), "end_date": D(2026, 5, 1),
                  "registered_on": D(2026, 2, 3), "valid": True},
                 {"start_date": D(2026, 2, 1), "end_date": D(2026, 5, 1),
                  "registered_on": D(2026, 2, 3), "valid": False},
                 {D(2026, 2, 1), D(2026, 5, 1), D(2026, 2, 3)}, id="invalidation: the record"),
    pytest.param({"start_date": D(2026, 2, 1), "end_date": None, "registered_on": D(2026, 2, 3),
                  "updated_at": 1, "version": 1},
                 {"start_date": D(2026, 2, 1), "end_date": None, "registered_on": D(2026, 2, 3),
                  "updated_at": 2, "version": 2}, None, id="bookkeeping only: nothing"),
])
def test_dates_a_write_sets_or_clears(old, new, expected):
    found = touched_dates("employment_registrations", old, new)
    assert (None if found is None else set(found)) == expected


def test_an_aid_exit_reason_goes_with_its_date_only():
    old = {"recognized_on": D(2026, 1, 5), "exited_on": D(2026, 5, 1), "exit_reason": "other"}
    new = old | {"exit_reason": "unit_employment"}
    assert set(touched_dates("employment_aid", old, new)) == {D(2026, 5, 1)}


@pytest.mark.parametrize("division", [LEAGUE, BANNER, COMMUNITY])
def test_a_lock_holds_its_whole_subtree(make, lock, division):
    person = make.person()
    lock(division)
    with pytest.raises(PeriodLocked) as refused:
        make.employment(person, LAST_LOCKED, division=COMMUNITY)
    assert "2026年第1季度" in refused.value.message
    db.session.rollback()


def test_a_lock_holds_neither_its_siblings_nor_the_day_after(make, lock):
    person = make.person()
    lock(BANNER)
    make.employment(person, LAST_LOCKED, division=OTHER_VILLAGE)
    make.employment(person, FIRST_FREE, division=COMMUNITY)


def test_every_lock_holding_the_record_is_named(make, lock):
    person = make.person()
    lock(BANNER)
    lock(COMMUNITY, "2026-02")
    with pytest.raises(PeriodLocked) as refused:
        make.unemployment(person, D(2026, 2, 10), division=COMMUNITY)
    assert "乌兰浩特市 2026年第1季度" in refused.value.message
    assert "第一社区 2026年2月" in refused.value.message
    assert "2026-03-31" in refused.value.message
    db.session.rollback()


def test_a_change_of_bookkeeping_alone_passes(make, lock):
    registration = make.employment(make.person(), D(2026, 2, 1), division=COMMUNITY)
    db.session.commit()
    lock(BANNER)
    registration.updated_at = registration.updated_at + dt.timedelta(seconds=1)
    db.session.flush()
    registration.employer_name = "改名"
    with pytest.raises(PeriodLocked):
        db.session.flush()
    db.session.rollback()


def test_a_change_of_an_attribute_not_loaded_is_compared_with_the_stored_row(make, lock):
    registration = make.employment(make.person(), D(2026, 2, 1), division=COMMUNITY,
                                   end=D(2026, 3, 1))
    db.session.commit()  # expires every attribute
    lock(BANNER)
    db.session.expire(registration)
    registration.end_date = D(2026, 5, 1)  # set without loading: the old end is in the period
    with pytest.raises(PeriodLocked):
        db.session.flush()
    db.session.rollback()


def test_a_spell_lies_where_its_person_has_records(make, lock):
    person = make.person()
    make.employment(person, D(2025, 5, 1), division=COMMUNITY)
    lock(COMMUNITY)
    with pytest.raises(PeriodLocked):
        make.spell(person, D(2026, 2, 1))
    db.session.rollback()


def test_a_lock_only_through_a_record_elsewhere_is_not_named(make, lock):
    """STYLE 14: the cadre of the village is not told where else the person is registered."""
    person = make.rural_person(village=VILLAGE)
    make.employment(person, D(2025, 5, 1), division=OTHER_VILLAGE)
    lock(OTHER_BANNER)
    with pytest.raises(PeriodLocked) as refused:
        make.spell(person, D(2026, 2, 1))
    assert "阿尔山市" not in refused.value.message and "林俗村" not in refused.value.message
    assert "其他记录所在地" in refused.value.message
    db.session.rollback()


def test_a_new_membership_and_its_spell_in_one_flush_are_held(make, lock):
    from field_app.households.models import HouseholdMember
    from field_app.surveys.models import TransferSpell

    person, household = make.person(), make.household(VILLAGE)
    lock(VILLAGE)
    db.session.add(HouseholdMember(person_id=person.id, household_id=household.id,
                                   relation="head", labour_capacity="full"))
    db.session.add(TransferSpell(person_id=person.id, kind="non_agri", start_date=D(2026, 2, 1),
                                 stable_workplace=False, stable_income=False))
    with pytest.raises(PeriodLocked):
        db.session.flush()
    db.session.rollback()


def test_a_member_with_spells_only_before_the_locked_period_moves_freely(make, lock):
    person = make.rural_person(village=VILLAGE)
    make.spell(person, D(2024, 1, 1), D(2025, 6, 30))
    db.session.commit()
    lock(VILLAGE)
    member = person.membership
    member.labour_capacity = "none"
    db.session.flush()
    db.session.delete(member)
    db.session.flush()


class _Statements:
    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    def about_locks(self) -> int:
        return sum("period_locks" in s for s in self.seen)


@pytest.fixture
def statements(app_ctx):
    seen = _Statements()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    yield seen
    event.remove(engine, "before_cursor_execute", seen)


def test_without_locks_a_dated_flush_costs_one_small_query_and_others_none(make, statements):
    person = make.person()
    assert statements.about_locks() == 0
    before = len(statements.seen)
    make.employment(person, D(2026, 2, 1), division=COMMUNITY)
    selects = [s for s in statements.seen[before:] if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "period_locks" in selects[0]
    household = make.household(VILLAGE)
    household.address = "新地址"
    db.session.flush()
    assert statements.about_locks() == 1
