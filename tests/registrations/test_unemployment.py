"""失业登记 at the desk: register, cancel (注销) with reason and date, invalidate; refused
while the person has open employment unless that employment ends in the same step."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.extensions import db
from field_app.registrations.models import UnemploymentRegistration
from tests.registrations.conftest import COMMUNITY, OTHER_VILLAGE, page


def unemployment_form(**overrides):
    return {"division_code": COMMUNITY, "registered_on": "2026-04-01"} | overrides


@pytest.fixture
def person(make, clerk, looked_up):
    return looked_up(make.person(dt.date(1988, 8, 8)))


def register(client, person, **overrides):
    return client.post(f"/desk/persons/{person.id}/unemployment",
                       data=unemployment_form(**overrides))


def only_registration() -> UnemploymentRegistration:
    return db.session.scalars(select(UnemploymentRegistration)).one()


def test_registration_is_saved_and_counts_as_registered_unemployed(client, person, urban):
    response = register(client, person, receives_benefit="y")
    assert response.status_code == 302
    registration = only_registration()
    assert (registration.registered_on, registration.receives_benefit, registration.valid) == (
        dt.date(2026, 4, 1), True, True)
    assert urban("registered_unemployed") == 1
    assert "在册" in page(client.get(response.headers["Location"]))


def test_invalidated_registration_stops_counting(client, person, urban):
    register(client, person)
    registration = only_registration()
    assert client.post(f"/desk/unemployment/{registration.id}/invalidate",
                       data={"reason": "重复登记"}).status_code == 302
    db.session.expire_all()
    assert urban("registered_unemployed") == 0
    assert (only_registration().valid, only_registration().invalid_reason) == (False, "重复登记")


def test_invalidation_needs_a_reason(client, person):
    register(client, person)
    registration = only_registration()
    response = client.post(f"/desk/unemployment/{registration.id}/invalidate",
                           data={"reason": ""})
    assert response.status_code == 422
    assert "必填" in page(response)
    db.session.expire_all()
    assert only_registration().valid


def test_an_invalid_registration_cannot_be_invalidated_again(client, person):
    register(client, person)
    registration = only_registration()
    client.post(f"/desk/unemployment/{registration.id}/invalidate", data={"reason": "错"})
    response = client.post(f"/desk/unemployment/{registration.id}/invalidate",
                           data={"reason": "又错"}, follow_redirects=True)
    assert "该登记已作废" in page(response)
    db.session.expire_all()
    assert only_registration().invalid_reason == "错"


def test_cancellation_keeps_reason_and_date_and_ends_the_count_after_it(client, person, urban):
    register(client, person)
    registration = only_registration()
    response = client.post(f"/desk/unemployment/{registration.id}/cancel",
                           data={"cancelled_on": "2026-05-20", "reason": "moved_away"})
    assert response.status_code == 302
    db.session.expire_all()
    cancelled = only_registration()
    assert (cancelled.cancelled_on, cancelled.cancel_reason.value) == (
        dt.date(2026, 5, 20), "moved_away")
    assert urban("registered_unemployed", b=dt.date(2026, 5, 19)) == 1
    assert urban("registered_unemployed") == 0
    shown = page(client.get(f"/desk/unemployment/{registration.id}"))
    assert "已注销" in shown and "迁出本地" in shown


@pytest.mark.parametrize(("data", "message"), [
    ({"cancelled_on": "2026-03-31", "reason": "employed"}, "注销日期早于登记日期"),
    ({"cancelled_on": "", "reason": "employed"}, "请填写日期"),
    ({"cancelled_on": "2026-05-20", "reason": "bored"}, "不是有效的选择"),
])
def test_invalid_cancellations_are_refused(client, person, data, message):
    register(client, person)
    registration = only_registration()
    response = client.post(f"/desk/unemployment/{registration.id}/cancel", data=data)
    assert response.status_code == 422
    assert message in page(response)
    db.session.expire_all()
    assert only_registration().cancelled_on is None


def test_open_employment_refuses_the_registration_with_the_reason(client, person, make, urban):
    make.employment(person, dt.date(2025, 9, 1), division=COMMUNITY)
    db.session.commit()
    response = register(client, person)
    assert response.status_code == 422
    assert "该人员在第一社区有2025-09-01起的就业登记尚未终止，不能进行失业登记" in page(response)
    assert db.session.scalars(select(UnemploymentRegistration)).first() is None


def test_employment_ended_in_the_same_step_lets_the_registration_through(client, person, make,
                                                                        urban):
    employment = make.employment(person, dt.date(2025, 9, 1), division=COMMUNITY)
    db.session.commit()
    response = register(client, person, end_employment_on="2026-03-31")
    assert response.status_code == 302
    db.session.expire_all()
    assert employment.end_date == dt.date(2026, 3, 31)
    assert urban("registered_unemployed") == 1


def test_employment_ending_after_the_registration_date_is_refused(client, person, make):
    make.employment(person, dt.date(2025, 9, 1), division=COMMUNITY)
    db.session.commit()
    response = register(client, person, end_employment_on="2026-04-02")
    assert response.status_code == 422
    assert "终止就业日期不能晚于失业登记日期" in page(response)


def test_employment_ended_before_the_registration_date_does_not_block(client, person, make):
    make.employment(person, dt.date(2025, 9, 1), end=dt.date(2026, 4, 1), division=COMMUNITY)
    db.session.commit()
    assert register(client, person).status_code == 302


def test_open_employment_elsewhere_cannot_be_ended_from_here(client, person, make):
    employment = make.employment(person, dt.date(2025, 9, 1), division=OTHER_VILLAGE)
    db.session.commit()
    response = register(client, person, end_employment_on="2026-03-31")
    assert response.status_code == 422
    assert "有未终止的就业登记（不在您的管辖范围内）" in page(response)
    db.session.expire_all()
    assert employment.end_date is None


def test_a_person_already_registered_unemployed_is_refused(client, person, make):
    make.unemployment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    db.session.commit()
    response = register(client, person)
    assert response.status_code == 422
    assert "该人员已在第一社区于2026-02-01进行失业登记，尚未注销" in page(response)


def test_registration_date_is_required(client, person):
    response = register(client, person, registered_on="")
    assert response.status_code == 422
    assert "请填写日期" in page(response)


# --- jurisdiction ----------------------------------------------------------------------

def test_a_division_outside_the_jurisdiction_is_refused(client, person):
    assert register(client, person, division_code=OTHER_VILLAGE).status_code == 422
    assert db.session.scalars(select(UnemploymentRegistration)).first() is None


def test_a_registration_of_another_jurisdiction_is_404(client, make, clerk):
    elsewhere = make.unemployment(make.person(), dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    db.session.commit()
    assert client.get(f"/desk/unemployment/{elsewhere.id}").status_code == 404
    assert client.post(f"/desk/unemployment/{elsewhere.id}/cancel",
                       data={"cancelled_on": "2026-05-01", "reason": "employed"}
                       ).status_code == 404
    assert client.post(f"/desk/unemployment/{elsewhere.id}/invalidate",
                       data={"reason": "x"}).status_code == 404


def test_employment_ending_after_the_registration_date_blocks_it(client, person, make):
    make.employment(person, dt.date(2025, 9, 1), end=dt.date(2026, 8, 31), division=COMMUNITY)
    db.session.commit()
    response = register(client, person, end_employment_on="2026-03-31")
    assert response.status_code == 422
    assert "有2025-09-01起的就业登记尚未终止" in page(response)
