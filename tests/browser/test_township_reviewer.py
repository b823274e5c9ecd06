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
    assert phone.locator("a[href^='/divisions/152201100201']").count() == 1
    # Nothing above or beside the township is reachable.
    assert phone.locator("a[href^='/divisions/152201000000']").count() == 0
    assert phone.locator("a[href^='/divisions/152200000000']").count() == 0
    # The page fits the 360-pixel screen: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(screenshot_dir / "home-township-reviewer.png"), full_page=True)

    response = phone.goto(f"{live_server}/divisions/152202100000")
    assert response.status == 404
    assert "白狼镇" not in phone.content()


def test_reviewer_sees_what_changed_since_the_return_and_approves_after_a_question(
        app, make, live_server, phone, screenshot_dir):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from field_app.review.models import HouseholdSurvey
    from field_app.review.operations import return_household
    from field_app.review.states import SurveyStatus

    clock.set(dt.datetime(2026, 6, 30, 9, 0))
    household = make.household("152201100201")
    make.member(make.person(dt.date(1975, 4, 1), name="阿拉坦"), household)
    spouse = make.member(make.person(dt.date(1977, 9, 9), "female", name="高娃"), household,
                         relation="spouse")
    make.survey_round()
    collector = make.user("village_collector", "152201100201")
    reviewer = make.user("township_reviewer", "152201100000", username="sumu_reviewer")
    survey = db.session.scalar(select(HouseholdSurvey).where(
        HouseholdSurvey.household_id == household.id))
    survey.status = SurveyStatus.SUBMITTED
    survey.submitted_at, survey.submitted_by_id = clock.now(), collector.id
    db.session.flush()
    return_household(db.session, survey, actor=reviewer, reason="门牌号与户口簿不一致",
                     member_reasons={spouse.id: "劳动能力应为部分劳动能力"})
    clock.set(dt.datetime(2026, 6, 30, 10, 15))
    household.address = "第1组6号"
    spouse.labour_capacity = "partial"
    survey.status = SurveyStatus.SUBMITTED
    survey.submitted_at, survey.reviewed_at, survey.reviewed_by_id = clock.now(), None, None
    db.session.commit()

    phone.goto(f"{live_server}/login")
    phone.fill("input[name=username]", reviewer.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.goto(f"{live_server}/review/villages/152201100201")
    expect(phone.locator("ul.rows").first).to_contain_text("第1次退回后重新提交")
    phone.click("ul.rows a >> nth=0")
    changes = phone.locator("#changes")
    expect(changes).to_contain_text("第1次退回后的修改")
    expect(changes).to_contain_text("地址：测试地址 → 第1组6号")
    expect(changes).to_contain_text("劳动能力：完全劳动能力 → 部分劳动能力")
    expect(phone.locator(".review-returns")).to_contain_text("高娃：劳动能力应为部分劳动能力")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(screenshot_dir / "review-resubmitted.png"), full_page=True)

    # Returned without a reason: the message is on screen where the reviewer pressed.
    phone.click("#send_back")
    alert = phone.locator("#return [role=alert]").first
    expect(alert).to_contain_text("请填写退回原因")
    expect(alert).to_be_in_viewport()

    phone.click("#approve")
    expect(phone.locator("#approve-form")).to_contain_text("确认审核通过这一户？")
    expect(phone.locator("#approve-confirm")).to_be_in_viewport()
    db.session.expire_all()
    assert db.session.get(HouseholdSurvey, survey.id).status == SurveyStatus.SUBMITTED
    phone.screenshot(path=str(screenshot_dir / "review-approve-confirm.png"), full_page=False)
    phone.click("#approve-confirm")
    expect(phone.locator(".flash")).to_contain_text("已审核通过")
    expect(phone.locator(".approved-by")).to_contain_text(
        f"审核通过：{reviewer.display_name} · 2026-06-30 10:15")
