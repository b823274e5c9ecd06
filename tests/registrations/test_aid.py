"""就业援助 at the desk: recognition (认定) with the category, exit (退出) with date and reason."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.extensions import db
from field_app.registrations.models import EmploymentAid
from tests.registrations.conftest import COMMUNITY, OTHER_VILLAGE, page


@pytest.fixture
def person(make, clerk, looked_up):
    return looked_up(make.person(dt.date(1975, 2, 3), "female"))


def recognize(client, person, **overrides):
    data = {"division_code": COMMUNITY, "recognized_on": "2026-02-01",
            "category": "older_unemployed"} | overrides
    return client.post(f"/desk/persons/{person.id}/aid", data=data)


def only_aid() -> EmploymentAid:
    return db.session.scalars(select(EmploymentAid)).one()


def test_recognition_is_saved_with_its_category(client, person):
    response = recognize(client, person)
    assert response.status_code == 302
    aid = only_aid()
    assert (aid.recognized_on, aid.category.value, aid.exited_on) == (
        dt.date(2026, 2, 1), "older_unemployed", None)
    shown = page(client.get(response.headers["Location"]))
    assert "大龄失业人员" in shown and "在册" in shown


def test_exit_into_employment_backed_by_a_registration_counts(client, person, make, urban):
    recognize(client, person)
    aid = only_aid()
    make.employment(person, dt.date(2026, 5, 2), registered_on=dt.date(2026, 5, 2),
                    division=COMMUNITY)
    db.session.commit()
    assert urban("hard_to_employ_employed") == 0
    response = client.post(f"/desk/aid/{aid.id}/exit",
                           data={"exited_on": "2026-05-01", "reason": "unit_employment"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (only_aid().exited_on, only_aid().exit_reason.value) == (
        dt.date(2026, 5, 1), "unit_employment")
    assert urban("hard_to_employ_employed") == 1


def test_an_exit_can_be_corrected(client, person, make, urban):
    recognize(client, person)
    aid = only_aid()
    make.employment(person, dt.date(2026, 5, 2), division=COMMUNITY)
    db.session.commit()
    client.post(f"/desk/aid/{aid.id}/exit", data={"exited_on": "2026-05-01",
                                                  "reason": "unit_employment"})
    assert urban("hard_to_employ_employed") == 1
    client.post(f"/desk/aid/{aid.id}/exit", data={"exited_on": "2026-05-01", "reason": "other"})
    db.session.expire_all()
    assert urban("hard_to_employ_employed") == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"exited_on": "2026-01-31", "reason": "other"}, "退出日期早于认定日期"),
    ({"exited_on": "", "reason": "other"}, "请填写日期"),
])
def test_invalid_exits_are_refused(client, person, data, message):
    recognize(client, person)
    response = client.post(f"/desk/aid/{only_aid().id}/exit", data=data)
    assert response.status_code == 422
    assert message in page(response)
    db.session.expire_all()
    assert only_aid().exited_on is None


def test_a_person_recognized_and_not_exited_is_not_recognized_again(client, person, make):
    make.aid(person, dt.date(2025, 6, 1), division=COMMUNITY)
    db.session.commit()
    response = recognize(client, person)
    assert response.status_code == 422
    assert "该人员已于2025-06-01在第一社区被认定为就业困难人员，尚未退出" in page(response)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"category": ""}, "不是有效的选择"),
    ({"recognized_on": ""}, "请填写日期"),
])
def test_invalid_recognitions_are_refused(client, person, overrides, message):
    response = recognize(client, person, **overrides)
    assert response.status_code == 422
    assert message in page(response)


def test_aid_of_another_jurisdiction_is_404(client, make, clerk, person):
    elsewhere = make.aid(make.person(), dt.date(2026, 1, 5), division=OTHER_VILLAGE)
    db.session.commit()
    assert client.get(f"/desk/aid/{elsewhere.id}").status_code == 404
    assert client.post(f"/desk/aid/{elsewhere.id}/exit",
                       data={"exited_on": "2026-05-01", "reason": "other"}).status_code == 404
    assert recognize(client, person, division_code=OTHER_VILLAGE).status_code == 422
