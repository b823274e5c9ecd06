"""The desk inside a locked period: every form that would change a locked period's figures is
sent back (422) with a message naming the division and the period, and writes nothing; the
same form the day after the period, in another county or after the lock is released saves."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from tests.factories import uscc_for
from tests.locks.conftest import (
    BANNER,
    COMMUNITY,
    FIRST_FREE,
    LAST_LOCKED,
    NEIGHBOUR,
    OTHER_BANNER,
    STREET,
    page,
)

BANNER_Q1 = ("乌兰浩特市 2026年第1季度", "2026-03-31")
STREET_Q1 = ("都林街道 2026年第1季度", "2026-03-31")
COMMUNITY_Q1 = ("第一社区 2026年第1季度", "2026-03-31")


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _refused(response, names) -> None:
    assert response.status_code == 422, response.status_code
    shown = page(response)
    assert "已报送锁定" in shown
    for name in names:
        assert name in shown


@pytest.fixture
def person(make, clerk, looked_up):
    return looked_up(make.person(dt.date(1990, 5, 17)))


def _employment(client, person, start: dt.date):
    return client.post(f"/desk/persons/{person.id}/employment", data={
        "division_code": COMMUNITY, "employment_type": "unit",
        "employer_uscc": uscc_for(3), "employer_name": "兴安盟某某有限公司",
        "start_date": start.isoformat(), "registered_on": FIRST_FREE.isoformat(),
        "person_category": "new_entrant"})


def test_an_employment_starting_in_a_locked_county_is_refused(client, person, lock):
    lock(BANNER)
    _refused(_employment(client, person, LAST_LOCKED), BANNER_Q1)
    assert _count(EmploymentRegistration) == 0


def test_an_employment_starting_the_day_after_the_locked_period_is_saved(client, person, lock):
    lock(BANNER)
    assert _employment(client, person, FIRST_FREE).status_code == 302
    assert _count(EmploymentRegistration) == 1


def test_a_lock_of_another_county_does_not_hold_the_desk(client, person, lock):
    lock(OTHER_BANNER)
    assert _employment(client, person, LAST_LOCKED).status_code == 302


def test_an_unemployment_registration_in_a_locked_township_is_refused(client, person, lock):
    lock(STREET)
    response = client.post(f"/desk/persons/{person.id}/unemployment", data={
        "division_code": COMMUNITY, "registered_on": "2026-02-10"})
    _refused(response, STREET_Q1)
    assert _count(UnemploymentRegistration) == 0


@pytest.fixture
def employed(make, person):
    registration = make.employment(person, dt.date(2026, 1, 10), division=COMMUNITY)
    db.session.commit()
    return registration


def test_an_end_inside_the_locked_period_is_refused(client, employed, lock):
    lock(STREET)
    response = client.post(f"/desk/employment/{employed.id}/end",
                           data={"end_date": LAST_LOCKED.isoformat()})
    _refused(response, STREET_Q1)
    assert db.session.get(EmploymentRegistration, employed.id).end_date is None


def test_an_end_after_the_locked_period_of_a_registration_inside_it_is_saved(client, employed,
                                                                             lock):
    lock(STREET)
    response = client.post(f"/desk/employment/{employed.id}/end",
                           data={"end_date": FIRST_FREE.isoformat()})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EmploymentRegistration, employed.id).end_date == FIRST_FREE


def test_invalidating_a_registration_of_a_locked_period_is_refused(client, employed, lock):
    lock(BANNER)
    response = client.post(f"/desk/employment/{employed.id}/invalidate",
                           data={"reason": "录错"})
    _refused(response, BANNER_Q1)
    assert db.session.get(EmploymentRegistration, employed.id).valid


def test_invalidating_is_saved_once_the_lock_is_released(client, employed, lock, release):
    release(lock(BANNER))
    response = client.post(f"/desk/employment/{employed.id}/invalidate",
                           data={"reason": "录错"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(EmploymentRegistration, employed.id).valid


@pytest.mark.parametrize(("day", "status"), [(LAST_LOCKED, 422), (FIRST_FREE, 302)])
def test_a_cancellation_is_refused_only_on_or_before_the_locked_periods_end(
        client, make, person, lock, day, status):
    registration = make.unemployment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    db.session.commit()
    lock(COMMUNITY)
    response = client.post(f"/desk/unemployment/{registration.id}/cancel",
                           data={"cancelled_on": day.isoformat(), "reason": "employed"})
    assert response.status_code == status
    if status == 422:
        _refused(response, COMMUNITY_Q1)
    db.session.expire_all()
    stored = db.session.get(UnemploymentRegistration, registration.id).cancelled_on
    assert stored == (None if status == 422 else day)


@pytest.mark.parametrize(("day", "status"), [(dt.date(2026, 3, 1), 422), (FIRST_FREE, 302)])
def test_an_aid_exit_is_refused_only_inside_the_locked_period(client, make, person, lock, day,
                                                            status):
    aid = make.aid(person, dt.date(2026, 1, 5), division=COMMUNITY)
    db.session.commit()
    lock(STREET)
    response = client.post(f"/desk/aid/{aid.id}/exit",
                           data={"exited_on": day.isoformat(), "reason": "unit_employment"})
    assert response.status_code == status
    db.session.expire_all()
    assert db.session.get(EmploymentAid, aid.id).exited_on == (None if status == 422 else day)


def test_an_aid_recognition_in_a_locked_village_is_refused(client, person, lock):
    lock(COMMUNITY)
    response = client.post(f"/desk/persons/{person.id}/aid", data={
        "division_code": COMMUNITY, "recognized_on": "2026-02-01",
        "category": "older_unemployed"})
    _refused(response, COMMUNITY_Q1)
    assert _count(EmploymentAid) == 0


def _attrition(client, person, division: str, day: dt.date):
    return client.post(f"/desk/persons/{person.id}/attrition", data={
        "division_code": division, "occurred_on": day.isoformat(), "reason": "retirement"})


def test_attrition_in_a_locked_village_is_refused_and_saved_in_the_village_beside(
        client, make, statistician, looked_up, lock):
    retiree = looked_up(make.person(dt.date(1966, 3, 1), name="退休人员"))
    lock(COMMUNITY)
    _refused(_attrition(client, retiree, COMMUNITY, LAST_LOCKED), COMMUNITY_Q1)
    assert _count(NaturalAttrition) == 0
    assert _attrition(client, retiree, NEIGHBOUR, LAST_LOCKED).status_code == 302
    assert _count(NaturalAttrition) == 1


def _total(client, day: dt.date, total: str = "12000"):
    return client.post("/desk/totals/new", data={
        "division_code": BANNER, "as_of": day.isoformat(), "employed_total": total,
        "deduction": "0"})


def test_an_employed_total_of_a_locked_period_is_refused_and_saved_the_day_after(
        client, statistician, lock):
    lock(BANNER)
    _refused(_total(client, LAST_LOCKED), BANNER_Q1)
    assert _count(EmployedTotal) == 0
    assert _total(client, FIRST_FREE).status_code == 302
    assert _count(EmployedTotal) == 1


def test_correcting_a_stored_employed_total_of_a_locked_period_is_refused(client, make,
                                                                         statistician, lock):
    make.employed_total(BANNER, LAST_LOCKED, 11000)
    db.session.commit()
    lock(BANNER)
    _refused(_total(client, LAST_LOCKED, "12500"), BANNER_Q1)
    db.session.expire_all()
    assert db.session.scalar(select(EmployedTotal.employed_total)) == 11000


def test_invalidating_an_employed_total_of_a_locked_period_is_refused(client, make,
                                                                     statistician, lock):
    figure = make.employed_total(BANNER, LAST_LOCKED, 11000)
    db.session.commit()
    lock(BANNER)
    response = client.post(f"/desk/totals/{figure.id}/invalidate", data={"reason": "重报"})
    _refused(response, BANNER_Q1)
    db.session.expire_all()
    assert db.session.get(EmployedTotal, figure.id).valid
