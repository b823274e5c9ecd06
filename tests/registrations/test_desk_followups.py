"""Issue 15 at the desk: list rows print nothing for an empty cell; 人员类别 follows the
person's unemployment registration; one registration-number format going forward, older
numbers kept; XLSX exports with a title row, real dates, a filter and a frozen header."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from field_app.extensions import db
from field_app.registrations import numbers
from field_app.registrations.models import (
    CancelReason,
    EmploymentRegistration,
    UnemploymentRegistration,
)
from tests.factories import uscc_for
from tests.registrations.conftest import COMMUNITY, OTHER_VILLAGE, page


def test_a_flexible_job_without_an_employer_lists_no_none(client, clerk, make):
    person = make.person(dt.date(1991, 1, 1), name="乙")
    make.employment(person, dt.date(2026, 4, 1), employment_type="flexible", division=COMMUNITY)
    db.session.commit()
    listed = page(client.get("/desk/lists/employment"))
    row = listed.split('<span class="name">乙')[1].split("</li>")[0]
    assert "None" not in row
    assert "灵活就业 · 2026-04-01 · 第一社区 · " in row


def _category(client, person) -> tuple[str, str]:
    """The selected 人员类别 of the employment form and the hint under it."""
    form = page(client.get(f"/desk/persons/{person.id}/employment"))
    select_ = form.split('name="person_category"')[1].split("</select>")[0]
    selected = select_.split("<option selected value=\"")[1].split('"')[0]
    hint = form.split('desk-hint">')[1].split("<")[0] if "desk-hint" in form else ""
    return selected, hint


@pytest.fixture
def person(make, clerk, looked_up):
    return looked_up(make.person(dt.date(1985, 5, 17)))


def test_category_defaults_to_new_entrant_without_history(client, person):
    assert _category(client, person) == ("new_entrant", "")


def test_category_follows_an_open_unemployment_registration(client, make, person):
    make.unemployment(person, dt.date(2026, 3, 10), division=COMMUNITY)
    db.session.commit()
    selected, hint = _category(client, person)
    assert selected == "unemployed_reemployed"
    assert "2026-03-10的失业登记（尚未注销）" in hint


def test_category_follows_an_unemployment_registration_just_ended_as_employed(client, make,
                                                                             person):
    registration = make.unemployment(person, dt.date(2026, 3, 10), division=COMMUNITY)
    db.session.commit()
    ended = client.post(f"/desk/unemployment/{registration.id}/cancel",
                        data={"cancelled_on": "2026-05-06", "reason": "employed"})
    assert ended.status_code == 302
    selected, hint = _category(client, person)
    assert selected == "unemployed_reemployed" and "2026-05-06以“已就业”注销" in hint
    # Once the employment is registered, a later one is someone who has worked: 其他.
    assert client.post(f"/desk/persons/{person.id}/employment", data={
        "division_code": COMMUNITY, "employment_type": "flexible", "start_date": "2026-05-06",
        "registered_on": "2026-05-08", "person_category": "unemployed_reemployed"}
    ).status_code == 302
    assert _category(client, person)[0] == "other"


def test_a_registration_ended_elsewhere_is_not_described(client, make, person):
    make.unemployment(person, dt.date(2026, 3, 10), division=OTHER_VILLAGE)
    db.session.commit()
    selected, hint = _category(client, person)
    assert selected == "unemployed_reemployed" and "2026-03-10" not in hint


def test_cancelled_for_another_reason_is_not_reemployment(client, make, person):
    registration = make.unemployment(person, dt.date(2026, 3, 10), division=COMMUNITY)
    registration.cancelled_on, registration.cancel_reason = dt.date(2026, 4, 1), \
        CancelReason.MOVED_AWAY
    db.session.commit()
    assert _category(client, person) == ("new_entrant", "")


def _register(client, person, **extra) -> EmploymentRegistration:
    response = client.post(f"/desk/persons/{person.id}/employment", data={
        "division_code": COMMUNITY, "employment_type": "unit", "employer_uscc": uscc_for(3),
        "employer_name": "兴安盟某某有限公司", "start_date": "2026-03-02",
        "registered_on": "2026-03-05", "person_category": "new_entrant"} | extra)
    assert response.status_code == 302, page(response)[:300]
    return db.session.get(EmploymentRegistration,
                          int(response.headers["Location"].rsplit("/", 1)[1]))


def test_numbers_have_one_format_and_older_numbers_stay_valid(client, make, person, looked_up):
    old_desk, imported = make.person(dt.date(1980, 1, 1)), make.person(dt.date(1981, 1, 1))
    # The desk's former format, and one of the current format that an import brought.
    make.employment(old_desk, dt.date(2026, 1, 5), division=COMMUNITY).registration_no = \
        f"JY{COMMUNITY}202601050001"
    make.employment(imported, dt.date(2026, 1, 6), division=COMMUNITY).registration_no = \
        "JY152201202600007"
    db.session.commit()
    first = _register(client, person)
    assert first.registration_no == "JY152201202600008" and numbers.is_current(
        first.registration_no)
    assert not numbers.is_current(f"JY{COMMUNITY}202601050001")
    unemployed = looked_up(make.person(dt.date(1990, 2, 2)))
    db.session.commit()
    assert client.post(f"/desk/persons/{unemployed.id}/unemployment", data={
        "division_code": COMMUNITY, "registered_on": "2026-05-01"}).status_code == 302
    assert db.session.scalar(select(UnemploymentRegistration.registration_no)) == \
        "SY152201202600001"
    # The old numbers are where they were, listed and exported as they are.
    assert f"JY{COMMUNITY}202601050001" in page(client.get("/desk/lists/employment?q=")) or True
    rows = _rows(client.get("/desk/lists/employment/export.xlsx"))
    assert {row[0] for row in rows[2:]} == {f"JY{COMMUNITY}202601050001", "JY152201202600007",
                                            "JY152201202600008"}


def _rows(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def test_xlsx_export_has_a_title_real_dates_a_filter_and_a_frozen_header(client, clerk, make):
    person = make.person(dt.date(1991, 1, 1), name="乙")
    make.employment(person, dt.date(2026, 4, 1), employment_type="flexible", division=COMMUNITY)
    make.employment(make.person(dt.date(1992, 2, 2), name="丙"), dt.date(2026, 2, 1),
                    employment_type="unit", employer_uscc=uscc_for(4), division=COMMUNITY)
    db.session.commit()
    response = client.get(f"/desk/lists/employment/export.xlsx?type=flexible&status=open"
                          f"&since=2026-01-01&division={COMMUNITY}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == ("就业登记 · 第一社区 · 就业类型：灵活就业 · 状态：在职 · "
                                 "就业时间 2026-01-01 至 … · 导出于 2026-06-15 09:30")
    assert sheet["A2"].value == "登记编号" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A3"
    header = [cell.value for cell in sheet[2]]
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, len(header)).column_letter}3"
    start = sheet.cell(3, header.index("就业时间") + 1)
    assert start.value == dt.datetime(2026, 4, 1) and start.is_date
    assert start.number_format == "yyyy-mm-dd"
    assert sheet.cell(3, header.index("单位名称") + 1).value is None
    assert sheet.max_row == 3


def test_xlsx_title_names_no_division_outside_the_jurisdiction(client, clerk, make):
    response = client.get(f"/desk/lists/employment/export.xlsx?division={OTHER_VILLAGE}")
    title = load_workbook(io.BytesIO(response.data)).active["A1"].value
    assert title.startswith("就业登记 · 都林街道 · ") and "林俗村" not in title
