"""The desk's refusals about a person's records (STYLE 14): a record in the clerk's
jurisdiction is named with its place and date, one elsewhere by neither; and the desk
changes no person's identifying fields."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import Person
from field_app.registrations.models import EmploymentAid, UnemploymentRegistration
from tests.registrations.conftest import COMMUNITY, OTHER_VILLAGE, page

# What a refusal would give away about 林俗村 (another county) and its record.
ELSEWHERE_FACTS = ("林俗村", "阿尔山", "白狼", "2025-06-25", "2025-06-01", "2026-02-01")


@pytest.fixture
def person(make, clerk, looked_up):
    return looked_up(make.person(dt.date(1975, 2, 3), "female", name="萨仁"))


def _unemployment(client, person):
    return client.post(f"/desk/persons/{person.id}/unemployment",
                       data={"division_code": COMMUNITY, "registered_on": "2026-04-01"})


def _aid(client, person):
    return client.post(f"/desk/persons/{person.id}/aid",
                       data={"division_code": COMMUNITY, "recognized_on": "2026-04-01",
                             "category": "older_unemployed"})


CASES = {
    "employment": (
        lambda make, p: make.employment(p, dt.date(2025, 6, 25), division=OTHER_VILLAGE),
        _unemployment,
        "该人员有未终止的就业登记（不在您的管辖范围内），不能进行失业登记，请联系其登记地"),
    "unemployment": (
        lambda make, p: make.unemployment(p, dt.date(2026, 2, 1), division=OTHER_VILLAGE),
        _unemployment,
        "该人员有尚未注销的失业登记（不在您的管辖范围内），请联系其登记地"),
    "aid": (
        lambda make, p: make.aid(p, dt.date(2025, 6, 1), division=OTHER_VILLAGE),
        _aid,
        "该人员有尚未退出的就业困难人员认定（不在您的管辖范围内），请联系其认定地"),
}


@pytest.mark.parametrize("kind", CASES)
def test_a_refusal_for_a_record_in_another_county_names_neither_place_nor_date(
        client, make, person, kind):
    held, submit, message = CASES[kind]
    held(make, person)
    db.session.commit()
    response = submit(client, person)

    assert response.status_code == 422
    shown = page(response)
    assert message in shown
    assert [fact for fact in ELSEWHERE_FACTS if fact in shown] == []
    assert db.session.scalar(select(func.count()).select_from(UnemploymentRegistration)) == (
        1 if kind == "unemployment" else 0)
    assert db.session.scalar(select(func.count()).select_from(EmploymentAid)) == (
        1 if kind == "aid" else 0)


def test_a_refusal_names_the_record_in_the_clerks_jurisdiction_when_there_is_one(
        client, make, person):
    make.unemployment(person, dt.date(2026, 1, 5), division=OTHER_VILLAGE)
    make.unemployment(person, dt.date(2026, 3, 9), division=COMMUNITY)
    db.session.commit()
    shown = page(_unemployment(client, person))
    assert "该人员已在第一社区于2026-03-09进行失业登记，尚未注销" in shown
    assert "林俗村" not in shown and "2026-01-05" not in shown


def test_the_desk_cannot_enter_a_known_person_again_under_another_name(client, make, clerk):
    known = make.person(dt.date(1980, 3, 3), name="巴特尔", phone="13911112222")
    make.unemployment(known, dt.date(2026, 1, 5), division=OTHER_VILLAGE)
    db.session.commit()
    response = client.post("/desk/persons", data={"id_number": known.id_number, "name": "张三",
                                                  "phone": "13900000000"})
    assert response.status_code == 422
    assert "该身份证号码的人员已存在" in page(response)
    db.session.expire_all()
    assert (db.session.get(Person, known.id).name, db.session.get(Person, known.id).phone) == (
        "巴特尔", "13911112222")
