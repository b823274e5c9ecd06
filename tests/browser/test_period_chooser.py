"""The period chooser of the division page on a 360x740 phone, by thumb: step back a
month, tap a usual period, choose a quarter in the form; the last choice is remembered
across sign-ins, and nothing is wider than the screen. Screenshots go to docs/screenshots/
with FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from field_app.core.clock import clock
from field_app.extensions import db
from tests.browser import survey_steps as steps

BANNER = "152201000000"
TARGET = 44  # px: the smallest a thumb's target may be (2.75rem)


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def sign_in(page, base, username):
    steps.sign_in(page, base, username)
    page.wait_for_url(f"{base}/divisions/{BANNER}*")


def test_county_chooses_a_period_with_one_thumb_and_finds_it_again(
        app, make, live_server, phone, screenshot_dir):
    clock.set(dt.datetime(2026, 8, 15, 10, 0))
    make.employment(make.person(), dt.date(2026, 7, 10))
    statistician = make.user("county_statistician", BANNER)
    db.session.commit()
    sign_in(phone, live_server, statistician.username)
    label = phone.locator("[data-period-label]")
    expect(label).to_have_text("2026年1月1日至今")
    fits(phone)
    for target in phone.locator(".period-quick a, .period-step a.step, .period-form summary").all():
        box = target.bounding_box()
        assert box["height"] >= TARGET and box["width"] >= TARGET, target.inner_text()

    phone.get_by_role("link", name="本月", exact=True).tap()
    expect(label).to_have_text("2026年8月")
    expect(phone.locator(".period-quick a[aria-current]")).to_have_text("本月")
    phone.locator("a[rel=prev]").tap()
    expect(label).to_have_text("2026年7月")
    assert phone.locator("a[rel=next]").count() == 1
    figure = phone.locator(".figures div", has_text="城镇新增就业人数").locator("dd")
    expect(figure).to_have_text("1")

    # Any quarter: open the form, tap 季, the quarter's buttons appear, tap 第2季度.
    phone.locator(".period-form summary").tap()
    phone.locator("label[for=period-kind-quarter]").tap()
    expect(phone.locator("input[type=month][name=month]")).to_be_hidden()
    expect(phone.locator("label[for=period-q2]")).to_be_visible()
    phone.fill("input[name=year]", "2026")
    phone.locator("label[for=period-q2]").tap()
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "home-period-chooser.png"))
    phone.get_by_role("button", name="查看").tap()
    expect(label).to_have_text("2026年第2季度")
    expect(figure).to_have_text("0")
    assert phone.url.endswith("period=2026Q2")
    # The next quarter (July–September) has begun; the one after has not.
    assert phone.locator("a[rel=next]").count() == 1

    # A range of months.
    phone.locator(".period-form summary").tap()
    phone.locator("label[for=period-kind-range]").tap()
    phone.fill("input[name=first]", "2026-06")
    phone.fill("input[name=last]", "2026-07")
    phone.get_by_role("button", name="查看").tap()
    expect(label).to_have_text("2026年6月至7月")
    expect(figure).to_have_text("1")
    assert phone.locator("a[rel=prev]").count() == 0  # a range has no neighbours

    # Signed out and in again (another device would do the same): the same period.
    phone.context.clear_cookies()
    sign_in(phone, live_server, statistician.username)
    expect(label).to_have_text("2026年6月至7月")
    fits(phone)
