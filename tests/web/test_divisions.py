"""The home page and division pages: Chinese year-to-date figures with drill-down."""
from __future__ import annotations

import datetime as dt

from field_app.core.clock import clock


def test_home_redirects_to_the_users_division(client, login_as):
    login_as("league_admin")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/divisions/152200000000")


def test_signed_out_visitor_is_sent_to_the_login_page(client, make):
    response = client.get("/divisions/152200000000")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_league_page_shows_year_to_date_figures_and_links_to_banners(client, make, login_as):
    login_as("league_admin")
    clock.set(dt.date(2026, 5, 20))
    person = make.person(dt.date(1990, 1, 1))
    make.employment(person, dt.date(2026, 3, 2), division="152201001001")
    page = client.get("/divisions/152200000000").get_data(as_text=True)
    assert "兴安盟" in page
    assert "2026-01-01 — 2026-05-20" in page
    assert "城镇累计新就业人数</dt><dd>1</dd>" in page
    # Links carry the period shown (year to date), so the banner opens on the same one.
    assert 'href="/divisions/152201000000?period=ytd"' in page
    assert 'href="/divisions/152202000000?period=ytd"' in page


def test_village_page_has_breadcrumbs_up_to_the_region(client, make, login_as):
    login_as("region_admin")
    page = client.get("/divisions/152201100201").get_data(as_text=True)
    for code in ("150000000000", "152200000000", "152201000000", "152201100000"):
        assert f'href="/divisions/{code}?period=ytd"' in page


def test_unknown_division_is_404(client, make, login_as):
    login_as("region_admin")
    assert client.get("/divisions/152299000000").status_code == 404
    assert client.get("/divisions/not-a-code").status_code == 404


def test_english_is_available(client, make, login_as):
    login_as("league_admin")
    response = client.get("/divisions/152200000000?lang=en")
    assert response.status_code == 200
    assert 'lang="en"' in response.get_data(as_text=True)


def test_api_returns_the_twelve_indicators(client, make, login_as):
    login_as("county_statistician")
    person = make.person(dt.date(1990, 1, 1))
    make.employment(person, dt.date(2026, 3, 2), division="152201001001")
    payload = client.get("/api/divisions/152201000000/indicators?period=2026Q1").get_json()
    assert payload["name"] == "乌兰浩特市"
    assert payload["indicators"]["new_employment_gross"] == 1
    assert len(payload["indicators"]) == 12


def test_api_bad_period_is_a_json_error_payload(client, make, login_as):
    login_as("county_statistician")
    response = client.get("/api/divisions/152201000000/indicators?period=2026Q9")
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_failed"
    assert "期间参数错误" in body["message"]


def test_api_unknown_division_is_404_json(client, make, login_as):
    login_as("county_statistician")
    response = client.get("/api/divisions/152299000000/indicators?period=2026")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
