"""Nothing entered on the phone is lost when the browser is closed and started again, nor
when the sign-in has expired meanwhile: the outbox waits in IndexedDB and is sent after the
next sign-in."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.households.models import Household
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.browser.survey_steps import COUNTY, VILLAGE, add_household, pending, wait_until
from tests.factories import PASSWORD


@pytest.fixture
def profile(browser, tmp_path):
    """``profile(offline=False)``: a Chromium with its own user-data directory on disk, so
    closing it and starting it again is a browser restart."""
    opened = []

    def launch(offline: bool = False):
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
            viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
            locale="zh-CN", offline=offline)
        opened.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return context, page

    yield launch
    for context in opened:
        try:
            context.close()
        except Exception:  # already closed by the test
            pass


def _households() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Household))


def _sign_in(page, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_unsent_work_survives_a_browser_restart_and_an_expired_sign_in(make, live_server,
                                                                       profile):
    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    make.survey_round(COUNTY, 2026)
    user = make.user("village_collector", VILLAGE)
    db.session.commit()

    context, page = profile()
    page.goto(f"{live_server}/login?next=/survey/")
    _sign_in(page, user.username)
    page.wait_for_url(f"{live_server}/survey/")
    expect(page.locator("#sv-households")).to_be_attached()  # the roster is on the phone
    wait_until(page, "!!navigator.serviceWorker.controller")
    context.set_offline(True)
    add_household(page, "第4组7号")
    expect(pending(page)).to_have_text("1")
    context.close()  # the browser is closed with the change unsent
    assert _households() == 0

    context, page = profile(offline=True)
    context.clear_cookies()  # and the sign-in has expired by the time it starts again
    page.goto(f"{live_server}/survey/")
    expect(pending(page)).to_have_text("1")
    expect(page.locator("#sv-households li")).to_have_count(1)
    context.set_offline(False)
    page.reload()
    relogin = page.locator("a", has_text="请重新登录")
    expect(relogin).to_be_visible(timeout=15000)
    expect(pending(page)).to_have_text("1")
    assert _households() == 0

    relogin.click()
    _sign_in(page, user.username)
    page.wait_for_url(f"{live_server}/survey/**")
    deadline = time.monotonic() + 15
    while _households() == 0:  # the page shows 0 for a moment before it reads its outbox
        assert time.monotonic() < deadline, "the outbox was never sent after the sign-in"
        time.sleep(0.1)
    expect(pending(page)).to_have_text("0", timeout=15000)
    household = db.session.scalar(select(Household))
    assert household.address == "第4组7号" and household.created_by_id == user.id
    assert _households() == 1
