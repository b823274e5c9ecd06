"""The review loop end to end in two browsers at 360x740: the collector submits a household,
the township returns it with a reason for the household and one for a member, the collector
sees both on the phone, corrects and resubmits, the township approves, and the household is
read-only on the phone. Screenshots of the township's pages go to docs/screenshots/ with
FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from tests.browser.survey_steps import add_household, add_member, back_to_household, pending
from tests.factories import PASSWORD, make_id_number


@pytest.fixture
def reviewer_page(browser, make, live_server):
    """The township reviewer of 义勒力特镇, signed in on a second phone."""
    user = make.user("township_reviewer", "152201100000")
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    yield page
    context.close()


def _status() -> SurveyStatus:
    db.session.rollback()
    return db.session.scalar(select(HouseholdSurvey.status).where(
        HouseholdSurvey.status != SurveyStatus.NOT_SURVEYED))


def _submit(phone) -> None:
    """Submit the household shown, and wait until the server has it."""
    phone.click("#sv-submit")
    expect(phone.locator("h1 .sv-badge")).to_have_text("已提交")
    deadline = time.monotonic() + 15
    while _status() != SurveyStatus.SUBMITTED:
        assert time.monotonic() < deadline, "the submission never reached the server"
        time.sleep(0.1)
    expect(pending(phone)).to_have_text("0", timeout=15000)


def _open_household(reviewer, live_server, status_heading: str) -> None:
    reviewer.goto(f"{live_server}/review/")
    reviewer.click("text=葛根庙嘎查")
    expect(reviewer.locator("h2", has_text=status_heading)).to_be_visible()
    reviewer.click("ul.rows a >> nth=0")


def test_return_with_reasons_correct_resubmit_approve(cadre, phone, reviewer_page, live_server,
                                                      screenshot_dir):
    reviewer = reviewer_page
    add_household(phone, "第1组6号")
    add_member(phone, make_id_number(dt.date(1975, 4, 1), "male"), "阿拉坦", "head")
    back_to_household(phone)
    add_member(phone, make_id_number(dt.date(1977, 9, 9), "female"), "高娃", "spouse")
    back_to_household(phone)
    _submit(phone)
    assert _status() == SurveyStatus.SUBMITTED

    _open_household(reviewer, live_server, "已提交")
    expect(reviewer.locator("h2", has_text="高娃")).to_be_visible()
    reviewer.fill("textarea[name=reason]", "门牌号与户口簿不一致")
    reviewer.locator("label", has_text="成员 高娃 的问题").locator("textarea").fill(
        "劳动能力应为部分劳动能力")
    reviewer.screenshot(path=str(screenshot_dir / "review-household.png"), full_page=True)
    reviewer.click("#send_back")
    expect(reviewer.locator(".flash")).to_contain_text("已退回")
    assert _status() == SurveyStatus.RETURNED

    phone.reload()
    expect(phone.locator("h1 .sv-badge")).to_have_text("已退回", timeout=15000)
    expect(phone.locator(".sv-returned")).to_contain_text("门牌号与户口簿不一致")
    phone.click("#sv-members a:has-text(\"高娃\")")
    expect(phone.locator(".sv-returned")).to_contain_text("劳动能力应为部分劳动能力")
    phone.select_option("select[name=labour_capacity]", "partial")
    phone.click("form button.primary")
    expect(phone.locator("#sv-members")).to_be_attached()  # saved: back on the household
    expect(pending(phone)).to_have_text("0", timeout=15000)
    _submit(phone)
    assert _status() == SurveyStatus.SUBMITTED

    _open_household(reviewer, live_server, "已提交")
    expect(reviewer.locator("text=部分劳动能力").first).to_be_visible()
    reviewer.click("#approve")
    reviewer.click("#approve-confirm")  # approving asks first
    expect(reviewer.locator(".flash")).to_contain_text("已审核通过")
    reviewer.screenshot(path=str(screenshot_dir / "review-village.png"), full_page=True)
    assert _status() == SurveyStatus.APPROVED

    phone.reload()
    expect(phone.locator("h1 .sv-badge")).to_have_text("已审核", timeout=15000)
    expect(phone.locator("text=添加成员")).to_have_count(0)
    expect(phone.locator("#sv-submit")).to_have_count(0)
    expect(phone.locator("input[name=address]")).to_be_disabled()
