"""The explanation pages: persons masked, reasons and records, pages of 50, the difference
between two periods, the figures of units, the audit trail, and refusals."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.core.identifiers import mask_id_number
from field_app.extensions import db

BANNER, OTHER_BANNER, COMMUNITY = "152201000000", "152202000000", "152201001001"
d = dt.date.fromisoformat


@pytest.fixture
def statistician(login_as):
    return login_as("county_statistician", BANNER)


def _explain(client, indicator="new_employment_gross", code=BANNER, **args):
    query = {"period": "2026"} | args
    return client.get(f"/divisions/{code}/explain/{indicator}", query_string=query)


def test_the_persons_are_masked_with_their_reason_and_a_link_to_the_record(
        client, make, statistician):
    person = make.person(name="张三丰")
    record = make.employment(person, d("2026-03-01"), employment_type="unit")
    db.session.commit()
    body = _explain(client).get_data(as_text=True)
    assert "张三丰" in body and mask_id_number(person.id_number) in body
    assert person.id_number not in body
    assert "在期内新办就业登记（单位就业）" in body
    assert f'href="/desk/employment/{record.id}"' in body
    assert "共1人" in body


def test_every_view_is_audited_without_id_numbers(client, make, statistician):
    person = make.person()
    make.employment(person, d("2026-03-01"))
    db.session.commit()
    assert _explain(client).status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "explain_view")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.division_code, event.target_id) == (BANNER, BANNER)
    assert "new_employment_gross" in event.note and "2026-01-01..2026-12-31" in event.note
    assert person.id_number not in event.note and event.actor_id == statistician.id


def test_pages_hold_fifty_persons(client, make, statistician):
    people = [make.person(name=f"人员{i:02d}") for i in range(51)]
    for person in people:
        make.employment(person, d("2026-02-01"))
    db.session.commit()
    first = _explain(client).get_data(as_text=True)
    second = _explain(client, page="2").get_data(as_text=True)
    assert "人员49" in first and "人员50" not in first and "第1页，共2页" in first
    assert "人员50" in second and "人员00" not in second
    assert _explain(client, page="x").status_code == 200  # a bad page number is page 1


@pytest.mark.parametrize(("args", "status", "message"), [
    ({"period": "2026Q5"}, 422, "无法识别"),
    ({"period": "", "from": "2026-05-01", "to": "2026-01-01"}, 422, "不晚于"),
    ({"period": "", "from": "bad", "to": "2026-01-01"}, 422, "YYYY-MM-DD"),
])
def test_a_bad_period_gets_a_chinese_message(client, make, statistician, args, status,
                                             message):
    response = _explain(client, **args)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    f"/divisions/{OTHER_BANNER}/explain/new_employment_gross",
    f"/divisions/{BANNER}/explain/no_such_indicator",
    f"/divisions/{OTHER_BANNER}/explain/new_employment_gross/diff?against=2025",
    f"/divisions/{BANNER}/explain/employed_total/diff?against=2025",
    "/divisions/999999999999/explain/new_employment_gross",
])
def test_outside_the_jurisdiction_or_unknown_is_404(client, make, statistician, url):
    assert client.get(url).status_code == 404


def test_the_division_page_links_its_figures_for_explainers_only(client, make, login_as):
    make.employment(make.person(), d("2026-03-01"))
    db.session.commit()
    login_as("county_statistician", BANNER)
    body = client.get(f"/divisions/{BANNER}").get_data(as_text=True)
    assert f"/divisions/{BANNER}/explain/new_employment_gross?" in body
    assert f"/divisions/{BANNER}/explain/registered_unemployment_rate?" in body
    client.post("/logout")
    login_as("county_admin", BANNER)
    assert "/explain/" not in client.get(f"/divisions/{BANNER}").get_data(as_text=True)


def test_the_difference_page_shows_who_moved_out_of_the_period(client, make, statistician):
    early = make.person(name="一月就业")
    late = make.person(name="五月就业")
    make.employment(early, d("2026-01-15"))
    make.employment(late, d("2026-05-01"))
    db.session.commit()
    picker = client.get(f"/divisions/{BANNER}/explain/new_employment_gross/diff",
                        query_string={"period": "2026-01"})
    assert picker.status_code == 200 and "2025" in picker.get_data(as_text=True)
    response = client.get(f"/divisions/{BANNER}/explain/new_employment_gross/diff",
                          query_string={"period": "2026-01", "against": "2026Q2"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    first, second = body.index("一月就业"), body.index("五月就业")
    assert "只在本期计入" in body[:first + 400] and "不在该期间口径内" in body
    assert mask_id_number(late.id_number) in body[second:]
    assert early.id_number not in body and late.id_number not in body


def test_a_figure_of_units_is_explained_by_its_figures(client, make, statistician):
    make.employed_total("152201001000", d("2026-12-31"), 300)
    make.employed_total("152201100000", d("2026-12-31"), 200, deduction=20)
    db.session.commit()
    body = _explain(client, "employed_total").get_data(as_text=True)
    assert "不是人员名单" in body and "下级合计" in body
    assert "480" in body and "180" in body and "截至2026-12-31" in body
    rate = _explain(client, "registered_unemployment_rate").get_data(as_text=True)
    assert "比率" in rate and "/explain/registered_unemployed?" in rate


def test_urban_new_employment_lists_additions_and_subtractions(client, make, statistician):
    make.employment(make.person(name="新就业者"), d("2026-03-01"))
    make.attrition(make.person(d("1966-01-01"), name="退休者"), d("2026-04-01"))
    db.session.commit()
    body = _explain(client, "urban_new_employment").get_data(as_text=True)
    assert "新就业者" in body and "退休者" in body and "减去" in body
    assert "两项之差" in body
