"""Issue 15, "in the field, second round", on a 360x740 phone: a submission that waits for a
refused change, one head per household, a removed member's records, the cadre's list
(本户无变化, filters, progress, order), unsaved input, the compact screen, the round closing,
the household's answers for the head to check, and the spell form's hint."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.households.models import HouseholdMember
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.surveys.models import SurveyRound, Training, TransferSpell
from tests.browser.survey_steps import VILLAGE, add_member, add_spell, pending, wait_until
from tests.factories import make_id_number


@pytest.fixture
def household(make):
    """A household of the village with its head 图雅, already on the server."""
    household = make.household(VILLAGE)
    make.member(make.person(dt.date(1970, 2, 3), name="图雅"), household)
    db.session.commit()
    return household


def _open(phone, household) -> None:
    phone.reload()
    phone.click(f"#sv-households a[data-ref='s{household.id}']")
    expect(phone.locator("#sv-members")).to_be_attached()


def _status(household) -> str | None:
    db.session.rollback()
    return db.session.scalar(select(HouseholdSurvey.status)
                             .where(HouseholdSurvey.household_id == household.id))


def _answer(phone, yes: bool) -> None:
    """Answer the page's questions (confirm) with ``yes`` from now on, noting each one."""
    phone.evaluate("yes => { window.__said = window.__said || [];"
                   " window.confirm = m => { window.__said.push(m); return yes; }; }", yes)


def _said(phone) -> list[str]:
    return phone.evaluate("window.__said || []")


def _wait_status(household, status, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while _status(household) != status:
        assert time.monotonic() < deadline, status
        time.sleep(0.1)


def test_a_submission_waits_until_the_refused_change_is_discarded(
        cadre, phone, household, make, screenshot_dir):
    elsewhere = make.person(dt.date(1992, 6, 1), name="其木格")
    make.member(elsewhere, make.household(VILLAGE))
    db.session.commit()
    _open(phone, household)
    phone.fill("input[name=address]", "第5组2号")
    phone.click("form button.primary")
    _wait_status(household, SurveyStatus.ENTERED)
    expect(pending(phone)).to_have_text("0", timeout=15000)

    # Offline, a person already in another household is added (no look-up offline), then
    # the household is submitted.
    phone.context.set_offline(True)
    add_member(phone, elsewhere.id_number, "其木格", "child")
    phone.click("p.crumbs a")
    phone.click("#sv-submit")
    expect(pending(phone)).to_have_text("2")
    phone.context.set_offline(False)
    phone.evaluate("SV.sync()")

    # The member is refused, and the submission waits for it instead of going through.
    expect(phone.locator("#sv-held")).to_be_visible(timeout=15000)
    phone.screenshot(path=screenshot_dir / "survey-submit-waiting.png")
    assert _status(household) == SurveyStatus.ENTERED
    phone.click("#sv-held a")
    expect(phone.locator("section.sv-change[data-state=pending]")).to_contain_text("等待提交")
    expect(phone.locator("section.sv-change[data-state=rejected]")).to_contain_text("一人只能属于一户")

    # Discarded on purpose: the submission goes.
    phone.locator("section.sv-change[data-state=rejected] button.danger").click()
    expect(pending(phone)).to_have_text("0", timeout=15000)
    assert _status(household) == SurveyStatus.SUBMITTED


def test_a_household_with_a_refused_change_cannot_be_submitted(cadre, phone, household, make):
    elsewhere = make.person(dt.date(1992, 6, 1), name="其木格")
    make.member(elsewhere, make.household(VILLAGE))
    db.session.commit()
    _open(phone, household)
    phone.click("#sv-confirm")  # surveyed (已录入), so it could be submitted
    _wait_status(household, SurveyStatus.ENTERED)
    phone.context.set_offline(True)
    add_member(phone, elsewhere.id_number, "其木格", "child")
    phone.context.set_offline(False)
    phone.evaluate("SV.sync()")
    expect(phone.locator("#sv-pending .sv-flag.bad")).to_be_visible(timeout=15000)
    phone.goto(phone.url.split("#")[0] + f"#/h/s{household.id}")
    expect(phone.locator("#sv-submit")).to_be_disabled()
    expect(phone.locator("#sv-submit-block")).to_contain_text("未被服务器接受的修改")


def test_one_head_per_household_on_the_phone(cadre, phone, household):
    _open(phone, household)
    phone.click("text=添加成员")
    phone.fill("input[name=id_number]", make_id_number(dt.date(1972, 4, 5), "female"))
    phone.fill("input[name=name]", "萨仁")
    phone.select_option("select[name=hukou]", "rural")
    phone.select_option("select[name=labour_capacity]", "full")
    phone.select_option("select[name=relation]", "head")
    expect(phone.locator("small.error[data-for=relation]")).to_have_text(
        "本户已有户主（图雅），一户只能有一名户主；请先把原户主改为其他关系")
    phone.select_option("select[name=relation]", "spouse")
    phone.click("form button.primary")
    expect(phone.locator("h1")).to_have_text("萨仁")
    phone.click("p.crumbs a")

    # Without a head the household says so and cannot be submitted.
    phone.click("#sv-members a >> text=图雅")
    phone.select_option("select[name=relation]", "parent")
    phone.click("form button.primary")
    expect(phone.locator("#sv-heads")).to_have_text("每户应有且只有一名户主（现有0名）")
    expect(phone.locator("#sv-submit")).to_be_disabled()


def test_removing_a_member_asks_about_and_removes_their_records(cadre, phone):
    _answer(phone, True)
    phone.click("text=新增户")
    phone.fill("input[name=address]", "第1组9号")
    phone.click("form button.primary")
    add_member(phone, make_id_number(dt.date(1990, 1, 2)), "巴特尔", "head")
    add_spell(phone, "2026-03-01")
    expect(pending(phone)).to_have_text("0", timeout=15000)
    phone.click("text=删除此成员")
    assert _said(phone)[-1] == "删除成员“巴特尔”？此人的1条转移就业经历和0条培训也将一并删除。"
    deadline = time.monotonic() + 15
    while db.session.scalar(select(func.count()).select_from(HouseholdMember)):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(TransferSpell)) == 0
    assert db.session.scalar(select(func.count()).select_from(Training)) == 0


