"""The menu on a 360x740 phone: the account line, then one row of links that scrolls
sideways, instead of three rows of links above every page; every link still reachable."""
from __future__ import annotations

from pathlib import Path

from field_app.accounts.roles import Role
from field_app.extensions import db
from tests.factories import PASSWORD

BANNER = "152201000000"


def test_the_menu_is_two_short_rows_and_its_last_link_is_reachable(
        browser, live_server, make, screenshot_dir: Path):
    user = make.user(Role.COUNTY_STATISTICIAN, BANNER)
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/divisions/{BANNER}**")
        menu = page.locator("nav.menu").bounding_box()
        assert menu is not None and menu["height"] < 100  # was three rows of links: 150 px
        links = page.locator("nav.menu .links a")
        assert links.count() >= 10
        tops = {round(box["y"]) for box in (links.nth(i).bounding_box()
                                            for i in range(links.count()))}
        assert len(tops) == 1  # one row
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("nav.menu .who button").is_visible()  # 退出 stays in sight
        page.screenshot(path=str(screenshot_dir / "menu-360.png"))
        page.click("nav.menu .links >> text=两步验证")  # past the screen's edge: scrolled to
        page.wait_for_url("**/two-factor**")
    finally:
        context.close()
