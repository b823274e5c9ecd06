"""One period through the whole reporting chain at 360x740, each user in a browser of their
own: the village cadre submits a household, the township reviewer approves it and submits
the township, the county statistician submits the banner, the county leader signs off, the
league statistician returns it with a reason, the county corrects and resubmits, the league
approves and submits, the region approves. The dashboards at each level show each step.
Screenshots go to docs/screenshots/ with FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from field_app.extensions import db
from field_app.indicators import Policy
from field_app.reporting import operations
from field_app.reporting.calendar import Period
from field_app.reporting.models import Submission, SubmissionStatus
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from tests.browser.survey_steps import add_household, add_member, add_spell, pending
from tests.factories import PASSWORD, make_id_number, totp_code

MAY = Period(dt.date(2026, 5, 1), dt.date(2026, 5, 31))


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def sign_in(user):
        context = browser.new_context(viewport={"width": 360, "height": 740},
                                      device_scale_factor=1, is_mobile=True, has_touch=True,
                                      locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # confirmations say yes
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        if "/login/verify" in page.url:
            page.fill("input[name=code]", totp_code(user))
            page.click("button[type=submit]")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def _wait_for(predicate, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        if predicate():
            return
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _badge(page, where: str):
    return page.locator(f"{where} .chain-badge").first


def _board_badge(page, name: str):
    return page.locator("#board li", has_text=name).locator(".chain-badge")


def _fits(page) -> None:
    """Nothing scrolls sideways at 360 px."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _other_banner_approved(make, league) -> None:
    """阿尔山市 reported and approved May already (its own offices, not the subject here)."""
    from field_app.accounts.roles import Role

    statistician = make.user(Role.COUNTY_STATISTICIAN, "152202000000")
    leader = make.user(Role.COUNTY_LEADER, "152202000000")
    submission = operations.submit(db.session, division_code="152202000000", period=MAY,
                                   actor=statistician, policy=Policy(),
                                   site_url="http://127.0.0.1:5000", explanation="已核对")
    operations.sign_off(db.session, submission, actor=leader)
    operations.approve(db.session, submission, actor=league)
    db.session.commit()