def test_the_list_confirms_filters_counts_and_keeps_order(
        cadre, phone, household, make, screenshot_dir):
    returned = make.household(VILLAGE)
    make.member(make.person(dt.date(1980, 1, 1), name="阿拉坦"), returned)
    db.session.flush()
    round_ = db.session.scalar(select(SurveyRound))
    db.session.add(HouseholdSurvey(round=round_, household=returned, village_code=VILLAGE,
                                   status=SurveyStatus.RETURNED, return_count=1,
                                   submitted_at=clock.now(), submitted_by_id=cadre.id,
                                   reviewed_at=clock.now(), reviewed_by_id=cadre.id))
    db.session.commit()
    phone.reload()
    rows = phone.locator("#sv-households li a")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-ref", f"s{returned.id}")  # returned first
    expect(phone.locator("#sv-progress")).to_contain_text("已调查1户，共2户")

    # 本户无变化: counts as surveyed and can be submitted.
    phone.click(f"#sv-households a[data-ref='s{household.id}']")
    phone.click("#sv-confirm")
    _wait_status(household, SurveyStatus.ENTERED)
    expect(phone.locator("#sv-submit")).to_be_enabled()
    phone.click("p.crumbs a")
    expect(phone.locator("#sv-progress")).to_contain_text("已调查2户，共2户")

    phone.click("#sv-filters [data-filter=not_surveyed]")
    expect(rows).to_have_count(0)
    phone.click("#sv-filters [data-filter=returned]")
    expect(rows).to_have_count(1)
    phone.click("#sv-filters [data-filter=all]")

    # A new household is last before and after the server numbers it.
    phone.context.set_offline(True)
    phone.click("text=新增户")
    phone.fill("input[name=address]", "新来的户")
    phone.click("form button.primary")
    expect(phone.locator("h1")).to_contain_text("新户（同步后编号）")
    phone.click("p.crumbs a")
    expect(rows.last).to_contain_text("新户（同步后编号）")
    phone.screenshot(path=screenshot_dir / "survey-roster.png")
    phone.context.set_offline(False)
    phone.evaluate("SV.sync()")
    expect(pending(phone)).to_have_text("0", timeout=15000)
    expect(rows.last).to_contain_text(VILLAGE)
    expect(rows.last).to_contain_text("新来的户")


def test_unsaved_input_is_not_lost_silently(cadre, phone, household):
    _open(phone, household)
    _answer(phone, False)
    phone.fill("input[name=address]", "还没保存的地址")
    phone.click("p.crumbs a")  # the back link: asked, and stays
    assert _said(phone) == ["放弃修改？刚填写的内容还没有保存。"]
    expect(phone.locator("input[name=address]")).to_have_value("还没保存的地址")
    phone.click("#sv-pending")  # any link
    assert len(_said(phone)) == 2
    phone.evaluate("history.back()")  # the phone's Back
    wait_until(phone, "window.__said.length === 3")
    expect(phone.locator("input[name=address]")).to_have_value("还没保存的地址")

    _answer(phone, True)
    phone.click("p.crumbs a")
    expect(phone.locator("#sv-households")).to_be_attached()
    assert len(_said(phone)) == 4
    # Saved input leaves without a question.
    phone.click(f"#sv-households a[data-ref='s{household.id}']")
    phone.fill("input[name=address]", "保存了的地址")
    phone.click("form button.primary")
    phone.click("p.crumbs a")
    expect(phone.locator("#sv-households")).to_be_attached()
    assert len(_said(phone)) == 4


