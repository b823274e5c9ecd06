"""The registration desk on a 360x740 phone: a clerk registers a person's unemployment, then
their employment (ending the unemployment), and the home page counts follow. Screenshots of
every desk form go to docs/screenshots/desk-*.png with FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from field_app.core.clock import clock
from field_app.extensions import db
from tests.factories import PASSWORD, make_id_number, uscc_for

STREET = "152201001000"  # 都林街道
COMMUNITY = "152201001001"  # 第一社区


@pytest.fixture
def desk(app, make, live_server, phone):
    """``desk(role, division)``: a phone signed in as a new account of that role."""
    clock.set(dt.datetime(2026, 6, 15, 9, 30))

    def sign_in(role, division):
        user = make.user(role, division)
        db.session.commit()
        phone.goto(f"{live_server}/login")
        phone.fill("input[name=username]", user.username)
        phone.fill("input[name=password]", PASSWORD)
        phone.click("button[type=submit]")
        phone.wait_for_url(f"{live_server}/divisions/{division}")
        return user

    return sign_in


def figure(phone, label: str) -> str:
    return phone.locator(f"dl.figures div:has(dt:text-is('{label}')) dd").inner_text()


def fits(phone) -> None:
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_clerk_registers_unemployment_then_employment_and_the_home_page_follows(
        desk, phone, live_server, screenshot_dir):
    desk("township_reviewer", STREET)
    number = make_id_number(dt.date(1995, 7, 1), "female")

    phone.click("nav.menu >> text=登记台")
    phone.fill("input[name=id_number]", number[:-1] + ("0" if number[-1] != "0" else "1"))
    # The check runs in the page's deferred script: wait for its answer, not for the fill.
    expect(phone.locator("#id-check")).to_have_text("身份证号码校验码错误")
    phone.fill("input[name=id_number]", number)
    expect(phone.locator("#id-check")).to_have_text("女 · 1995-07-01 · 30岁")
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-lookup.png"), full_page=True)
    phone.click("button:text('查询')")
    assert "系统中尚无此人" in phone.content()
    phone.fill("input[name=name]", "其其格")
    phone.fill("input[name=phone]", "13904821234")
    phone.select_option("select[name=hukou]", "urban")
    phone.screenshot(path=str(screenshot_dir / "desk-new-person.png"), full_page=True)
    phone.click("button:text('建立人员档案')")
    assert phone.locator("h1").inner_text() == "其其格"
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-person.png"), full_page=True)

    phone.click("nav.desk-actions >> text=失业登记")
    phone.select_option("select[name=division_code]", COMMUNITY)
    phone.fill("input[name=registered_on]", "2026-03-10")
    phone.check("input[name=receives_benefit]")
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-unemployment.png"), full_page=True)
    phone.click("button:text('保存')")
    assert phone.locator("h1 .desk-badge").inner_text() == "在册"
    phone.screenshot(path=str(screenshot_dir / "desk-unemployment-record.png"), full_page=True)

    phone.goto(f"{live_server}/divisions/{STREET}")
    assert figure(phone, "城镇登记失业人员期末实有人数") == "1"
    assert figure(phone, "城镇累计新就业人数") == "0"

    phone.goto(f"{live_server}/desk/")
    phone.fill("input[name=id_number]", number)
    phone.click("button:text('查询')")
    assert "在册，2026-03-10登记" in phone.locator("section.card").nth(1).inner_text()
    phone.click("nav.desk-actions >> text=就业登记")
    assert phone.is_checked("input[name=end_unemployment]")
    assert phone.input_value("select[name=person_category]") == "unemployed_reemployed"
    assert "2026-03-10的失业登记" in phone.locator(".desk-hint").inner_text()
    phone.select_option("select[name=division_code]", COMMUNITY)
    phone.select_option("select[name=employment_type]", "unit")
    phone.fill("input[name=employer_uscc]", uscc_for(8))
    phone.fill("input[name=employer_name]", "乌兰浩特市某某商贸有限公司")
    phone.fill("input[name=start_date]", "2026-05-06")
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-employment.png"), full_page=True)
    phone.click("button:text('保存')")
    assert phone.locator("h1 .desk-badge").inner_text() == "在职"
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-employment-record.png"), full_page=True)

    phone.goto(f"{live_server}/divisions/{STREET}")
    assert figure(phone, "城镇登记失业人员期末实有人数") == "0"
    assert figure(phone, "城镇累计新就业人数") == "1"
    assert figure(phone, "城镇失业人员再就业人数") == "1"
    assert figure(phone, "城镇新增就业人数") == "1"

    phone.goto(f"{live_server}/desk/lists/employment")
    assert "其其格" in phone.locator("ul.rows").inner_text()
    assert number not in phone.content()
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-list.png"), full_page=True)


def test_the_other_desk_forms_fit_a_phone(desk, make, phone, live_server, screenshot_dir):
    person = make.person(dt.date(1972, 3, 3), name="那日苏")
    make.employment(person, dt.date(2025, 4, 1), employment_type="unit",
                    employer_uscc=uscc_for(9), division=COMMUNITY)
    make.employment(make.person(dt.date(1990, 1, 1), name="乌日娜"), dt.date(2026, 4, 1),
                    employment_type="flexible", division=COMMUNITY)
    db.session.commit()
    desk("county_statistician", "152201000000")
    phone.goto(f"{live_server}/desk/")
    phone.fill("input[name=id_number]", person.id_number)
    phone.click("button:text('查询')")

    phone.click("nav.desk-actions >> text=就业登记")
    # Registered employed before: not a new entrant.
    assert phone.input_value("select[name=person_category]") == "other"
    phone.select_option("select[name=division_code]", COMMUNITY)
    phone.fill("input[name=employer_uscc]", uscc_for(9))
    phone.fill("input[name=start_date]", "2026-02-01")
    phone.click("button:text('保存')")
    assert phone.locator(".desk-warning").is_visible()
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-employment-continuation.png"),
                     full_page=True)

    for action, name in (("就业困难人员认定", "desk-aid"), ("自然减员", "desk-attrition")):
        phone.goto(f"{live_server}/desk/persons/{person.id}")
        phone.click(f"nav.desk-actions >> text={action}")
        fits(phone)
        phone.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
    phone.fill("input[name=occurred_on]", "2026-03-03")
    phone.click("button:text('保存')")
    assert "自然减员 · 退休" in phone.locator("ul.rows").inner_text()

    phone.goto(f"{live_server}/desk/persons/{person.id}/aid")
    phone.select_option("select[name=division_code]", COMMUNITY)
    phone.select_option("select[name=category]", "older_unemployed")
    phone.click("button:text('保存')")
    assert phone.locator("h1 .desk-badge").inner_text() == "在册"
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-aid-record.png"), full_page=True)

    phone.goto(f"{live_server}/desk/attrition/import")
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-attrition-import.png"), full_page=True)

    phone.goto(f"{live_server}/desk/totals/new")
    phone.fill("input[name=as_of]", "2026-06-30")
    phone.fill("input[name=employed_total]", "48210")
    phone.fill("input[name=deduction]", "1200")
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "desk-totals.png"), full_page=True)
    phone.click("button:text('保存')")
    assert "48210" in phone.locator("ul.rows").inner_text()

    # A flexible job has no employer: the list leaves the cell out rather than print None.
    phone.goto(f"{live_server}/desk/lists/employment")
    rows = phone.locator("ul.rows").inner_text()
    assert "乌日娜" in rows and "灵活就业 · 2026-04-01 · 第一社区" in rows and "None" not in rows
