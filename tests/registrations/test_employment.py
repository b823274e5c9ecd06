"""就业登记 at the desk: the form, the importer's rules, the jurisdiction, the indicators, and
the continuation warning that appears exactly when rule 1 clause 6 would exclude the entry."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from field_app.extensions import db
from field_app.registrations.models import EmploymentRegistration, Employer
from tests.factories import uscc_for
from tests.registrations.conftest import COMMUNITY, OTHER_VILLAGE, page

START = "2026-03-02"


def employment_form(**overrides):
    return {"division_code": COMMUNITY, "employment_type": "unit",
            "employer_uscc": uscc_for(3), "employer_name": "兴安盟某某有限公司",
            "start_date": START, "registered_on": "2026-03-05",
            "person_category": "new_entrant"} | overrides


@pytest.fixture
def person(make, clerk, looked_up):
    return looked_up(make.person(dt.date(1990, 5, 17)))


def register(client, person, **overrides):
    return client.post(f"/desk/persons/{person.id}/employment", data=employment_form(**overrides))


def only_registration() -> EmploymentRegistration:
    return db.session.scalars(select(EmploymentRegistration)).one()


def test_registration_is_saved_and_counts_as_new_employment(client, person, urban):
    before = urban("new_employment_gross")
    response = register(client, person)
    assert response.status_code == 302
    registration = only_registration()
    assert response.headers["Location"].endswith(f"/desk/employment/{registration.id}")
    assert (registration.division_code, registration.employment_type.value,
            registration.employer_uscc, registration.start_date, registration.valid) == (
        COMMUNITY, "unit", uscc_for(3), dt.date(2026, 3, 2), True)
    assert registration.registration_no == f"JY{COMMUNITY[:6]}202600001"
    assert urban("new_employment_gross") == before + 1
    shown = page(client.get(response.headers["Location"]))
    assert "兴安盟某某有限公司" in shown and "在职" in shown


def test_invalidated_registration_stops_counting_and_is_kept(client, person, urban):
    register(client, person)
    registration = only_registration()
    assert urban("new_employment_gross") == 1
    response = client.post(f"/desk/employment/{registration.id}/invalidate",
                           data={"reason": "身份证号码录错"})
    assert response.status_code == 302
    db.session.expire_all()
    assert urban("new_employment_gross") == 0
    kept = only_registration()
    assert (kept.valid, kept.invalid_reason) == (False, "身份证号码录错")
    assert kept.invalidated_at is not None and kept.invalidated_by_id is not None
    shown = page(client.get(f"/desk/employment/{registration.id}"))
    assert "作废" in shown and "身份证号码录错" in shown


@pytest.mark.parametrize(("overrides", "field", "message"), [
    pytest.param({"employer_uscc": ""}, "employer_uscc",
                 "单位就业和个体工商户必须填写统一社会信用代码", id="uscc-required-for-unit"),
    pytest.param({"employment_type": "individual_business", "employer_uscc": ""},
                 "employer_uscc", "单位就业和个体工商户必须填写统一社会信用代码",
                 id="uscc-required-for-business"),
    pytest.param({"employer_uscc": uscc_for(3)[:-1] + ("0" if uscc_for(3)[-1] != "0" else "1")},
                 "employer_uscc", "统一社会信用代码校验码错误", id="uscc-check-character"),
    pytest.param({"employer_uscc": "12345"}, "employer_uscc",
                 "统一社会信用代码应为18位数字或大写字母", id="uscc-shape"),
    pytest.param({"employer_name": "名" * 201}, "employer_name", "长度超过200个字符",
                 id="employer-name-too-long"),
    pytest.param({"start_date": ""}, "start_date", "请填写日期", id="start-date-missing"),
    pytest.param({"registered_on": ""}, "registered_on", "请填写日期", id="registered-on-missing"),
    pytest.param({"employment_type": "volunteer"}, "employment_type", "", id="unknown-type"),
])
def test_invalid_entries_are_refused_with_the_reason(client, person, overrides, field,
                                                      message):
    response = register(client, person, **overrides)
    assert response.status_code == 422
    shown = page(response)
    assert f'id="{field}"' in shown and 'aria-invalid="true"' in shown
    assert message in shown
    assert db.session.scalars(select(EmploymentRegistration)).first() is None


def test_flexible_employment_needs_no_employer(client, person, urban):
    assert register(client, person, employment_type="flexible", employer_uscc="",
                    employer_name="").status_code == 302
    assert urban("new_employment_gross") == 1


def test_employer_name_is_remembered_per_code(client, person, make, looked_up):
    register(client, person, employer_name="阿尔山旅游公司")
    assert db.session.get(Employer, uscc_for(3)).name == "阿尔山旅游公司"
    other = looked_up(make.person(dt.date(1991, 1, 1)))
    register(client, other, employer_name="")
    names = {r.employer_name for r in db.session.scalars(select(EmploymentRegistration))}
    assert names == {"阿尔山旅游公司"}


def test_ending_employment_records_the_end_date(client, person, urban):
    register(client, person)
    registration = only_registration()
    response = client.post(f"/desk/employment/{registration.id}/end",
                           data={"end_date": "2026-05-31"})
    assert response.status_code == 302
    db.session.expire_all()
    assert only_registration().end_date == dt.date(2026, 5, 31)
    assert "已终止" in page(client.get(f"/desk/employment/{registration.id}"))


def test_employment_cannot_end_before_it_began(client, person):
    register(client, person)
    registration = only_registration()
    response = client.post(f"/desk/employment/{registration.id}/end",
                           data={"end_date": "2026-03-01"})
    assert response.status_code == 422
    assert "终止就业时间早于就业时间" in page(response)
    db.session.expire_all()
    assert only_registration().end_date is None


def test_registering_employment_can_end_the_unemployment_in_the_same_step(client, person,
                                                                          make, urban):
    make.unemployment(person, dt.date(2026, 1, 10), division=COMMUNITY)
    db.session.commit()
    form = page(client.get(f"/desk/persons/{person.id}/employment"))
    assert re.search(r'<input checked id="end_unemployment"', form)  # offered, ticked
    assert re.search(r'<option selected value="unemployed_reemployed">', form)
    assert urban("registered_unemployed") == 1
    assert register(client, person, end_unemployment="y",
                    person_category="unemployed_reemployed").status_code == 302
    assert urban("registered_unemployed") == 0
    assert urban("reemployment_of_unemployed") == 1


# --- jurisdiction ----------------------------------------------------------------------

def test_a_division_outside_the_jurisdiction_is_refused(client, person):
    response = register(client, person, division_code=OTHER_VILLAGE)
    assert response.status_code == 422  # not among the offered divisions
    assert db.session.scalars(select(EmploymentRegistration)).first() is None


def test_a_person_not_looked_up_and_without_records_here_is_404(client, make, clerk):
    stranger = make.person(dt.date(1985, 1, 1))
    make.employment(stranger, dt.date(2025, 1, 1), division=OTHER_VILLAGE)
    db.session.commit()
    assert client.get(f"/desk/persons/{stranger.id}/employment").status_code == 404
    assert client.post(f"/desk/persons/{stranger.id}/employment",
                       data=employment_form()).status_code == 404


def test_a_registration_of_another_jurisdiction_is_404(client, make, clerk):
    elsewhere = make.employment(make.person(), dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    db.session.commit()
    assert client.get(f"/desk/employment/{elsewhere.id}").status_code == 404
    for action, data in (("end", {"end_date": "2026-05-01"}), ("invalidate", {"reason": "x"})):
        assert client.post(f"/desk/employment/{elsewhere.id}/{action}",
                           data=data).status_code == 404
    db.session.expire_all()
    assert (elsewhere.valid, elsewhere.end_date) == (True, None)


@pytest.mark.parametrize("role", ["village_collector", "county_leader", "auditor"])
def test_only_desk_clerks_register(client, make, login_as, role):
    person = make.person()
    login_as(role)
    assert client.post("/desk/", data={"id_number": person.id_number}).status_code == 404
    assert client.post(f"/desk/persons/{person.id}/employment",
                       data=employment_form()).status_code == 404


# --- the continuation warning (rule 1, clause 6) ---------------------------------------

R2_START = dt.date(2025, 3, 1)


@pytest.mark.parametrize(("r2", "start", "warned"), [
    pytest.param({"end": dt.date(2025, 12, 31)}, START, True, id="r2-ran-until-31-december"),
    pytest.param({"end": dt.date(2025, 12, 30)}, START, False, id="r2-ended-30-december"),
    pytest.param({}, START, True, id="r2-ongoing"),
    pytest.param({"start": dt.date(2025, 12, 31)}, START, True, id="r2-began-31-december"),
    pytest.param({"start": dt.date(2026, 1, 1)}, START, False, id="r2-began-1-january"),
    pytest.param({"end": dt.date(2025, 12, 31)}, "2025-12-31", False,
                 id="r-itself-begins-31-december"),
    pytest.param({"employer_uscc": uscc_for(4)}, START, False, id="other-employer"),
    pytest.param({"employment_type": "flexible", "employer_uscc": None}, START, False,
                 id="other-type"),
    pytest.param({"valid": False}, START, False, id="r2-invalid"),
])
def test_continuation_warning_appears_exactly_when_the_engine_excludes_the_entry(
        client, person, make, urban, r2, start, warned):
    # r2 lies in another banner: the rule looks at it there too, and only the entry can count.
    fields = {"start": R2_START, "employment_type": "unit", "employer_uscc": uscc_for(3),
              "division": OTHER_VILLAGE} | r2
    make.employment(person, fields.pop("start"), **fields)
    db.session.commit()
    year = int(start[:4])
    before = urban("new_employment_gross", a=dt.date(year, 1, 1), b=dt.date(year, 12, 31))
    response = register(client, person, start_date=start)
    if warned:
        assert response.status_code == 200
        assert "上年就业的延续" in page(response)
        assert 'name="acknowledged" type="hidden" value="1"' in page(response)
        response = register(client, person, start_date=start, acknowledged="1")
    assert response.status_code == 302
    after = urban("new_employment_gross", a=dt.date(year, 1, 1), b=dt.date(year, 12, 31))
    assert after == before + (0 if warned else 1)
    shown = page(client.get(response.headers["Location"]))
    assert ("上年就业的延续" in shown) == warned


def test_flexible_employment_continues_whatever_the_employer(client, person, make):
    make.employment(person, R2_START, employment_type="flexible", division=COMMUNITY)
    db.session.commit()
    response = register(client, person, employment_type="flexible", employer_uscc="")
    assert "上年就业的延续" in page(response)


def test_public_welfare_post_is_never_warned(client, person, make):
    make.employment(person, R2_START, employment_type="public_welfare_post",
                    division=COMMUNITY)
    db.session.commit()
    response = register(client, person, employment_type="public_welfare_post",
                        employer_uscc="")
    assert response.status_code == 302
