"""The findings page: filters, drill-down with who entered each record, the explanation form,
the scan button and the XLSX export."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from field_app.extensions import db
from field_app.quality.models import FindingStatus, QualityFinding, QualityScan

D = dt.date


def _scan_inside(client):
    return client.post("/quality/scan", data={"division": "152201000000", "period": "2026"})


@pytest.fixture
def statistician(login_as, make):
    return login_as("county_statistician")


def _late(make, **kwargs):
    return make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1), **kwargs)


def test_scan_button_stores_findings_and_the_list_filters_them(client, make, statistician):
    clerk = make.user("township_reviewer")
    job = _late(make)
    job.created_by_id = clerk.id
    make.rural_person()  # a household without location: a warning of another rule
    db.session.commit()
    response = _scan_inside(client)
    assert response.status_code == 302  # to the scan's job, which links to its findings
    assert "period=2026" in client.get(response.headers["Location"]).get_data(as_text=True)
    scan = db.session.query(QualityScan).one()
    assert (scan.trigger, scan.run_by_id) == ("web", statistician.id)

    page = client.get("/quality/?division=152201000000&period=2026&rule=Q-LATE-ENTRY")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert job.registration_no in text and "Q-BLANK-HOUSEHOLD-LOC" not in text.split("<ul class=\"rows\">")[1]
    assert "92" in text

    finding = db.session.query(QualityFinding).filter_by(rule="Q-LATE-ENTRY").one()
    detail = client.get(f"/quality/findings/{finding.id}").get_data(as_text=True)
    assert clerk.display_name in detail and clerk.username in detail  # 谁录入谁负责
    assert f"/desk/employment/{job.id}" in detail


def test_bad_filters_are_named_and_a_division_outside_is_404(client, make, statistician):
    db.session.commit()
    response = client.get("/quality/?period=2026-13&severity=fatal&rule=Q-NOPE")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "2026-13" in text and "fatal" in text and "Q-NOPE" in text
    assert client.get("/quality/?division=152202000000").status_code == 404
    assert client.get("/quality/?division=nonsense").status_code == 404
    assert client.get("/quality/?page=-5").status_code == 200


@pytest.mark.parametrize(("data", "message"), [
    ({"division": "152201000000", "period": "2026-13"}, "2026-13"),
    ({"division": "1522", "period": "2026"}, "12位数字"),
    ({"division": "152202000000", "period": "2026"}, "辖区"),
    ({"division": "", "period": ""}, "请填写"),
])
def test_scan_form_refuses_bad_input(client, make, statistician, data, message):
    db.session.commit()
    response = client.post("/quality/scan", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(QualityScan).count() == 0


def test_a_warning_is_explained_on_its_page_and_an_error_is_not(client, make, statistician):
    _late(make)
    person = make.person()
    make.employment(person, D(2026, 2, 1))
    make.unemployment(person, D(2026, 1, 1))
    db.session.commit()
    _scan_inside(client)
    warning = db.session.query(QualityFinding).filter_by(rule="Q-LATE-ENTRY").one()
    error = db.session.query(QualityFinding).filter_by(rule="Q-EMPLOYED-UNEMPLOYED").one()
    assert client.post(f"/quality/findings/{warning.id}", data={"reason": ""}).status_code == 422
    response = client.post(f"/quality/findings/{warning.id}", data={"reason": "单位补交材料"})
    assert response.status_code == 302
    db.session.refresh(warning)
    assert (warning.status, warning.explanation, warning.explained_by_id) == (
        FindingStatus.EXPLAINED, "单位补交材料", statistician.id)
    refused = client.post(f"/quality/findings/{error.id}", data={"reason": "理由"})
    assert refused.status_code == 422
    assert "不能以说明代替" in refused.get_data(as_text=True)
    db.session.refresh(error)
    assert error.status == FindingStatus.OPEN


def test_export_opens_with_openpyxl_masks_ids_and_neutralises_formulas(client, make,
                                                                      statistician):
    person = make.rural_person()
    make.spell(person, D(2026, 3, 1), destination=None)
    warning_job = _late(make)
    db.session.commit()
    _scan_inside(client)
    warning = db.session.query(QualityFinding).filter_by(rule="Q-LATE-ENTRY").one()
    client.post(f"/quality/findings/{warning.id}", data={"reason": "=HYPERLINK(\"x\")"})
    response = client.get("/quality/export.xlsx?division=152201000000")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    cells = [cell.value for row in book.active.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"x\")" in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    text = "\n".join(str(v) for v in cells)
    assert person.id_number not in text
    assert person.id_number[:6] + "********" + person.id_number[-4:] in text
    assert warning_job.registration_no in text
