"""The cadre's forms as a phone uses them: the location from the phone with its accuracy,
and the instant checks, which say exactly what the server would."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import Household
from tests.browser.survey_steps import pending
from tests.factories import make_id_number


def test_the_phones_location_is_saved_with_its_accuracy(cadre, phone):
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 46.0812, "longitude": 121.9534, "accuracy": 12})
    phone.click("text=新增户")
    phone.fill("input[name=address]", "第2组3号")
    phone.click("#sv-locate")
    expect(phone.locator("text=手机定位，精度约12米")).to_be_visible()
    expect(phone.locator("input[name=longitude]")).to_have_value("121.953400")
    phone.click("form button.primary")
    expect(phone.locator("h1")).not_to_have_text("新增户")
    expect(pending(phone)).to_have_text("0", timeout=15000)
    db.session.rollback()
    household = db.session.scalar(select(Household).where(Household.address == "第2组3号"))
    assert (household.location_source, household.location_accuracy) == ("gps", 12)
    x, y = db.session.execute(select(func.ST_X(Household.location), func.ST_Y(Household.location))
                              .where(Household.id == household.id)).one()
    assert (round(x, 4), round(y, 4)) == (121.9534, 46.0812)


def test_bad_input_is_caught_as_it_is_typed_with_the_servers_words(cadre, phone):
    phone.click("text=新增户")
    phone.fill("input[name=longitude]", "200")
    phone.locator("input[name=latitude]").focus()
    expect(phone.locator("small.error[data-for=longitude]")).to_have_text(
        "经度超出中国范围（73.4～135.1）")
    phone.fill("input[name=longitude]", "")
    phone.fill("input[name=address]", "第8组1号")
    phone.click("form button.primary")
    expect(phone.locator("text=添加成员")).to_be_visible()
    phone.click("text=添加成员")
    good = make_id_number(dt.date(1990, 1, 31))
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    phone.fill("input[name=id_number]", wrong)
    expect(phone.locator("#sv-idcheck")).to_have_text("身份证号码校验码错误")
    phone.fill("input[name=id_number]", good)
    expect(phone.locator("#sv-idcheck")).to_contain_text("1990-01-31")
    expect(phone.locator("#sv-idcheck")).to_contain_text("36岁")  # on 2026-06-15
    phone.click("form button.primary")
    expect(phone.locator("small.error[data-for=name]")).to_have_text("必填")
    phone.goto(phone.url.split("#")[0] + "#/outbox")
    expect(pending(phone)).to_have_text("0", timeout=15000)  # the member was never queued
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Household)) == 1
