"""The trends page on a 360x740 phone (issue 14): the chart and the table of 12 months fit
the screen's width, and the figure chooser changes the chart."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from tests.browser.survey_steps import sign_in, wait_until

BANNER = "152201000000"


def test_the_trends_page_fits_a_phone(browser, live_server, make, screenshot_dir: Path):
    clock.set(dt.datetime(2026, 11, 20, 9, 30))
    for i in range(30):
        make.employment(make.person(), dt.date(2025, 1 + i % 12, 1 + i % 27),
                        division="152201001001")
        make.employment(make.person(), dt.date(2026, 1 + i % 10, 2 + i % 25),
                        division="152201001001")
    user = make.user(Role.COUNTY_STATISTICIAN, BANNER)
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    try:
        sign_in(page, live_server, user.username)
        page.wait_for_url(f"{live_server}/divisions/{BANNER}")
        page.click("[data-trends-link]")
        page.wait_for_selector("[data-trend-chart] img")
        page.check("input[name=kind][value=month]")
        page.select_option("select[name=figure]", "new_employment_gross")
        page.click(".trend-form button[type=submit]")
        page.wait_for_url("**kind=month**")
        wait_until(page, "document.querySelector('[data-trend-chart] img').naturalWidth > 0")
        assert page.locator("[data-trend-table] tbody tr").count() == 12
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        chart = page.locator("[data-trend-chart] img").bounding_box()
        assert chart is not None and chart["width"] > 280 and chart["x"] + chart["width"] <= 360
        table = page.locator("[data-trend-table]").bounding_box()
        assert table is not None and table["x"] + table["width"] <= 360
        alt = page.locator("[data-trend-chart] img").get_attribute("alt")
        assert "城镇累计新就业人数" in alt
        page.screenshot(path=str(screenshot_dir / "trends14-month.png"), full_page=True)
    finally:
        context.close()
        clock.set(None)
