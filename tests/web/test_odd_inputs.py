"""Inputs that used to answer 500: huge page numbers, query keys that ``url_for`` took as its
own arguments, and years the date type (or the engine's birth-date bounds) cannot hold."""
from __future__ import annotations

import datetime as dt
import re

import pytest

LEAGUE = "152200000000"
BANNER = "152201000000"
LISTS = ["employment", "unemployment", "aid", "attrition", "totals"]


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "-5", "x"])
def test_a_desk_list_answers_any_page_number(client, login_as, kind, page):
    login_as("county_statistician")
    response = client.get(f"/desk/lists/{kind}?page={page}")
    assert response.status_code == 200
    assert "没有记录" in response.get_data(as_text=True)


@pytest.mark.parametrize("key", ["kind", "endpoint", "_method", "_external", "_anchor",
                                 "_scheme", "filename"])
def test_stray_query_keys_neither_break_a_list_nor_reach_its_links(client, login_as, make, key):
    login_as("county_statistician")
    response = client.get(f"/desk/lists/employment?{key}=POST&status=open&since=2026-01-01")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    export = re.search(r'href="(/desk/lists/employment/export\.xlsx[^"]*)"', page).group(1)
    assert key not in export
    assert "status=open" in export and "since=2026-01-01" in export


def test_the_pager_keeps_the_filters_and_drops_stray_keys(client, login_as, make):
    make.employment(make.person(), dt.date(2026, 1, 5))
    login_as("county_statistician")
    page = client.get("/desk/lists/employment?page=2&status=open&endpoint=x"
                      ).get_data(as_text=True)
    previous = re.search(r'href="([^"]*)">上一页', page).group(1)
    assert "status=open" in previous and "page=1" in previous and "endpoint" not in previous


@pytest.mark.parametrize("query", [
    "period=0001", "period=0000", "period=0015Q1", "period=0001-01..2026-01", "period=9999",
    "from=0001-01-01&to=0001-12-31", "from=2026-01-01&to=9999-12-31",
])
def test_the_indicators_api_refuses_years_out_of_range_as_a_bad_period(client, login_as,
                                                                       query):
    login_as("county_statistician")
    response = client.get(f"/api/divisions/{BANNER}/indicators?{query}")
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_failed"
    assert "期间" in response.get_json()["message"]


def test_the_indicators_api_still_answers_ordinary_periods(client, login_as):
    login_as("county_statistician")
    response = client.get(f"/api/divisions/{BANNER}/indicators?period=1900")
    assert response.status_code == 200


@pytest.mark.parametrize("period", ["0000", "0001", "0001-01..0001-02", "9999Q4"])
def test_a_report_for_year_zero_or_one_is_refused_with_the_period_message(client, login_as,
                                                                          period):
    login_as("county_statistician")
    response = client.post("/reports/", data={"kind": "urban", "division": BANNER,
                                              "period": period})
    assert response.status_code == 422
    assert "报告期应写作" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/desk/persons/{n}", "/desk/aid/{n}", "/accounts/{n}",
                                  "/review/households/{n}"])
@pytest.mark.parametrize("number", [2**31, 2**63, 10**20])
def test_an_id_beyond_what_the_databases_hold_is_no_page(client, login_as, path, number):
    login_as("county_statistician")
    assert client.get(path.format(n=number)).status_code == 404


def test_an_id_beyond_what_the_databases_hold_is_no_page_for_a_post_either(client, login_as):
    login_as("county_statistician")
    response = client.post(f"/desk/aid/{2**63}/invalidate", data={"reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("body", ["false", "[1, 2]", '{"period": {"a": 1}}', "null"])
def test_a_json_body_sent_to_a_page_is_refused_not_crashed(client, login_as, body):
    login_as("county_statistician")
    response = client.post("/reports/", data=body, content_type="application/json")
    assert response.status_code == 415
    assert "只接受表单" in response.get_data(as_text=True)
