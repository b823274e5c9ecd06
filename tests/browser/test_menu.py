"""The menu on a 360x740 phone: the account line, then one row of links that scrolls
sideways, instead of three rows of links above every page; every link still reachable."""
from __future__ import annotations

from pathlib import Path

from field_app.accounts.roles import Role
from field_app.extensions import db
from tests.browser.survey_steps import sign_in

BANNER = "152201000000"


def test_the_menu_is_two_short_rows_and_its_last_link_is_reachable(
        live_server, make, phone, screenshot_dir: Path):
    user = make.user(Role.COUNTY_STATISTICIAN, BANNER)
    db.session.commit()
    sign_in(phone, live_server, user.username)
    menu = phone.locator("nav.menu").bounding_box()
    assert menu is not None and menu["height"] < 100  # was three rows of links: 150 px
    links = phone.locator("nav.menu .links a")
    assert links.count() >= 10
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box()
                                        for i in range(links.count()))}
    assert len(tops) == 1  # one row
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.locator("nav.menu .who button").is_visible()  # 退出 stays in sight
    phone.screenshot(path=str(screenshot_dir / "menu-360.png"))
    phone.click("nav.menu .links >> text=两步验证")  # past the screen's edge: scrolled to
    phone.wait_for_url("**/two-factor**")
