"""Provenance (来源) on the desk's records: each detail page and list row names the channel and
batch a record came from (or the desk), the lists filter by source and by batch together with
their other filters and exports, and the batches page lists the batches of the reader's
jurisdiction only."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from field_app.channels.models import Channel
from field_app.extensions import db
from tests.channels.checks_support import (
    BANNER,
    COMMUNITY,
    OTHER_BANNER,
    OTHER_VILLAGE,
    batch,
    hire,
    set_today,
)

START = dt.date(2026, 5, 10)


@pytest.fixture(autouse=True)
def _today():
    set_today()


@pytest.fixture
def records(make):
    """Employment registrations: one from the desk, one from a civil-service batch, one from
    a market batch, and one of another county's civil-service batch."""
    uploader = make.user("county_statistician", BANNER, username="上传人甲")
    civil = batch(uploader, filename="公务员录用.xlsx")
    market = batch(uploader, channel=Channel.MARKET, filename="个体户.csv")
    elsewhere = batch(channel=Channel.CIVIL_SERVICE, division=OTHER_BANNER,
                      filename="外县录用.xlsx")
    people = {name: make.person(dt.date(1985 + i, 3, 3), name=name)
              for i, name in enumerate(("登记台人员", "录用人员", "个体人员", "外县人员"))}
    desk = make.employment(people["登记台人员"], START, division=COMMUNITY)
    hired = hire(make, people["录用人员"], civil)
    business = hire(make, people["个体人员"], market, employment_type="individual_business")
    far = hire(make, people["外县人员"], elsewhere, division=OTHER_VILLAGE)
    attrition = make.attrition(make.person(dt.date(1960, 1, 1), name="退休人员"),
                               dt.date(2026, 5, 1))
    attrition.channel_batch_id = batch(uploader, channel=Channel.SI_ATTRITION).id
    db.session.commit()
    return {"desk": desk, "hired": hired, "business": business, "far": far, "civil": civil,
            "market": market, "elsewhere": elsewhere, "attrition": attrition}


def _names(response) -> list[str]:
    return re.findall(r'<span class="name">([^ <]+)', response.get_data(as_text=True))


def test_the_record_page_names_channel_batch_uploader_and_time(client, records, login_as):
    login_as("county_statistician", BANNER)
    shown = client.get(f"/desk/employment/{records['hired'].id}").get_data(as_text=True)
    assert "来源" in shown
    assert "公务员局/编办·新录用人员" in shown
    assert f"批次{records['civil'].id}" in shown
    assert "上传人甲" in shown
    assert records["civil"].uploaded_at.strftime("%Y-%m-%d %H:%M") in shown

    desk = client.get(f"/desk/employment/{records['desk'].id}").get_data(as_text=True)
    assert "登记台录入" in desk and "批次" not in desk

    attrition = client.get(f"/desk/attrition/{records['attrition'].id}").get_data(as_text=True)
    assert "社保·退休死亡" in attrition


def test_list_rows_show_the_source_compactly(client, records, login_as):
    login_as("county_statistician", BANNER)
    shown = client.get("/desk/lists/employment").get_data(as_text=True)
    assert f"公务员局/编办·新录用人员 · 批次{records['civil'].id}" in shown
    assert f"工商·个体工商户 · 批次{records['market'].id}" in shown


@pytest.mark.parametrize("query, expected", [
    ("", {"登记台人员", "录用人员", "个体人员"}),
    ("source=desk", {"登记台人员"}),
    ("source=civil_service", {"录用人员"}),
    ("source=market", {"个体人员"}),
    ("source=statistics", set()),
    ("source=nonsense", set()),
    ("source=market&type=unit", set()),
    ("source=civil_service&type=unit", {"录用人员"}),
    ("source=civil_service&since=2026-06-01", set()),
])
def test_the_lists_filter_by_source_with_the_other_filters(client, records, login_as, query,
                                                           expected):
    login_as("county_statistician", BANNER)
    assert set(_names(client.get(f"/desk/lists/employment?{query}"))) == expected


def test_the_lists_filter_by_batch(client, records, login_as):
    login_as("county_statistician", BANNER)
    civil, elsewhere = records["civil"].id, records["elsewhere"].id
    assert _names(client.get(f"/desk/lists/employment?batch={civil}")) == ["录用人员"]
    assert _names(client.get(f"/desk/lists/employment?batch={civil}&source=desk")) == []
    # another county's batch: its records are not the reader's
    assert _names(client.get(f"/desk/lists/employment?batch={elsewhere}")) == []
    for bad in ("abc", "-1", "9" * 40):
        response = client.get(f"/desk/lists/employment?batch={bad}")
        assert response.status_code == 200 and _names(response) == []
    # kinds without provenance hold desk records only
    assert client.get(f"/desk/lists/aid?batch={civil}").status_code == 200


def test_the_exports_follow_the_source_filter(client, records, login_as):
    login_as("county_statistician", BANNER)
    response = client.get("/desk/lists/employment/export.xlsx?source=civil_service")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "来源：公务员局/编办·新录用人员" in rows[0][0]
    assert [row[1] for row in rows[2:]] == ["录用人员"]

    response = client.get(f"/desk/lists/employment/export.zip?batch={records['market'].id}")
    assert response.status_code == 200
    import zipfile
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        text = archive.read("employment_registrations.csv").decode("utf-8-sig")
    assert records["business"].registration_no in text
    assert records["hired"].registration_no not in text


def test_the_batches_page_lists_the_batches_in_scope(client, records, login_as):
    login_as("county_statistician", BANNER)
    shown = client.get("/channels/batches").get_data(as_text=True)
    assert "公务员录用.xlsx" in shown and "个体户.csv" in shown
    assert "外县录用.xlsx" not in shown
    assert "上传人甲" in shown

    page = client.get(f"/channels/batches/{records['civil'].id}")
    assert page.status_code == 200
    link = f"/desk/lists/employment?batch={records['civil'].id}"
    assert link in page.get_data(as_text=True)
    assert _names(client.get(link)) == ["录用人员"]


def test_another_countys_batch_is_404(client, records, login_as):
    login_as("county_statistician", BANNER)
    assert client.get(f"/channels/batches/{records['elsewhere'].id}").status_code == 404
    assert client.get("/channels/batches/999999").status_code == 404
    login_as("county_statistician", OTHER_BANNER)
    assert client.get(f"/channels/batches/{records['elsewhere'].id}").status_code == 200


def test_a_township_reader_sees_the_countys_batch_named_but_not_linked(client, records,
                                                                        login_as):
    login_as("township_reviewer", "152201001000")
    civil = records["civil"]
    shown = client.get(f"/desk/employment/{records['hired'].id}").get_data(as_text=True)
    assert f"公务员局/编办·新录用人员 · 批次{civil.id}" in shown
    assert f"/channels/batches/{civil.id}" not in shown
    assert client.get(f"/channels/batches/{civil.id}").status_code == 404
    # the batch filter still reaches the township's own records of it
    assert _names(client.get(f"/desk/lists/employment?batch={civil.id}")) == ["录用人员"]
