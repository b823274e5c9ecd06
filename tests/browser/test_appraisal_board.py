"""The scoreboard in Chromium: a card per division on a 360 px phone (nothing wider than the
screen, every cell labelled), a table on a desk; a cell's link opens the page explaining it."""
from __future__ import annotations

from pathlib import Path

from field_app.accounts.roles import Role
from field_app.extensions import db
from tests.appraisal.conftest import ARXAN, LEAGUE, board_data  # noqa: F401  (a fixture)
from tests.factories import PASSWORD

URL = f"/appraisal/{LEAGUE}?period=2026-11"


def _signed_in(browser, live_server, user, width, height):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  is_mobile=width < 600, has_touch=width < 600, locale="zh-CN",
                                  device_scale_factor=2 if width < 600 else 1)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/**")
    return context, page


def test_the_board_is_a_card_per_division_on_a_phone(browser, live_server,
                                                     make, board_data,
                                                     screenshot_dir: Path):
    user = make.user(Role.LEAGUE_STATISTICIAN, LEAGUE)
    db.session.commit()
    context, page = _signed_in(browser, live_server, user, 360, 740)
    try:
        page.goto(live_server + URL)
        page.wait_for_selector("table[data-appraisal-board]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # The column heads move off screen (screen readers still read them); each cell
        # carries its own label.
        assert page.locator("table[data-appraisal-board] thead").bounding_box()["x"] < 0
        cards = page.locator("table[data-appraisal-board] tbody tr")
        assert cards.count() == 3
        boxes = [cards.nth(i).bounding_box() for i in range(3)]
        for box in boxes:  # stacked, each within the screen
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"]
        label = page.evaluate(
            "getComputedStyle(document.querySelector('td[data-col=timeliness]'),"
            " '::before').content")
        assert "及时性" in label
        page.screenshot(path=str(screenshot_dir / "appraisal-scoreboard-360.png"),
                        full_page=True)
        page.click(f"tr[data-division='{ARXAN}'] td[data-col=timeliness] a")
        page.wait_for_url(f"**/reporting/{ARXAN}?period=2026-11")
    finally:
        context.close()


def test_the_board_is_a_table_on_a_desk(browser, live_server, make, board_data):
    user = make.user(Role.LEAGUE_STATISTICIAN, LEAGUE)
    db.session.commit()
    context, page = _signed_in(browser, live_server, user, 1280, 800)
    try:
        page.goto(live_server + URL)
        page.wait_for_selector("table[data-appraisal-board]")
        assert page.locator("table[data-appraisal-board] thead").is_visible()
        cells = page.locator(f"tr[data-division='{ARXAN}'] td")
        first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
        assert abs(first["y"] - second["y"]) < 2  # side by side: a table row
    finally:
        context.close()
