"""自然减员 and 期末从业人员总数: entered by county statisticians, keyed as the import keys them
(a second entry for the same key corrects the first), and imported with the importer's rules."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from field_app.extensions import db
from field_app.registrations.models import EmployedTotal, NaturalAttrition
from tests.factories import make_id_number
from tests.registrations.conftest import BANNER, COMMUNITY, OTHER_BANNER, STREET, TODAY, page


def attrition_form(**overrides):
    return {"division_code": COMMUNITY, "occurred_on": "2026-04-30",
            "reason": "retirement"} | overrides


def total_form(**overrides):
    return {"division_code": BANNER, "as_of": TODAY.isoformat(), "employed_total": "12000",
            "deduction": "300"} | overrides


@pytest.fixture
def retiree(make, statistician, looked_up):
    return looked_up(make.person(dt.date(1966, 4, 30)))


def test_attrition_is_saved_and_counts(client, retiree, urban):
    response = client.post(f"/desk/persons/{retiree.id}/attrition", data=attrition_form())
    assert response.status_code == 302
    record = db.session.scalars(select(NaturalAttrition)).one()
    assert (record.division_code, record.occurred_on, record.reason.value) == (
        COMMUNITY, dt.date(2026, 4, 30), "retirement")
    assert urban("natural_attrition") == 1
    assert urban("urban_new_employment") == -1


def test_attrition_entered_again_for_the_same_date_corrects_it(client, retiree, urban):
    client.post(f"/desk/persons/{retiree.id}/attrition", data=attrition_form())
    client.post(f"/desk/persons/{retiree.id}/attrition", data=attrition_form(reason="death"))
    record = db.session.scalars(select(NaturalAttrition)).one()
    assert record.reason.value == "death"
    assert urban("natural_attrition") == 1


@pytest.mark.parametrize(("overrides", "message"), [
    ({"occurred_on": ""}, "请填写日期"),
    ({"reason": "emigration"}, "不是有效的选择"),
    ({"division_code": "152202100201"}, "不是有效的选择"),
])
def test_invalid_attrition_is_refused(client, retiree, overrides, message):
    response = client.post(f"/desk/persons/{retiree.id}/attrition",
                           data=attrition_form(**overrides))
    assert response.status_code == 422
    assert message in page(response)
    assert db.session.scalars(select(NaturalAttrition)).first() is None


def test_township_staff_do_not_enter_attrition_or_totals(client, make, clerk, looked_up):
    person = looked_up(make.person(dt.date(1966, 4, 30)))
    assert client.get(f"/desk/persons/{person.id}/attrition").status_code == 404
    assert client.post(f"/desk/persons/{person.id}/attrition",
                       data=attrition_form()).status_code == 404
    assert client.post("/desk/totals/new", data=total_form(division_code=STREET)
                       ).status_code == 404


def test_employed_total_is_saved_with_its_deduction(client, statistician, urban):
    response = client.post("/desk/totals/new", data=total_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/desk/lists/totals")
    assert urban("employed_total", division=BANNER) == 11700
    assert "11700" not in page(client.get("/desk/lists/totals"))  # the list shows the parts
    assert "12000" in page(client.get("/desk/lists/totals"))


def test_employed_total_entered_again_corrects_the_figure(client, statistician, urban):
    client.post("/desk/totals/new", data=total_form())
    client.post("/desk/totals/new", data=total_form(employed_total="12500", deduction="0"))
    figure = db.session.scalars(select(EmployedTotal)).one()
    assert (figure.employed_total, figure.deduction) == (12500, 0)
    assert urban("employed_total", division=BANNER) == 12500


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"deduction": "12001"}, "deduction", "扣除数大于从业人员总数"),
    ({"employed_total": "-5"}, "employed_total", "应为非负整数"),
    ({"employed_total": "1.5万"}, "employed_total", "应为非负整数"),
    ({"employed_total": ""}, "employed_total", "必填"),
    ({"as_of": ""}, "as_of", "请填写日期"),
    ({"division_code": OTHER_BANNER}, "division_code", "不是有效的选择"),
])
def test_invalid_employed_totals_are_refused(client, statistician, overrides, field, message):
    response = client.post("/desk/totals/new", data=total_form(**overrides))
    assert response.status_code == 422
    assert message in page(response)
    assert db.session.scalars(select(EmployedTotal)).first() is None


def test_statistician_of_another_banner_cannot_see_this_banners_attrition(client, make,
                                                                         login_as):
    person = make.person(dt.date(1966, 4, 30))
    make.attrition(person, dt.date(2026, 4, 30), division=COMMUNITY)
    login_as("county_statistician", OTHER_BANNER)
    assert "没有记录" in page(client.get("/desk/lists/attrition"))
    assert client.get(f"/desk/persons/{person.id}/attrition").status_code == 404


def upload(client, **contents: str):
    files = [(io.BytesIO(text.encode()), name) for name, text in contents.items()]
    return client.post("/desk/attrition/import", data={"files": files},
                       content_type="multipart/form-data")


def test_a_social_insurance_extract_is_imported_with_the_importers_rules(client, make,
                                                                        statistician, urban):
    known = make.person(dt.date(1966, 1, 2))
    db.session.commit()
    new_number = make_id_number(dt.date(1966, 2, 3))
    response = upload(client, **{
        "natural_attrition.csv": "id_number,division_code,occurred_on,reason\n"
                                 f"{known.id_number},{COMMUNITY},2026-01-02,retirement\n"
                                 f"{new_number},{COMMUNITY},2026-02-03,retirement\n",
        "persons.csv": f"id_number,name\n{new_number},新退休人员\n"})
    assert response.status_code == 200, page(response)
    assert "新增 2" in page(response)
    assert urban("natural_attrition") == 2
    assert upload(client, **{"natural_attrition.csv": "id_number,division_code,occurred_on,"
                             f"reason\n{known.id_number},{COMMUNITY},2026-01-02,retirement\n"}
                  ).status_code == 200
    assert urban("natural_attrition") == 2  # the same extract again changes nothing


@pytest.mark.parametrize(("contents", "reason"), [
    ({"natural_attrition.csv": "id_number,division_code,occurred_on,reason\n"
      "{id},152202100201,2026-01-02,retirement\n"}, "区划不在本辖区"),
    ({"natural_attrition.csv": "id_number,division_code,occurred_on,reason\n"
      "{id},152201001001,2026-01-02,fired\n"}, "取值应为 retirement/death/other 之一"),
    ({"natural_attrition.csv": "id_number,division_code,occurred_on,reason\n"
      "{id},152201001001,2026-01-02,retirement\n",
      "employment_registrations.csv": "registration_id\n"}, "登记台只导入"),
    ({"persons.csv": "id_number,name\n"}, "缺少 natural_attrition.csv"),
])
def test_a_faulty_extract_is_refused_whole(client, make, statistician, urban, contents, reason):
    known = make.person(dt.date(1966, 1, 2))
    db.session.commit()
    response = upload(client, **{name: text.replace("{id}", known.id_number)
                                 for name, text in contents.items()})
    assert response.status_code == 422
    assert reason in page(response)
    assert urban("natural_attrition") == 0


def test_township_staff_cannot_import_attrition(client, clerk):
    assert client.get("/desk/attrition/import").status_code == 404
