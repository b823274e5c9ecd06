"""The county closes a survey round on a 360x740 phone: the confirmation shows what is still
open, closing needs the box ticked, and a round closed by mistake is reopened with a reason.
The rounds page fits the screen in Chinese and in English. Screenshots go to
docs/screenshots/ with FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy import select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.surveys.models import SurveyRound, SyncChange
from tests.browser.survey_steps import COUNTY, VILLAGE
from tests.factories import PASSWORD


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_county_closes_after_seeing_what_is_open_and_reopens_with_a_reason(
        app, make, live_server, phone, screenshot_dir):
    clock.set(dt.datetime(2026, 6, 1, 8, 0))
    make.division("152201100202", "乌兰哈达嘎查", "152201100000")
    for village in (VILLAGE, VILLAGE, VILLAGE, "152201100202"):
        make.household(village)
    round_ = make.survey_round(COUNTY, 2026)
    survey = db.session.scalars(select(HouseholdSurvey)).first()
    survey.status = SurveyStatus.ENTERED
    collector = make.user("village_collector", VILLAGE, username="gegenmiao")
    make.user("village_collector", "152201100202", username="wulanhada")
    db.session.add(SyncChange(uuid="00000000-0000-4000-8000-000000000001",
                              user_id=collector.id, op="household.save",
                              received_at=dt.datetime(2026, 6, 15, 9, 0), status="applied",
                              result={}))
    statistician = make.user("county_statistician", COUNTY)
    db.session.commit()
    clock.set(dt.datetime(2026, 6, 15, 10, 0))

    phone.goto(f"{live_server}/login?next=/survey/rounds")
    phone.fill("input[name=username]", statistician.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server}/survey/rounds")
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "survey-rounds-county.png"), full_page=True)

    # One tap no longer closes: it opens the confirmation.
    phone.click("#close-round")
    expect(phone.locator("h1")).to_have_text("结束2026年度入户调查？")
    expect(phone.locator("#open-not-surveyed")).to_have_text("3")
    expect(phone.locator("#open-entered")).to_have_text("1")
    phones = phone.locator(".round-phones").inner_text()
    assert "乌兰哈达嘎查" in phones and "从未同步" in phones
    assert "最后同步 2026-06-15 09:00" in phones
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "survey-rounds-close.png"), full_page=True)

    phone.click("input[name=close]")  # the box is not ticked: refused, at the button
    alert = phone.locator("#confirm .form-error, #confirm small.error").first
    expect(alert).to_contain_text("请先确认")
    expect(alert).to_be_in_viewport()
    db.session.expire_all()
    assert db.session.get(SurveyRound, round_.id).is_open

    phone.check("input[name=confirm]")
    phone.click("input[name=close]")
    expect(phone.locator(".flash")).to_contain_text("本轮入户调查已结束")
    db.session.expire_all()
    assert not db.session.get(SurveyRound, round_.id).is_open

    phone.fill("textarea[name=reason]", "误点结束，乌兰哈达嘎查尚在调查")
    fits(phone)
    phone.click("input[name=reopen]")
    expect(phone.locator(".flash")).to_contain_text("已重新开启2026年度入户调查")
    expect(phone.locator("ul.rows")).to_contain_text("误点结束，乌兰哈达嘎查尚在调查")
    db.session.expire_all()
    assert db.session.get(SurveyRound, round_.id).is_open

    # The English page fits too (its table was 489 px wide).
    phone.goto(f"{live_server}/survey/rounds?lang=en")
    expect(phone.locator("table.progress")).to_be_visible()
    fits(phone)
    width = phone.evaluate("document.querySelector('table.progress').scrollWidth")
    assert width <= 360 - 2 * 12, width
    phone.screenshot(path=str(screenshot_dir / "survey-rounds-county-en.png"), full_page=True)
