"""Each resource of the API v1, read and written as the desk and the pages do."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.locks.operations import lock_period
from field_app.registrations.models import EmploymentRegistration
from tests.api_v1.conftest import COUNTY, REGION
from tests.factories import make_id_number

SHAPE = {"code", "status", "message", "errors"}
BIRTH = dt.date(1990, 5, 17)


def _body(**extra):
    return {"id_number": make_id_number(BIRTH), "name": "王小明",
            "division_code": "152201001001", "employment_type": "flexible",
            "start_date": "2026-03-02", "registered_on": "2026-03-03",
            "person_category": "new_entrant", **extra}


def test_divisions_list_the_subtree(call, api_token):
    body = call("GET", "/api/v1/divisions?depth=2", api_token(COUNTY)).get_json()
    codes = [d["code"] for d in body["divisions"]]
    assert body["root"] == COUNTY and COUNTY in codes and "152201001001" in codes
    assert all(code.startswith("152201") for code in codes)


def test_indicators_match_the_engine_and_group_by_child(call, api_token, make, indicators):
    person = make.person()
    make.employment(person, dt.date(2026, 3, 1))
    db.session.commit()
    token = api_token(REGION)
    body = call("GET", f"/api/v1/indicators?division={COUNTY}&period=2026", token).get_json()
    expected = indicators(COUNTY, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert body["indicators"]["new_employment_gross"] == expected["new_employment_gross"] == 1
    grouped = call("GET", f"/api/v1/indicators?division={COUNTY}&period=2026&by=child",
                   token).get_json()
    by_child = {g["key"]: g["indicators"]["new_employment_gross"] for g in grouped["groups"]}
    assert by_child["152201001000"] == 1 and by_child["152201100000"] == 0


def test_bad_parameters_get_422_with_chinese_messages(call, api_token):
    token = api_token()
    for url in ("/api/v1/indicators?division=abc&period=2026",
                f"/api/v1/indicators?division={COUNTY}&period=2026-13",
                f"/api/v1/indicators?division={COUNTY}",
                f"/api/v1/indicators?division={COUNTY}&period=2026&by=shoe",
                "/api/v1/registrations?kind=employment&per_page=100000"):
        response = call("GET", url, token)
        assert response.status_code == 422, url
        body = response.get_json()
        assert set(body) == SHAPE and body["message"] == "请求参数有误" and body["errors"]
    missing = call("GET", f"/api/v1/indicators?division={COUNTY}", token).get_json()
    assert missing["errors"] == {"period": ["必填"]}


def test_registrations_are_listed_masked(call, api_token, make):
    person = make.person(name="张三丰")
    make.employment(person, dt.date(2026, 3, 1))
    db.session.commit()
    body = call("GET", "/api/v1/registrations?kind=employment", api_token()).get_json()
    assert body["total"] == 1
    row = body["registrations"][0]
    assert row["name_masked"] == "张**" and row["id_number_masked"].count("*") == 8
    assert person.id_number not in json.dumps(body)


def test_a_registration_is_created_through_the_desk_operation(call, api_token):
    token = api_token()
    response = call("POST", "/api/v1/registrations/employment", token, json=_body())
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    registration = db.session.get(EmploymentRegistration, created["id"])
    assert registration.registration_no == created["registration_no"]
    assert registration.division_code == "152201001001"
    # Audited as the desk's writes are, by the client.
    authors = set(db.session.scalars(select(AuditEvent.actor_name).where(
        AuditEvent.target_type == "employment_registrations")))
    assert authors == {f"api:{api_token.last.id}"}
    # The desk's rules: the same person cannot start the same employment twice? The
    # importer's column rules at least: an unknown category is refused before any write.
    bad = call("POST", "/api/v1/registrations/employment", token,
               json=_body(person_category="nobody"))
    assert bad.status_code == 422 and set(bad.get_json()) == SHAPE


def test_an_unemployment_registration_follows_the_desk_rules(call, api_token, make):
    person = make.person()
    make.unemployment(person, dt.date(2026, 1, 5))
    db.session.commit()
    token = api_token()
    body = {"id_number": person.id_number, "division_code": "152201001001",
            "registered_on": "2026-04-01", "receives_benefit": False}
    refused = call("POST", "/api/v1/registrations/unemployment", token, json=body)
    # Already registered unemployed, in the client's county: the desk's own message.
    assert refused.status_code == 422
    assert "尚未注销" in refused.get_json()["errors"]["registered_on"][0]
    other = make.person(dt.date(1985, 2, 3), name="赵六")
    db.session.commit()
    created = call("POST", "/api/v1/registrations/unemployment", token,
                   json=body | {"id_number": other.id_number})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "registered"


def test_a_locked_period_refuses_the_registration(call, api_token, make):
    lock_period(db.session, division_code=COUNTY, start=dt.date(2026, 3, 1),
                end=dt.date(2026, 3, 31), reason="已上报", actor_id=None)
    db.session.commit()
    response = call("POST", "/api/v1/registrations/employment", api_token(), json=_body())
    assert response.status_code in (409, 422) and set(response.get_json()) == SHAPE
    assert db.session.scalar(select(EmploymentRegistration.id)) is None


def test_a_new_person_needs_a_name(call, api_token):
    response = call("POST", "/api/v1/registrations/employment", api_token(),
                    json={k: v for k, v in _body().items() if k != "name"})
    assert response.status_code == 422 and "name" in response.get_json()["errors"]


def test_person_check_is_scoped_masked_and_audited(call, api_token, make):
    person = make.person(name="李四")
    make.unemployment(person, dt.date(2026, 2, 1))
    db.session.commit()
    inside, outside = api_token(COUNTY), api_token("152202000000")
    body = call("POST", "/api/v1/persons/status", inside,
                json={"id_number": person.id_number}).get_json()
    assert body["known"] and body["registered_unemployed"] and body["name_masked"] == "李*"
    elsewhere = call("POST", "/api/v1/persons/status", outside,
                     json={"id_number": person.id_number}).get_json()
    assert elsewhere["known"] is False and elsewhere["name_masked"] is None
    checks = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "api_person_check")).all()
    assert len(checks) == 2
    # What the calls wrote to the log (the factory's own rows hold the person's number).
    everything = json.dumps([(e.note, e.before, e.after, e.target_id) for e in
                             db.session.scalars(select(AuditEvent).where(
                                 AuditEvent.action.like("api_%")))], ensure_ascii=False)
    assert person.id_number not in everything
    # Never in the URL: the check takes a body only.
    assert call("GET", "/api/v1/persons/status", inside).status_code == 405


def test_exports_are_csv_neutralised_against_formulas(call, api_token, make):
    person = make.person(name="=HYPERLINK(1)")
    make.employment(person, dt.date(2026, 3, 1), employment_type="unit")
    db.session.commit()
    token = api_token()
    response = call("GET", "/api/v1/exports/registrations.csv?kind=employment", token)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][5].startswith("'=") or rows[1][5].startswith("=*")
    assert person.id_number not in response.get_data(as_text=True)
    figures = call("GET", f"/api/v1/exports/indicators.csv?division={COUNTY}&period=2026", token)
    assert figures.status_code == 200 and "new_employment_gross" in figures.get_data(as_text=True)


def test_submissions_and_findings_answer_for_the_subtree(call, api_token):
    token = api_token()
    board = call("GET", f"/api/v1/submissions?division={COUNTY}&period=2026-03", token).get_json()
    assert {row["division"] for row in board["below"]} == {"152201001000", "152201100000"}
    findings = call("GET", f"/api/v1/quality-findings?division={COUNTY}", token).get_json()
    assert findings == {"total": 0, "page": 1, "findings": []}


def test_the_document_describes_the_api_and_the_survey_api(call):
    spec = call("GET", "/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.0")
    assert "/api/v1/indicators" in spec["paths"] and "/api/survey/sync" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert set(error) == SHAPE
    page = call("GET", "/api/v1/docs").get_data(as_text=True)
    assert "/static/apidocs/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


def test_the_phone_survey_api_still_answers_on_its_session(call):
    assert call("GET", "/api/survey/session").status_code == 401
