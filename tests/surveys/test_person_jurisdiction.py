"""Shared person records on the phone (STYLE 14): a collector links a person the system
knows, but changes a person's name, hukou or phone only where every record of that person
lies in the village, and learns nothing the collector did not type about the rest."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.accounts.roles import Role
from field_app.audit.models import AuditEvent, AuditEventDivision
from field_app.extensions import db, limiter
from field_app.households.models import HouseholdMember, Person
from tests.factories import make_id_number
from tests.surveys import helpers as h

VILLAGE = "152201100201"  # 葛根庙嘎查, the collector's village (乌兰浩特市)
ELSEWHERE = "152202100201"  # 林俗村, in another county (阿尔山市)
# Words that name the other county's facts; none may reach the collector.
FOREIGN = ("阿拉坦", "林俗村", "阿尔山", "白狼", "失业登记", "2026-01-05")


@pytest.fixture
def registered_elsewhere(make):
    """A person the system knows only from 林俗村's unemployment desk."""
    person = make.person(dt.date(1985, 1, 2), id_number=make_id_number(dt.date(1985, 1, 2)),
                         name="阿拉坦", hukou="rural", phone="13811112222")
    make.unemployment(person, dt.date(2026, 1, 5), division=ELSEWHERE)
    db.session.commit()
    return person


def _stored(person: Person) -> tuple:
    db.session.expire_all()
    again = db.session.get(Person, person.id)
    return again.name, again.hukou, again.phone


def _says_nothing_foreign(answer) -> None:
    text = repr(answer)
    assert not [word for word in FOREIGN if word in text], text


def _linked(cadre, person, **data):
    """A new household with the person linked as its head; the answers."""
    house = h.household()
    member = h.member(house["target_ref"], person.id_number, name="阿拉坦", **data)
    return cadre.sync(house, member)


# --- linking --------------------------------------------------------------------------------

def test_linking_a_person_of_another_county_says_only_that_the_name_matches(
        cadre, registered_elsewhere):
    result = _linked(cadre, registered_elsewhere)[1]

    assert result["status"] == "applied"
    assert result["notice"] == "已关联系统中已有的人员（姓名与登记一致），未重复建档"
    assert result["household"]["members"][0]["registered_elsewhere"] == []
    _says_nothing_foreign({k: v for k, v in result.items() if k != "household"})
    _says_nothing_foreign(cadre.roster()["households"][0]["members"][0]["registered_elsewhere"])


def test_a_linked_person_of_another_county_shows_no_stored_phone_or_hukou(
        cadre, registered_elsewhere):
    answered = _linked(cadre, registered_elsewhere)[1]["household"]["members"][0]
    listed = cadre.roster()["households"][0]["members"][0]

    for member in (answered, listed):
        assert (member["name"], member["phone_masked"], member["hukou"]) == ("阿拉坦", None, None)
        assert member["maintained_elsewhere"] is True
        assert "2222" not in repr(member)


def test_a_name_that_does_not_match_a_person_of_another_county_is_refused(
        cadre, registered_elsewhere):
    house = h.household()
    results = cadre.sync(house, h.member(house["target_ref"], registered_elsewhere.id_number,
                                         name="巴特尔"))

    assert results[1]["status"] == "rejected"
    assert list(results[1]["errors"]) == ["name"]
    assert "姓名只能由其登记机构更正" in results[1]["errors"]["name"][0]
    _says_nothing_foreign(results[1])
    assert _stored(registered_elsewhere) == ("阿拉坦", "rural", "13811112222")
    assert db.session.scalar(select(HouseholdMember.id)) is None


def test_a_phone_given_for_a_person_of_another_county_is_refused_whether_it_matches_or_not(
        cadre, registered_elsewhere):
    same = _linked(cadre, registered_elsewhere, phone="13811112222")[1]
    other = _linked(cadre, registered_elsewhere, phone="13900000000")[1]

    # One answer for both: retries cannot find the stored number by which one is accepted.
    assert same["status"] == other["status"] == "rejected"
    assert same["errors"] == other["errors"] == {
        "phone": ["此人在您的管辖范围以外也有登记，电话只能由其登记机构更正；请将此项留空"]}
    assert _stored(registered_elsewhere) == ("阿拉坦", "rural", "13811112222")


def test_a_different_hukou_for_a_person_of_another_county_is_refused(
        cadre, registered_elsewhere):
    assert _linked(cadre, registered_elsewhere, hukou="urban")[1]["status"] == "rejected"
    assert _linked(cadre, registered_elsewhere, hukou="rural")[1]["status"] == "applied"
    assert _stored(registered_elsewhere) == ("阿拉坦", "rural", "13811112222")


def test_later_saves_cannot_rewrite_a_linked_person_of_another_county(
        cadre, registered_elsewhere):
    house_ref = h.new_ref()
    head = h.member(house_ref, registered_elsewhere.id_number, name="阿拉坦")
    cadre.sync(h.household(house_ref), head)
    ref = head["target_ref"]

    renamed = cadre.sync(h.member(house_ref, "", ref=ref, base=1, name="张三",
                                  hukou="urban"))[0]
    rephoned = cadre.sync(h.member(house_ref, "", ref=ref, base=1, name="阿拉坦",
                                   phone="13900000000"))[0]
    relation = cadre.sync(h.member(house_ref, "", ref=ref, base=1, name="阿拉坦",
                                   hukou="rural", relation="spouse"))[0]

    assert renamed["status"] == rephoned["status"] == "rejected"
    assert set(renamed["errors"]) == {"name", "hukou"} and set(rephoned["errors"]) == {"phone"}
    _says_nothing_foreign([(r["message"], r["errors"]) for r in (renamed, rephoned)])
    assert relation["status"] == "applied"  # the membership is the village's own
    assert _stored(registered_elsewhere) == ("阿拉坦", "rural", "13811112222")


