"""The cadre's survey app on a 360x740 phone without a network: what is entered offline
survives a reload, reaches the server once the phone is back online, and is stored exactly
once even when the network drops while a sync is on its way. Screenshots of the household
list, the member form and the offline state go to docs/screenshots/survey-*.png with
FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember, Person
from field_app.surveys.models import SyncChange, TransferSpell
from tests.browser.survey_steps import (
    add_household,
    add_member,
    add_spell,
    back_to_household,
    pending,
)
from tests.factories import make_id_number


def stored(address: str) -> dict:
    """What the server holds for the household at ``address``: counts per table."""
    db.session.rollback()  # a fresh transaction sees the live server's commits
    household = db.session.scalar(select(Household).where(Household.address == address))
    person_ids = select(HouseholdMember.person_id).where(
        HouseholdMember.household_id == household.id)
    return {
        "households": db.session.scalar(select(func.count()).where(Household.address == address)),
        "members": db.session.scalar(select(func.count()).select_from(HouseholdMember)
                                     .where(HouseholdMember.household_id == household.id)),
        "spells": db.session.scalar(select(func.count()).select_from(TransferSpell)
                                    .where(TransferSpell.person_id.in_(person_ids))),
        "changes": db.session.scalar(select(func.count()).select_from(SyncChange)),
    }


def persons_with(numbers) -> int:
    return db.session.scalar(select(func.count()).select_from(Person)
                             .where(Person.id_number.in_(numbers)))


def test_work_entered_offline_survives_a_reload_and_reaches_the_server_once(
        cadre, phone, browser, screenshot_dir):
    numbers = [make_id_number(dt.date(1978, 3, 2), "male"),
               make_id_number(dt.date(1980, 8, 9), "female"),
               make_id_number(dt.date(2004, 1, 20), "male"),
               make_id_number(dt.date(1999, 11, 5), "female")]
    add_household(phone, "第3组8号")
    add_member(phone, numbers[0], "巴特尔", "head",
               screenshot=str(screenshot_dir / "survey-member-form.png"))
    back_to_household(phone)
    add_member(phone, numbers[1], "其其格", "spouse")
    back_to_household(phone)
    add_member(phone, numbers[2], "苏和", "child")
    back_to_household(phone)
    expect(pending(phone)).to_have_text("0")
    assert stored("第3组8号") == {"households": 1, "members": 3, "spells": 0, "changes": 4}

    phone.context.set_offline(True)
    add_member(phone, numbers[3], "娜仁", "child")
    add_spell(phone, "2026-03-01")
    expect(pending(phone)).to_have_text("2")
    phone.reload()
    expect(phone.locator("h1")).to_have_text("娜仁")
    expect(phone.locator("text=2026-03-01 ~ 至今仍在")).to_be_visible()
    expect(pending(phone)).to_have_text("2")
    expect(phone.locator("#sv-net")).to_have_attribute("data-net", "offline")
    phone.click("p.crumbs a")
    expect(phone.locator("#sv-members li")).to_have_count(4)
    phone.screenshot(path=str(screenshot_dir / "survey-offline.png"))
    assert stored("第3组8号")["members"] == 3

    phone.context.set_offline(False)
    expect(pending(phone)).to_have_text("0", timeout=15000)
    assert stored("第3组8号") == {"households": 1, "members": 4, "spells": 1, "changes": 6}
    assert persons_with(numbers) == 4
    phone.click("p.crumbs a")
    expect(phone.locator("#sv-households li")).to_have_count(1)
    expect(phone.locator("#sv-households li .sv-badge")).to_have_text("已录入")
    phone.screenshot(path=str(screenshot_dir / "survey-household-list.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_sync_whose_answer_is_lost_is_sent_again_and_stored_once(cadre, phone):
    number = make_id_number(dt.date(1988, 5, 6), "male")
    phone.context.set_offline(True)
    add_household(phone, "第5组2号")
    add_member(phone, number, "额尔敦", "head")
    add_spell(phone, "2026-02-01")
    expect(pending(phone)).to_have_text("3")

    # The first sync reaches the server and is applied, but its answer never comes back.
    calls = []

    def drop_first_answer(route):
        calls.append(route.request.post_data_json["changes"])
        if len(calls) == 1:
            response = route.fetch()
            assert response.status == 200
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route("**/api/survey/sync", drop_first_answer)
    phone.context.set_offline(False)
    expect(pending(phone)).to_have_text("0", timeout=20000)
    phone.unroute("**/api/survey/sync")

    assert len(calls) == 2
    assert [c["uuid"] for c in calls[0]] == [c["uuid"] for c in calls[1]]
    assert stored("第5组2号") == {"households": 1, "members": 1, "spells": 1, "changes": 3}
    assert persons_with([number]) == 1
    phone.reload()  # the server's copy, as stored on the phone, shows the same
    expect(phone.locator("h1")).to_have_text("额尔敦")
    expect(phone.locator("text=2026-02-01 ~ 至今仍在")).to_have_count(1)
    expect(pending(phone)).to_have_text("0")
