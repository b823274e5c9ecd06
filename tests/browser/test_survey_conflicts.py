"""What the server refuses reaches the cadre, who decides: a change made on a household that
someone else changed meanwhile is shown beside the server's copy (keep mine / take the
server's), and a change the server refuses is shown with its reason until corrected or
discarded. Nothing is dropped silently."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember
from tests.browser.survey_steps import VILLAGE, add_member, pending
from tests.factories import make_id_number


@pytest.fixture
def household(make):
    """A household of the village, already on the server (an earlier import)."""
    household = make.household(VILLAGE)
    make.member(make.person(name="图雅"), household)
    db.session.commit()
    return household


def _open(phone, household) -> None:
    phone.reload()
    phone.click(f"#sv-households a[data-ref='s{household.id}']")
    expect(phone.locator("#sv-members")).to_be_attached()


def _edit_address(phone, address: str) -> None:
    phone.fill("input[name=address]", address)
    phone.click("form button.primary")


def _changed_by_someone_else(household, address: str) -> None:
    db.session.rollback()
    db.session.get(Household, household.id).address = address
    db.session.commit()


def _address(household) -> str:
    db.session.rollback()
    return db.session.get(Household, household.id).address


@pytest.mark.parametrize("keep", ["mine", "server"])
def test_a_conflict_is_shown_and_the_cadre_decides(cadre, phone, household, keep):
    _open(phone, household)
    phone.context.set_offline(True)
    _edit_address(phone, "离线改的地址")
    expect(pending(phone)).to_have_text("1")
    _changed_by_someone_else(household, "乡镇改的地址")
    phone.context.set_offline(False)

    phone.goto(phone.url.split("#")[0] + "#/outbox")
    change = phone.locator("section.sv-change[data-state=conflict]")
    expect(change).to_be_visible(timeout=15000)
    expect(change.locator("table.sv-cmp")).to_contain_text("离线改的地址")
    expect(change.locator("table.sv-cmp")).to_contain_text("乡镇改的地址")
    assert _address(household) == "乡镇改的地址"

    change.locator("button", has_text="保留我的" if keep == "mine" else "采用服务器的").click()
    expect(phone.locator("#sv-outbox-empty")).to_be_visible(timeout=15000)
    expect(pending(phone)).to_have_text("0")
    expected = "离线改的地址" if keep == "mine" else "乡镇改的地址"
    assert _address(household) == expected
    phone.goto(phone.url.split("#")[0] + f"#/h/s{household.id}")
    expect(phone.locator("input[name=address]")).to_have_value(expected)


def test_a_refused_change_waits_with_its_reason_until_discarded(cadre, phone, make, household):
    elsewhere = make.household("152202100201")
    number = make_id_number(dt.date(1985, 2, 3))
    make.member(make.person(id_number=number, name="敖敦"), elsewhere)
    db.session.commit()
    _open(phone, household)
    phone.context.set_offline(True)  # offline, the phone cannot know the person is taken
    add_member(phone, number, "敖敦", "child")
    phone.context.set_offline(False)

    phone.goto(phone.url.split("#")[0] + "#/outbox")
    change = phone.locator("section.sv-change[data-state=rejected]")
    expect(change).to_be_visible(timeout=15000)
    # The other household lies in another county: the refusal names no place outside.
    expect(change).to_contain_text("此人已是其他户的成员")
    expect(change).not_to_contain_text(elsewhere.code)
    expect(pending(phone)).not_to_have_text("0")
    change.locator("button", has_text="放弃").click()
    expect(phone.locator("#sv-outbox-empty")).to_be_visible()
    expect(pending(phone)).to_have_text("0")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HouseholdMember)
                             .where(HouseholdMember.household_id == household.id)) == 1