def test_a_person_whose_records_all_lie_in_the_village_is_still_corrected_by_its_collector(
        cadre):
    house_ref, number = h.new_ref(), make_id_number(dt.date(1992, 3, 4))
    head = h.member(house_ref, number, name="巴特尔", phone="13800001111")
    cadre.sync(h.household(house_ref), head)

    result = cadre.sync(h.member(house_ref, "", ref=head["target_ref"], base=1,
                                 name="巴特尔朝鲁", hukou="urban", phone="13800002222"))[0]

    assert result["status"] == "applied"
    person = db.session.scalar(select(Person).where(Person.id_number == number))
    assert (person.name, person.hukou, person.phone) == ("巴特尔朝鲁", "urban", "13800002222")


def test_a_person_registered_at_a_desk_in_the_same_village_is_the_villages_to_correct(
        cadre, make):
    person = make.person(name="其其格")
    make.employment(person, dt.date(2026, 2, 1), division=VILLAGE)
    db.session.commit()
    house = h.household()
    result = cadre.sync(house, h.member(house["target_ref"], person.id_number,
                                        name="其其格玛"))[1]

    assert result["status"] == "applied"
    assert result["notice"] == ("已关联系统中已有的人员，姓名已按本次填写更正，未重复建档"
                                "；本辖区内另见：葛根庙嘎查 就业登记")
    assert _stored(person)[0] == "其其格玛"


def test_a_member_of_a_household_in_another_county_is_refused_without_naming_it(cadre, make):
    person = make.person(name="阿拉坦")
    other = make.household(ELSEWHERE)
    make.member(person, other)
    db.session.commit()
    house = h.household()
    result = cadre.sync(house, h.member(house["target_ref"], person.id_number, name="阿拉坦"))[1]

    assert result["status"] == "rejected"
    assert result["errors"]["id_number"] == [
        "此人已是其他户的成员，一人只能属于一户；如已迁入本户，请先由原户所在村移出"]
    assert other.code not in repr(result)
    _says_nothing_foreign(result)


# --- removal --------------------------------------------------------------------------------

def test_removing_a_member_is_logged_against_the_person_with_the_household_left(
        cadre, registered_elsewhere):
    house_ref = h.new_ref()
    head = h.member(house_ref, registered_elsewhere.id_number, name="阿拉坦")
    code = cadre.sync(h.household(house_ref), head)[1]["household"]["code"]
    assert cadre.sync(h.change("member.remove", house_ref, head["target_ref"], 1))[0][
        "status"] == "applied"

    db.session.expire_all()
    trace = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "member_remove")).scalar_one()
    assert (trace.target_type, trace.target_id, trace.division_code) == (
        "persons", str(registered_elsewhere.id), VILLAGE)
    assert trace.before["household_code"] == code and trace.before["relation"] == "head"
    assert trace.actor_name.startswith("village_collector")
    # The county that maintains the person sees the removal in its own log.
    assert ELSEWHERE in set(db.session.scalars(select(AuditEventDivision.division_code).where(
        AuditEventDivision.event_id == trace.id)))
    assert _stored(registered_elsewhere) == ("阿拉坦", "rural", "13811112222")


# --- the person look-up ---------------------------------------------------------------------

def test_looking_up_a_person_of_another_county_shows_neither_name_nor_place(cadre, make):
    person = make.person(name="阿拉坦")
    make.member(person, make.household(ELSEWHERE))
    make.unemployment(person, dt.date(2026, 1, 5), division=ELSEWHERE)
    db.session.commit()
    found = cadre.client.get(f"/api/survey/person?id_number={person.id_number}").get_json()

    assert found == {"server": "field_app", "known": True, "linkable": False,
                     "name_masked": None, "where": []}
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "survey_person_lookup"))
    assert event.target_id == str(person.id)
    # The auditors of the person's own village see who looked them up from outside.
    assert db.session.scalars(select(AuditEventDivision.division_code).where(
        AuditEventDivision.event_id == event.id)).all() == [ELSEWHERE]


@pytest.mark.parametrize("number", ["", "x", "1" * 200, "15220119850102031\x00",
                                    "１５２２０１１９８５０１０２０３１６"])
def test_a_look_up_with_no_well_formed_id_number_finds_no_one(cadre, number):
    response = cadre.client.get("/api/survey/person", query_string={"id_number": number})
    assert response.status_code == 200 and response.get_json()["known"] is False


@pytest.fixture
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()  # the counts live in the process: later tests start from none


def test_person_look_ups_are_limited_per_collector(cadre, client, make, fresh_limits, app):
    number = make_id_number(dt.date(1980, 1, 1))
    for _ in range(60):
        assert cadre.client.get(f"/api/survey/person?id_number={number}").status_code == 200
    refused = cadre.client.get(f"/api/survey/person?id_number={number}")

    assert refused.status_code == 429
    assert refused.get_json() | {"message": None} == {
        "code": "too_many_requests", "status": 429, "message": None, "errors": {}}
    assert "查询过于频繁" in refused.get_json()["message"]
    # Another collector is not held back by the first one's look-ups.
    with app.test_client() as other:
        user = make.user(Role.VILLAGE_COLLECTOR, VILLAGE)
        db.session.commit()
        other.post("/login", data={"username": user.username, "password": "Field-app-2026"})
        assert other.get(f"/api/survey/person?id_number={number}").status_code == 200
