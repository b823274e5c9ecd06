"""The desk accepts exactly what the importer accepts: the same faults, the same reasons, and
every desk write in the audit trail with the values before and after."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.exchange.files import EMPLOYED_TOTALS, EMPLOYMENT_REGISTRATIONS
from field_app.exchange.reader import parse_file
from field_app.extensions import db
from field_app.registrations.models import EmploymentRegistration
from tests.factories import uscc_for
from tests.registrations.conftest import BANNER, COMMUNITY, page

BAD_USCC = uscc_for(3)[:-1] + ("0" if uscc_for(3)[-1] != "0" else "1")


def importer_reasons(spec, row: dict[str, str]) -> list[str]:
    """The Chinese half of each reason the importer gives for this one-row file."""
    header = list(row)
    text = ",".join(header) + "\n" + ",".join(row[name] for name in header) + "\n"
    errors = []
    parse_file(spec, spec.filename, text, errors)
    return [error.reason.split(" / ")[0] for error in errors]


@pytest.mark.parametrize(("desk", "cells"), [
    pytest.param({"employer_uscc": BAD_USCC}, {"employer_uscc": BAD_USCC}, id="uscc-check"),
    pytest.param({"employer_uscc": ""}, {"employer_uscc": ""}, id="uscc-required"),
    pytest.param({"employer_uscc": "91-152201"}, {"employer_uscc": "91-152201"},
                 id="uscc-shape"),
])
def test_employment_faults_carry_the_importers_reason(client, make, clerk, looked_up, desk,
                                                      cells):
    person = looked_up(make.person(dt.date(1990, 1, 1)))
    form = {"division_code": COMMUNITY, "employment_type": "unit", "start_date": "2026-03-02",
            "registered_on": "2026-03-02", "person_category": "new_entrant"} | desk
    row = {"registration_id": "X1", "id_number": person.id_number,
           "division_code": COMMUNITY, "employment_type": "unit", "start_date": "2026-03-02",
           "registered_on": "2026-03-02", "person_category": "new_entrant",
           "formal_transfer": "0", "valid": "1"} | cells
    [reason] = importer_reasons(EMPLOYMENT_REGISTRATIONS, row)
    response = client.post(f"/desk/persons/{person.id}/employment", data=form)
    assert response.status_code == 422
    assert reason in page(response)


@pytest.mark.parametrize(("total", "deduction"), [("10", "11"), ("x", "0"), ("10", "-1")])
def test_employed_total_faults_carry_the_importers_reason(client, statistician, total,
                                                          deduction):
    row = {"division_code": BANNER, "as_of": "2026-06-30", "employed_total": total,
           "deduction": deduction}
    [reason] = importer_reasons(EMPLOYED_TOTALS, row)
    response = client.post("/desk/totals/new", data=row)
    assert response.status_code == 422
    assert reason in page(response)


def test_desk_writes_are_audited_with_before_and_after_values(client, make, clerk, looked_up):
    person = looked_up(make.person(dt.date(1990, 1, 1)))
    client.post(f"/desk/persons/{person.id}/employment", data={
        "division_code": COMMUNITY, "employment_type": "flexible", "start_date": "2026-03-02",
        "registered_on": "2026-03-02", "person_category": "new_entrant"})
    registration = db.session.scalars(select(EmploymentRegistration)).one()
    client.post(f"/desk/employment/{registration.id}/end", data={"end_date": "2026-04-30"})
    client.post(f"/desk/employment/{registration.id}/invalidate", data={"reason": "录错人"})
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "employment_registrations",
        AuditEvent.target_id == str(registration.id)).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["create", "update", "update"]
    assert all(e.actor_id == clerk.id and e.division_code == COMMUNITY for e in events)
    assert events[0].after["valid"] is True and events[0].after["start_date"] == "2026-03-02"
    assert (events[1].before, events[1].after) == ({"end_date": None},
                                                   {"end_date": "2026-04-30"})
    assert events[2].before["valid"] is True and events[2].after["valid"] is False
    assert events[2].after["invalid_reason"] == "录错人"
