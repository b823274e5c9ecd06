"""The maps on a 360x740 phone: the league's choropleth and a village's coverage map fit the
screen, and the figure chooser redraws the map."""
from __future__ import annotations

import base64
import datetime as dt
import random
from pathlib import Path

from geoalchemy2 import WKTElement
from sqlalchemy import select

import field_app.demo
from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.maps.operations import load_boundaries
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from tests.browser.survey_steps import wait_until
from tests.factories import PASSWORD

OTHER_COUNTIES = [("152221000000", "科尔沁右翼前旗"), ("152222000000", "科尔沁右翼中旗"),
                  ("152223000000", "扎赉特旗"), ("152224000000", "突泉县")]
GACHA, TOWN = "152201100201", "152201100000"


def _sign_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return context, page


def _drawn(page, selector: str) -> str:
    """The SVG inside the map's image, once the browser has decoded and laid it out."""
    wait_until(page, f"document.querySelector('{selector}').naturalWidth > 0")
    source = page.locator(selector).get_attribute("src")
    return base64.b64decode(source.split(",", 1)[1]).decode("utf-8")


def _fits(page, selector: str) -> None:
    page.wait_for_selector(selector)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator(selector).bounding_box()
    assert box is not None and box["width"] > 300 and box["x"] + box["width"] <= 360


def test_the_league_map_fits_a_phone_and_follows_the_figure_chooser(browser, live_server, make,
                                                                      screenshot_dir: Path):
    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    for code, name in OTHER_COUNTIES:
        make.division(code, name, "152200000000")
        make.division(code[:6] + "100000", name[:2] + "镇", code)
        make.division(code[:6] + "100201", name[:2] + "村", code[:6] + "100000")
    rng = random.Random(14)
    for village in [GACHA, "152202100201"] + [c[:6] + "100201" for c, _ in OTHER_COUNTIES]:
        for _ in range(rng.randint(1, 6)):
            make.spell(make.rural_person(village=village), dt.date(2026, 2, 1))
    load_boundaries(db.session, Path(field_app.demo.__file__).parent / "boundaries.geojson",
                    skip_unmatched=True)
    user = make.user(Role.LEAGUE_STATISTICIAN, "152200000000")
    db.session.commit()
    context, page = _sign_in(browser, live_server, user)
    try:
        page.goto(f"{live_server}/divisions/152200000000")
        page.click("a[data-map-link]")
        _fits(page, "figure[data-map=figure] img")
        assert "扎赉特旗" in _drawn(page, "figure[data-map=figure] img")
        page.screenshot(path=str(screenshot_dir / "maps-league-360.png"), full_page=True)
        page.select_option("select[name=figure]", "stable_transfer_180d")
        page.click("form.map-choice button[type=submit]")
        page.wait_for_url("**figure=stable_transfer_180d**")
        title = page.locator("figure[data-map=figure] img").get_attribute("alt")
        assert "转移就业6个月以上人数" in title
    finally:
        context.close()


def test_a_village_coverage_map_fits_a_phone(browser, live_server, make, screenshot_dir: Path):
    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    rng = random.Random(7)
    households = []
    for _ in range(40):
        household = make.household(GACHA)
        lon, lat = 122.05 + rng.uniform(-0.02, 0.02), 46.1 + rng.uniform(-0.015, 0.015)
        household.location = WKTElement(f"POINT({lon:.6f} {lat:.6f})", srid=4326)
        households.append(household)
    make.household(GACHA)  # no GPS point
    make.survey_round("152201000000", 2026)
    reviewer = make.user(Role.TOWNSHIP_REVIEWER, TOWN)
    surveys = {s.household_id: s for s in db.session.scalars(select(HouseholdSurvey))}
    for household in households:
        status = rng.choice([SurveyStatus.APPROVED, SurveyStatus.SUBMITTED,
                             SurveyStatus.NOT_SURVEYED, SurveyStatus.RETURNED])
        survey = surveys[household.id]
        survey.status = status
        if status != SurveyStatus.NOT_SURVEYED:
            survey.submitted_at, survey.submitted_by_id = clock.now(), reviewer.id
        if status in (SurveyStatus.APPROVED, SurveyStatus.RETURNED):
            survey.reviewed_at, survey.reviewed_by_id = clock.now(), reviewer.id
    db.session.commit()
    context, page = _sign_in(browser, live_server, reviewer)
    try:
        page.goto(f"{live_server}/divisions/{GACHA}")
        page.click("a[data-map-link]")
        _fits(page, "figure[data-map=coverage] img")
        assert "已退回" in _drawn(page, "figure[data-map=coverage] img")
        assert page.locator("[data-unlocated]").inner_text() == "1 户"
        page.screenshot(path=str(screenshot_dir / "maps-coverage-360.png"), full_page=True)
    finally:
        context.close()
