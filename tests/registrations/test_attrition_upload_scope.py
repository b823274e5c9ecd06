"""The attrition upload runs the importer within the uploader's county: no row of the extract
may change a person or a record maintained elsewhere, and no upload gives a 500."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from field_app.extensions import db
from field_app.households.models import Person
from field_app.registrations.models import EmployedTotal, NaturalAttrition
from tests.factories import make_id_number
from tests.registrations.conftest import BANNER, COMMUNITY, OTHER_VILLAGE, page

HEADER = "id_number,division_code,occurred_on,reason\n"
PERSONS_HEADER = "id_number,name,hukou,phone\n"
# Names of the other banner's places, which no refusal may show.
ELSEWHERE = ("阿尔山市", "白狼镇", "林俗村", OTHER_VILLAGE)


def upload(client, **contents: str | bytes):
    files = [(io.BytesIO(text if isinstance(text, bytes) else text.encode()), name)
             for name, text in contents.items()]
    return client.post("/desk/attrition/import", data={"files": files},
                       content_type="multipart/form-data")


def assert_names_nothing_elsewhere(response) -> None:
    text = page(response)
    assert not [name for name in ELSEWHERE if name in text]


@pytest.fixture
def elsewhere(make):
    """A person registered unemployed only in the other banner's village."""
    person = make.person(dt.date(1970, 3, 4), name="外县人员", hukou="urban",
                         phone="13900000001")
    make.unemployment(person, dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    db.session.commit()
    return person


def test_a_persons_row_cannot_rename_a_person_maintained_in_another_county(
        client, statistician, elsewhere):
    response = upload(client, **{
        "natural_attrition.csv": HEADER,
        "persons.csv": PERSONS_HEADER + f"{elsewhere.id_number},改名字,urban,13900000001\n"})
    assert response.status_code == 422
    assert "本辖区以外" in page(response)
    assert_names_nothing_elsewhere(response)
    db.session.expire_all()
    assert db.session.get(Person, elsewhere.id).name == "外县人员"


def test_an_attrition_row_cannot_move_another_countys_record_into_this_one(
        client, make, statistician, urban):
    person = make.person(dt.date(1966, 5, 6))
    make.attrition(person, dt.date(2026, 3, 1), division=OTHER_VILLAGE)
    db.session.commit()
    response = upload(client, **{
        "natural_attrition.csv": HEADER + f"{person.id_number},{COMMUNITY},2026-03-01,death\n"})
    assert response.status_code == 422
    assert "本辖区以外" in page(response)
    assert_names_nothing_elsewhere(response)
    db.session.expire_all()
    record = db.session.scalars(select(NaturalAttrition)).one()
    assert (record.division_code, record.reason.value) == (OTHER_VILLAGE, "retirement")
    assert urban("natural_attrition") == 0


def test_one_offending_row_refuses_the_whole_extract_and_every_offence_is_listed(
        client, make, statistician, elsewhere, urban):
    newcomer = make_id_number(dt.date(1966, 7, 8))
    response = upload(client, **{
        "natural_attrition.csv": HEADER + f"{newcomer},{COMMUNITY},2026-03-01,retirement\n"
                                 f"{elsewhere.id_number},{OTHER_VILLAGE},2026-03-02,death\n",
        "persons.csv": PERSONS_HEADER + f"{newcomer},新人员,urban,\n"
                       f"{elsewhere.id_number},改名字,urban,13900000001\n"})
    assert response.status_code == 422
    text = page(response)
    assert "natural_attrition.csv" in text and "persons.csv" in text
    assert "区划不在本辖区" in text and "本辖区以外另有记录" in text
    assert urban("natural_attrition") == 0
    assert db.session.scalar(select(Person).where(Person.id_number == newcomer)) is None


def test_a_persons_row_repeating_the_stored_values_links_a_person_from_elsewhere(
        client, statistician, elsewhere, urban):
    response = upload(client, **{
        "natural_attrition.csv": HEADER + f"{elsewhere.id_number},{COMMUNITY},2026-03-01,"
                                 "retirement\n",
        "persons.csv": PERSONS_HEADER + f"{elsewhere.id_number},外县人员,urban,13900000001\n"})
    assert response.status_code == 200, page(response)
    assert urban("natural_attrition") == 1


def test_a_person_maintained_only_in_this_county_may_be_corrected_by_the_upload(
        client, make, statistician, urban):
    person = make.person(dt.date(1966, 5, 6), name="旧名字")
    make.attrition(person, dt.date(2026, 3, 1), division=COMMUNITY)
    db.session.commit()
    response = upload(client, **{
        "natural_attrition.csv": HEADER + f"{person.id_number},{COMMUNITY},2026-03-01,death\n",
        "persons.csv": PERSONS_HEADER + f"{person.id_number},新名字,urban,\n"})
    assert response.status_code == 200, page(response)
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "新名字"
    assert db.session.scalars(select(NaturalAttrition)).one().reason.value == "death"


def test_persons_without_an_attrition_row_are_not_taken_by_the_attrition_upload(
        client, make, statistician):
    mine = make.person(dt.date(1966, 5, 6), name="旧名字")
    make.attrition(mine, dt.date(2026, 3, 1), division=COMMUNITY)
    db.session.commit()
    stranger = make_id_number(dt.date(1980, 1, 2))
    response = upload(client, **{
        "natural_attrition.csv": HEADER,
        "persons.csv": PERSONS_HEADER + f"{stranger},新人员,,\n{mine.id_number},新名字,,\n"})
    assert response.status_code == 422
    assert page(response).count("persons.csv 只能包含 natural_attrition.csv 中的人员") == 2
    db.session.expire_all()
    assert db.session.get(Person, mine.id).name == "旧名字"
    assert db.session.scalar(select(Person).where(Person.id_number == stranger)) is None


@pytest.mark.parametrize("content", [
    (HEADER + "x\n").encode("utf-16"),
    (HEADER + "x\n").encode("utf-16-le"),
    (HEADER + "张三\n").encode("gb18030"),
    bytes(range(256)) * 4,
], ids=["utf-16", "utf-16 without BOM", "gb18030", "binary"])
def test_an_extract_that_is_not_utf8_is_refused_with_a_clear_message(
        client, statistician, content):
    response = upload(client, **{"natural_attrition.csv": content})
    assert response.status_code == 422
    assert "UTF-8" in page(response)


def test_a_cell_longer_than_the_csv_field_limit_is_a_fault_not_a_crash(client, statistician):
    response = upload(client, **{"natural_attrition.csv": HEADER + '"' + "9" * 200_000 + '"'})
    assert response.status_code == 422


@pytest.mark.parametrize("total", [str(2**63), str(2**63 - 1), "9" * 40])
def test_an_employed_total_beyond_any_real_count_is_refused_at_the_desk(
        client, statistician, total):
    response = client.post("/desk/totals/new", data={
        "division_code": BANNER, "as_of": "2026-06-15", "employed_total": total,
        "deduction": "0"})
    assert response.status_code == 422
    assert "过大" in page(response)
    assert db.session.scalars(select(EmployedTotal)).first() is None