def _box(phone, selector: str) -> dict:
    return phone.locator(selector).bounding_box()


def test_the_phone_screen_is_compact_thumb_reachable_and_installable(
        cadre, phone, household, live_server, screenshot_dir):
    phone.add_init_script("navigator.storage.persist = function () { return Promise.resolve(false); };"
                          "navigator.storage.persisted = function () { return Promise.resolve(false); };")
    _open(phone, household)
    phone.screenshot(path=screenshot_dir / "survey-household.png")
    assert not phone.locator("body > header.bar").is_visible()
    assert not phone.locator("body > nav.menu").is_visible()
    bar = _box(phone, "#sv-bar")
    assert bar["y"] == 0 and bar["height"] <= 50
    back = _box(phone, "p.crumbs a")
    assert back["height"] >= 44 and back["y"] + back["height"] > 740 - 70
    for selector in ("#sv-confirm", "#sv-summary-link", "#sv-menu summary"):
        assert _box(phone, selector)["height"] >= 44, selector
    phone.click("#sv-menu summary")
    for link in phone.locator("#sv-menu nav a, #sv-menu nav button").all():
        assert link.bounding_box()["height"] >= 44

    # The storage warning: once, with something to do about it.
    phone.click("#sv-menu summary")
    expect(phone.locator("#sv-persist")).to_be_visible()
    phone.click("#sv-persist-ok")
    expect(phone.locator("#sv-persist")).to_have_count(0)
    phone.reload()
    expect(phone.locator("#sv-members")).to_be_attached()
    expect(phone.locator("#sv-persist")).to_have_count(0)

    # The web app manifest, served as one, with its icons.
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    response = phone.request.get(live_server + href)
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text())
    assert manifest["start_url"] == "/survey/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        url = live_server + href.split("?")[0].rsplit("/", 1)[0] + "/" + icon["src"]
        got = phone.request.get(url)
        assert got.ok and got.headers["content-type"] == "image/png"

    # Signed out: said as such, not "unreachable". The reload's own sync must be over first:
    # an answer still on its way would set the session cookie again after it is cleared.
    wait_until(phone, "!SV.state.syncing && SV.state.net === 'online'")
    phone.context.clear_cookies()
    phone.evaluate("SV.sync()")
    expect(phone.locator("#sv-net")).to_have_text("登录已过期", timeout=15000)
    expect(phone.locator("#sv-relogin")).to_be_visible()


def test_the_heading_follows_the_round_closing_without_a_reload(cadre, phone):
    expect(phone.locator("#sv-title")).to_contain_text("2026年度")
    db.session.rollback()
    round_ = db.session.scalar(select(SurveyRound))
    round_.closed_at, round_.closed_by_id = clock.now(), cadre.id
    db.session.commit()
    phone.evaluate("SV.sync()")
    expect(phone.locator("#sv-title")).to_contain_text("暂无开放的调查", timeout=15000)
    expect(phone.locator("text=新增户")).to_have_count(0)


def test_the_households_answers_are_shown_for_the_head_to_check_and_print(
        cadre, phone, screenshot_dir):
    phone.click("text=新增户")
    phone.fill("input[name=address]", "第3组7号")
    phone.click("form button.primary")
    add_member(phone, make_id_number(dt.date(1988, 4, 1)), "巴特尔", "head")
    phone.click("text=添加转移就业经历")
    expect(phone.locator("#sv-hint")).to_contain_text("1980年1月1日及以后出生")
    expect(phone.locator("#sv-hint")).to_contain_text("6个月")
    phone.screenshot(path=screenshot_dir / "survey-spell.png")
    phone.click("p.crumbs a")
    add_spell_on = phone.locator("text=添加转移就业经历")
    expect(add_spell_on).to_be_visible()
    add_spell(phone, "2026-03-01")
    phone.click("p.crumbs a")
    phone.click("#sv-summary-link")
    expect(phone.locator("h1")).to_have_text("入户调查信息核对")
    card = phone.locator(".sv-sum-member")
    expect(card).to_contain_text("巴特尔")
    expect(card).to_contain_text("户主")
    expect(card).to_contain_text("2026-03-01 ~ 至今仍在")
    expect(phone.locator("form.sv-form")).to_have_count(0)  # read-only
    expect(phone.locator("#sv-print")).to_be_visible()
    phone.screenshot(path=screenshot_dir / "survey-summary.png", full_page=True)
    phone.emulate_media(media="print")
    assert not phone.locator("#sv-print").is_visible()
    assert not phone.locator("#sv-bar").is_visible()
