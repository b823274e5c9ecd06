"""A township reviewer signs in on a phone and sees only that township."""
from __future__ import annotations

import datetime as dt

from field_app.core.clock import clock
from field_app.extensions import db
from tests.factories import PASSWORD


def test_township_reviewer_sees_only_the_township_on_a_phone(app, make, live_server, phone,
                                                            screenshot_dir):
    clock.set(dt.datetime(2026, 6, 30, 9, 0))
    worker = make.rural_person(dt.date(1990, 4, 1), village="152201100201")
    make.spell(worker, dt.date(2026, 2, 1))
    other = make.rural_person(dt.date(1991, 4, 1), village="152202100201")
    make.spell(other, dt.date(2026, 2, 1))
    reviewer = make.user("township_reviewer", "152201100000", username="sumu_reviewer")
    db.session.commit()

    phone.goto(f"{live_server}/")
    assert "/login" in phone.url
    phone.fill("input[name=username]", reviewer.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server}/divisions/152201100000")

    assert phone.locator("h1").inner_text() == "义勒力特镇"
    figures = phone.locator("dl.figures").nth(1).inner_text()
    assert "农村牧区劳动力转移就业人数\n1" in figures
    assert phone.locator("a[href='/divisions/152201100201']").count() == 1
    # Nothing above or beside the township is reachable.
    assert phone.locator("a[href='/divisions/152201000000']").count() == 0
    assert phone.locator("a[href='/divisions/152200000000']").count() == 0
    # The page fits the 360-pixel screen: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(screenshot_dir / "home-township-reviewer.png"), full_page=True)

    response = phone.goto(f"{live_server}/divisions/152202100000")
    assert response.status == 404
    assert "白狼镇" not in phone.content()
