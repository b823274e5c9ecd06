"""Every desk form starts from an ID number: checked at once, sex, birth date and age shown,
an existing person reused with a summary of their registrations in the user's jurisdiction."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.households.models import Person
from tests.factories import make_id_number
from tests.registrations.conftest import COMMUNITY, OTHER_VILLAGE, page


def lookup(client, number):
    return client.post("/desk/", data={"id_number": number})


def with_wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


@pytest.mark.parametrize(("number", "message"), [
    (with_wrong_check(make_id_number(dt.date(1990, 1, 1))), "身份证号码校验码错误"),
    ("15220119900101123", "身份证号码应为18位"),
    ("15220119901301", "身份证号码应为18位"),
])
def test_bad_id_numbers_are_refused_with_the_reason(client, clerk, number, message):
    response = lookup(client, number)
    assert response.status_code == 422
    assert message in page(response)


def test_a_birth_date_in_the_future_is_refused(client, clerk):
    response = lookup(client, make_id_number(dt.date(2027, 1, 1)))
    assert response.status_code == 422
    assert "身份证号码中的出生日期晚于今天" in page(response)


def test_a_new_number_shows_sex_birth_date_and_age_and_offers_a_file(client, clerk):
    number = make_id_number(dt.date(2000, 6, 16), "female")
    shown = page(lookup(client, number.lower()))
    assert "系统中尚无此人" in shown
    assert "<dd>女</dd>" in shown and "<dd>2000-06-16</dd>" in shown
    assert "<dd>25</dd>" in shown  # 26 only from 16 June 2026
    response = client.post("/desk/persons", data={"id_number": number, "name": "乌日娜",
                                                  "phone": "13912345678", "hukou": "urban"})
    assert response.status_code == 302
    person = db.session.scalars(select(Person)).one()
    assert (person.name, person.sex.value, person.birth_date) == ("乌日娜", "female",
                                                                 dt.date(2000, 6, 16))
    assert response.headers["Location"].endswith(f"/desk/persons/{person.id}")


@pytest.mark.parametrize(("data", "message"), [
    ({"name": ""}, "必填"),
    ({"name": "名" * 101}, "长度超过100个字符"),
    ({"phone": "电话"}, "电话号码格式不正确"),
])
def test_a_new_person_is_checked_as_persons_csv_rows_are(client, clerk, data, message):
    number = make_id_number(dt.date(2000, 6, 16))
    response = client.post("/desk/persons", data={"id_number": number, "name": "某人"} | data)
    assert response.status_code == 422
    assert message in page(response)
    assert db.session.scalars(select(Person)).first() is None


def test_an_existing_person_from_a_survey_is_reused(client, make, clerk):
    villager = make.rural_person(dt.date(1990, 4, 1))
    db.session.commit()
    response = lookup(client, villager.id_number)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/desk/persons/{villager.id}")
    assert db.session.scalar(select(Person.id).where(Person.id != villager.id)) is None


def test_the_summary_shows_current_registrations_in_the_jurisdiction_only(client, make,
                                                                          clerk):
    person = make.person(dt.date(1980, 3, 3), name="巴特尔")
    make.employment(person, dt.date(2024, 5, 1), division=COMMUNITY,
                    employment_type="unit")
    make.unemployment(person, dt.date(2026, 1, 5), division=OTHER_VILLAGE)
    make.aid(person, dt.date(2025, 11, 1), division=COMMUNITY)
    db.session.commit()
    shown = page(client.get(lookup(client, person.id_number).headers["Location"]))
    assert "巴特尔" in shown
    assert "单位就业" in shown and "2024-05-01起" in shown
    assert "2025-11-01认定" in shown
    assert "2026-01-05" not in shown  # registered unemployed, but in another banner


def test_numbers_are_masked_and_the_full_view_is_audited(client, make, clerk):
    person = make.person(dt.date(1980, 3, 3), phone="13987654321")
    db.session.commit()
    lookup(client, person.id_number)
    shown = page(client.get(f"/desk/persons/{person.id}"))
    assert person.id_number not in shown and "139****4321" in shown
    revealed = page(client.post(f"/desk/persons/{person.id}/reveal"))
    assert person.id_number in revealed and "13987654321" in revealed
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view_full_id")).one()
    assert (event.actor_id, event.target_type, event.target_id) == (
        clerk.id, "persons", str(person.id))


def test_a_person_neither_looked_up_nor_registered_here_is_404(client, make, clerk):
    stranger = make.person(dt.date(1980, 3, 3))
    make.unemployment(stranger, dt.date(2026, 1, 5), division=OTHER_VILLAGE)
    db.session.commit()
    assert client.get(f"/desk/persons/{stranger.id}").status_code == 404
    assert client.post(f"/desk/persons/{stranger.id}/reveal").status_code == 404


def test_a_person_registered_here_is_reachable_without_a_lookup(client, make, clerk):
    local = make.person(dt.date(1980, 3, 3))
    make.unemployment(local, dt.date(2026, 1, 5), division=COMMUNITY)
    db.session.commit()
    assert client.get(f"/desk/persons/{local.id}").status_code == 200


def test_the_lookup_page_checks_the_number_in_the_browser_too(client, clerk):
    shown = page(client.get("/desk/"))
    assert 'src="/static/js/idcheck.js?v=' in shown and "data-idcheck" in shown
    assert shown.index("js/gb11643.js") < shown.index("js/idcheck.js")  # the check it calls
    assert "<script>" not in shown  # the CSP allows no inline script


def test_the_desk_speaks_english_on_request(client, clerk):
    number = make_id_number(dt.date(1990, 1, 1))
    response = client.post("/desk/?lang=en", data={"id_number": with_wrong_check(number)})
    assert response.status_code == 422
    assert "ID number check character is wrong" in page(response)
    assert 'lang="en"' in page(response)
