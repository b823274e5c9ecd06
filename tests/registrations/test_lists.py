"""Desk lists per jurisdiction with filters, and their exports: XLSX with Chinese headers and
masked numbers; the interchange format (full numbers, clerks only, audited)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from tests.factories import uscc_for
from tests.registrations.conftest import COMMUNITY, OTHER_VILLAGE, page

SECOND_COMMUNITY = "152201001002"


@pytest.fixture
def registrations(make):
    """Three registrations in the clerk's township and one in another banner."""
    unit = make.person(dt.date(1990, 1, 1), name="甲", phone="13811112222")
    flexible = make.person(dt.date(1991, 1, 1), name="乙")
    ended = make.person(dt.date(1992, 1, 1), name="丙")
    elsewhere = make.person(dt.date(1993, 1, 1), name="丁")
    make.employment(unit, dt.date(2026, 2, 1), employment_type="unit",
                    employer_uscc=uscc_for(5), division=COMMUNITY)
    make.employment(flexible, dt.date(2026, 4, 1), employment_type="flexible",
                    division=SECOND_COMMUNITY)
    make.employment(ended, dt.date(2025, 7, 1), end=dt.date(2026, 1, 31), division=COMMUNITY)
    make.employment(elsewhere, dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    db.session.commit()
    return unit


def names_in(response) -> set[str]:
    shown = page(response)
    return {name for name in "甲乙丙丁" if f'<span class="name">{name} ' in shown}


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"甲", "乙", "丙"}),
    ("?type=flexible", {"乙", "丙"}),
    ("?status=open", {"甲", "乙"}),
    ("?status=ended", {"丙"}),
    ("?status=invalid", set()),
    (f"?division={SECOND_COMMUNITY}", {"乙"}),
    ("?since=2026-01-01&until=2026-03-31", {"甲"}),
    (f"?division={OTHER_VILLAGE}", set()),  # outside the jurisdiction: nothing, not more
])
def test_lists_filter_within_the_jurisdiction(client, clerk, registrations, query, expected):
    assert names_in(client.get(f"/desk/lists/employment{query}")) == expected


def test_list_rows_mask_id_numbers(client, clerk, registrations):
    shown = page(client.get("/desk/lists/employment"))
    assert registrations.id_number not in shown
    assert registrations.id_number[:6] + "********" + registrations.id_number[-4:] in shown


def test_xlsx_export_has_chinese_headers_and_masked_numbers(client, clerk, registrations):
    response = client.get("/desk/lists/unemployment/export.xlsx")
    assert response.status_code == 200
    client.post("/desk/", data={"id_number": registrations.id_number})
    client.post(f"/desk/persons/{registrations.id}/unemployment",
                data={"division_code": COMMUNITY, "registered_on": "2026-05-01",
                      "end_employment_on": "2026-04-30"})
    response = client.get("/desk/lists/unemployment/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]  # below the title row
    assert rows[0][:6] == ("登记编号", "姓名", "公民身份号码", "性别", "联系电话", "区划代码")
    assert rows[1][1:5] == ("甲", registrations.id_number[:6] + "********"
                            + registrations.id_number[-4:], "男", "138****2222")
    assert "在册" in rows[1]


def test_xlsx_export_follows_the_filters(client, clerk, registrations):
    response = client.get("/desk/lists/employment/export.xlsx?type=flexible")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[2:]] == ["乙", "丙"]
    assert "灵活就业" in rows[2]


def test_interchange_export_imports_back_unchanged_and_is_audited(client, clerk,
                                                                  registrations, tmp_path):
    response = client.get("/desk/lists/employment/export.zip?status=open")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        archive.extractall(tmp_path)
        names = sorted(archive.namelist())
    assert names == ["employment_registrations.csv", "persons.csv"]
    assert registrations.id_number in (tmp_path / "persons.csv").read_text()
    result = import_dataset(db.session.connection(), tmp_path)
    assert result.ok, result.errors
    counts = {name: vars(c) for name, c in result.counts.items()}
    assert counts["employment_registrations.csv"] == {"inserted": 0, "updated": 0,
                                                      "unchanged": 2}
    assert counts["persons.csv"]["unchanged"] == 2
    db.session.rollback()
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export_full_id")).one()
    assert event.actor_id == clerk.id and event.note.startswith("2 rows")


@pytest.mark.parametrize("kind", ["employment", "unemployment", "aid", "attrition", "totals"])
def test_readers_see_lists_but_get_no_full_numbers(client, login_as, registrations, kind):
    login_as("county_leader")
    assert client.get(f"/desk/lists/{kind}").status_code == 200
    assert client.get(f"/desk/lists/{kind}/export.xlsx").status_code == 200
    assert client.get(f"/desk/lists/{kind}/export.zip").status_code == 404


def test_readers_see_record_pages_without_the_forms(client, login_as, registrations):
    login_as("county_leader")
    registration = db.session.scalars(select(registrations.__class__)).first()
    listed = page(client.get("/desk/lists/employment"))
    assert "/desk/employment/" in listed
    record_id = listed.split("/desk/employment/")[1].split('"')[0]
    shown = page(client.get(f"/desk/employment/{record_id}"))
    assert "<form method=\"post\" action=\"/desk/employment" not in shown
    assert registration is not None


@pytest.mark.parametrize("role", ["village_collector", "auditor"])
def test_collectors_and_auditors_have_no_desk(client, login_as, registrations, role):
    login_as(role)
    assert client.get("/desk/lists/employment").status_code == 404
    assert client.get("/desk/").status_code == 404


def test_unknown_list_is_404(client, clerk):
    assert client.get("/desk/lists/households").status_code == 404