def test_one_period_through_the_whole_chain(cadre, phone, make, open_as, live_server,
                                            screenshot_dir):
    from field_app.accounts.roles import Role

    users = {role: make.user(role) for role in (
        Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN, Role.COUNTY_LEADER,
        Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN)}
    db.session.commit()
    _other_banner_approved(make, users[Role.LEAGUE_STATISTICIAN])

    # The village cadre surveys a transfer worker and submits the household.
    add_household(phone, "第2组3号")
    add_member(phone, make_id_number(dt.date(1988, 4, 1), "male"), "巴特尔", "head")
    add_spell(phone, "2026-03-01")
    phone.click("p.crumbs a")
    phone.click("#sv-submit")
    expect(pending(phone)).to_have_text("0", timeout=15000)
    _wait_for(lambda: db.session.scalar(select(HouseholdSurvey.status).where(
        HouseholdSurvey.status == SurveyStatus.SUBMITTED)) is not None, "household submitted")

    # The township reviewer approves it, then submits the township's May.
    township = open_as(users[Role.TOWNSHIP_REVIEWER])
    township.goto(f"{live_server}/review/")
    township.click("text=葛根庙嘎查")
    township.click("ul.rows a >> nth=0")
    township.click("#approve")
    township.click("#approve-confirm")  # 审核通过 asks for confirmation
    expect(township.locator(".flash")).to_contain_text("已审核通过")
    township.click("nav.menu >> text=逐级报送")
    expect(township.locator("h1")).to_contain_text("义勒力特镇")
    expect(_badge(township, "#own")).to_have_text("未报")
    township.click("#own button.primary")
    expect(township.locator(".flash")).to_contain_text("已报送")
    expect(_badge(township, "#own")).to_have_text("已报")
    expect(township.locator("#figures")).to_contain_text("已审核 1 户")
    _fits(township)
    township.screenshot(path=str(screenshot_dir / "reporting-township.png"), full_page=True)

    # The county statistician sees it, approves the township and submits the banner.
    county = open_as(users[Role.COUNTY_STATISTICIAN])
    county.goto(f"{live_server}/reporting/")
    expect(_board_badge(county, "义勒力特镇")).to_have_text("已报")
    expect(_board_badge(county, "都林街道")).to_have_text("逾期")  # due 3 June
    county.locator("#board li", has_text="义勒力特镇").locator("a").click()
    county.click("#own button:has-text('审核通过')")
    expect(county.locator(".flash")).to_contain_text("已审核通过")
    county.click("nav.crumbs >> text=乌兰浩特市")
    expect(_board_badge(county, "义勒力特镇")).to_have_text("已审核")
    county.fill("textarea[name=submit-explanation]", "本月数据已核对")
    county.click("#own button.primary")
    expect(county.locator(".flash")).to_contain_text("已报送")
    county.screenshot(path=str(screenshot_dir / "reporting-county.png"), full_page=True)

    # The county leader signs off after signing and sealing the paper.
    leader = open_as(users[Role.COUNTY_LEADER])
    leader.goto(f"{live_server}/reporting/")
    leader.click("text=已签字盖章，确认签发")
    expect(leader.locator(".flash")).to_contain_text("已签发")
    expect(leader.locator("#own")).to_contain_text("分管领导签发")

    # The league statistician returns it with a reason for one figure.
    league = open_as(users[Role.LEAGUE_STATISTICIAN])
    league.goto(f"{live_server}/reporting/")
    expect(_board_badge(league, "乌兰浩特市")).to_have_text("已报")
    expect(_board_badge(league, "阿尔山市")).to_have_text("已审核")
    league.locator("#board li", has_text="乌兰浩特市").locator("a").click()
    league.click("summary:has-text('退回')")
    # No reason: the browser itself holds the form back at the empty field.
    expect(league.locator("textarea[name=return-reason]")).to_have_attribute("required", "")
    league.fill("textarea[name=return-reason]", "城镇新增就业与社保数据不符，请核实")
    league.click("summary:has-text('按指标说明')")
    league.fill("input[name=return-item_new_employment_gross]", "漏报一人")
    league.screenshot(path=str(screenshot_dir / "reporting-league-return.png"), full_page=True)
    league.click("#own button:has-text('退回')")
    expect(league.locator(".flash")).to_contain_text("已退回")
    expect(_badge(league, "#own")).to_have_text("退回")

    # The county sees the reason, corrects the data and submits version 2.
    county.goto(f"{live_server}/reporting/")
    expect(_badge(county, "#own")).to_have_text("退回")
    expect(county.locator(".chain-return")).to_contain_text("漏报一人")
    make.employment(make.person(dt.date(1994, 8, 8)), dt.date(2026, 5, 20))
    db.session.commit()
    county.reload()
    county.click("#own button.primary:has-text('第2版')")
    expect(county.locator(".flash")).to_contain_text("已报送")
    expect(county.locator("#own")).to_contain_text("第2版")
    leader.reload()
    leader.click("text=已签字盖章，确认签发")
    expect(leader.locator(".flash")).to_contain_text("已签发")

    # The league approves version 2, then submits the league built from its banners.
    league.reload()
    expect(_badge(league, "#own")).to_have_text("已报")
    league.click("#own button:has-text('审核通过')")
    expect(league.locator(".flash")).to_contain_text("已审核通过")
    league.goto(f"{live_server}/reporting/")
    expect(_board_badge(league, "乌兰浩特市")).to_have_text("已审核")
    league.click("#own button.primary")
    expect(league.locator(".flash")).to_contain_text("已报送")
    expect(league.locator("#figures")).to_contain_text("由下级已审核的报送汇总")
    _fits(league)
    league.screenshot(path=str(screenshot_dir / "reporting-league.png"), full_page=True)

    # The region approves the league.
    region = open_as(users[Role.REGION_STATISTICIAN])
    region.goto(f"{live_server}/reporting/")
    expect(_board_badge(region, "兴安盟")).to_have_text("已报")
    region.locator("#board li", has_text="兴安盟").locator("a").click()
    region.click("#own button:has-text('审核通过')")
    expect(region.locator(".flash")).to_contain_text("已审核通过")
    region.goto(f"{live_server}/reporting/")
    expect(_board_badge(region, "兴安盟")).to_have_text("已审核")
    _fits(region)
    region.screenshot(path=str(screenshot_dir / "reporting-region.png"), full_page=True)

    db.session.rollback()
    chain = {(s.division_code, s.version): s.status for s in db.session.scalars(select(Submission))}
    assert chain == {
        ("152201100000", 1): SubmissionStatus.APPROVED,
        ("152201000000", 1): SubmissionStatus.RETURNED,
        ("152201000000", 2): SubmissionStatus.APPROVED,
        ("152202000000", 1): SubmissionStatus.APPROVED,
        ("152200000000", 1): SubmissionStatus.APPROVED,
    }
