"""A township prints its own tables (its villages as rows) and its villages' rosters, and
nothing of the county or of another township."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.core.clock import clock
from field_app.extensions import db
from tests.indicators.support import BANNER, COMMUNITY, COMMUNITY_2, GACHA, STREET, TOWN
from tests.reports.conftest import pdf_text


def _post(client, kind, division, period="2024", **extra):
    return client.post("/reports/", data={"kind": kind, "division": division, "period": period,
                                          **extra})


@pytest.fixture
def township(login_as):
    """Signed in as the reviewer of 都林街道 (two communities) of 乌兰浩特市."""
    return login_as("township_reviewer", STREET)


def test_the_township_page_offers_its_tables_and_its_villages_only(client, township):
    response = client.get("/reports/")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "打印报表：都林街道" in page
    for code in (COMMUNITY, COMMUNITY_2):
        assert f'href="/reports/?division={code}"' in page
    assert f"division={BANNER}" not in page  # the county is no crumb of its
    assert "农村牧区劳动力转移就业情况表" in page and "城镇" in page
    assert 'name="by_village"' not in page  # its rows are its villages already
    assert 'value="roster"' not in page  # rosters are printed village by village


def test_a_village_page_of_the_township_offers_the_roster(client, township):
    page = client.get(f"/reports/?division={COMMUNITY}").get_data(as_text=True)

    assert 'value="roster"' in page
    assert f'href="/reports/?division={STREET}"' in page  # back up to its township


def test_the_township_prints_its_rural_table_with_its_villages_as_rows(client, township):
    clock.set(dt.datetime(2025, 2, 3, 9, 30))

    response = _post(client, "rural", STREET)

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "都林街道" in text and "第一社区" in text and "第二社区" in text
    assert "义勒力特镇" not in text  # another township of the county is no row of it


def test_the_township_prints_its_urban_table(client, township):
    response = _post(client, "urban", STREET)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "第一社区" in pdf_text(response.data)


def test_the_township_prints_the_roster_of_its_village(client, township, make):
    make.rural_person(village=COMMUNITY)
    db.session.commit()

    response = _post(client, "roster", COMMUNITY)

    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "第一社区" in pdf_text(response.data)


@pytest.mark.parametrize(("kind", "division"), [
    ("rural", BANNER), ("urban", BANNER),  # the county above
    ("rural", TOWN), ("roster", GACHA),  # another township of the county, and its village
])
def test_the_township_prints_nothing_outside_it(client, township, kind, division):
    assert _post(client, kind, division).status_code == 404
    assert client.get(f"/reports/?division={division}").status_code == 404


def test_the_township_lists_and_downloads_its_own_reports_only(client, township, generate):
    county_report, _ = generate("urban", BANNER)
    other_township, _ = generate("urban", TOWN)
    db.session.commit()
    own = _post(client, "urban", STREET)
    page = client.get("/reports/").get_data(as_text=True)

    assert own.status_code == 200
    assert "都林街道" in page.split("最近生成的报表", 1)[1]
    for report in (county_report, other_township):
        assert report.number not in page
        assert client.get(f"/reports/{report.number}.pdf").status_code == 404
