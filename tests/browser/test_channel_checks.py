"""The checks' desk pages on a 360x740 phone: the other county's desk keeps one hire's
unemployment registration with a reason and ends another's; the payee list sends a payee to
the desk's unemployment form; a record shows where it came from. Screenshots go to
docs/screenshots/checks-*.png with FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from field_app.channels.hires import settle_hires
from field_app.channels.models import BenefitPayee, Channel, HireReview, HireReviewState
from field_app.core.clock import clock
from field_app.extensions import db
from tests.channels.checks_support import batch, hire, payee
from tests.factories import PASSWORD

BANNER = "152201000000"
OTHER_BANNER = "152202000000"  # 阿尔山市
OTHER_VILLAGE = "152202100201"  # 林俗村


def fits(phone) -> None:
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_desk_settles_hires_and_registers_a_payee_on_a_phone(
        app, make, live_server, phone, screenshot_dir):
    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    uploader = make.user("county_statistician", BANNER, username="ulanhot")
    made = batch(uploader, filename="2026年5月新录用人员.xlsx", rows=2)
    for name, birth in (("乌云其木格", dt.date(1994, 4, 4)), ("巴特尔", dt.date(1992, 2, 2))):
        person = make.person(birth, name=name)
        make.unemployment(person, dt.date(2026, 2, 1), division=OTHER_VILLAGE)
        hire(make, person, made, division="152201001001")
    settle_hires(db.session, made, actor=uploader)
    payees = batch(uploader, channel=Channel.SI_PAYEES, division=OTHER_BANNER,
                   filename="5月领取人员.csv")
    paid = make.person(dt.date(1975, 5, 5), name="萨仁", hukou="urban")
    payee(paid, payees, dt.date(2026, 5, 1), division=OTHER_VILLAGE)
    clerk = make.user("county_statistician", OTHER_BANNER)
    db.session.commit()

    phone.goto(f"{live_server}/login")
    phone.fill("input[name=username]", clerk.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.goto(f"{live_server}/channels/hires")
    assert phone.locator(".checks-review").count() == 2
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "checks-hires.png"), full_page=True)

    first = phone.locator(".checks-review", has_text="乌云其木格")
    first.locator("button:text('保留')").click()
    assert "请填写保留原因" in phone.content()
    first = phone.locator(".checks-review", has_text="乌云其木格")
    first.locator("input[name=note]").fill("本人仍在求职，录用信息待核")
    first.locator("button:text('保留')").click()
    assert "已保留该失业登记" in phone.content()
    phone.locator(".checks-review", has_text="巴特尔").locator(
        "button:text('确认终止')").click()
    assert "已终止该失业登记" in phone.content()
    assert "没有待核实的新录用人员" in phone.content()
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "checks-hires-settled.png"), full_page=True)
    db.session.expire_all()
    assert sorted(db.session.scalars(select(HireReview.state))) == sorted(
        [HireReviewState.DISMISSED, HireReviewState.CONFIRMED])

    phone.goto(f"{live_server}/channels/payees")
    assert "共核对领取人员 1 人" in phone.content()
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "checks-payees.png"), full_page=True)
    phone.click("button:text('办理失业登记')")
    phone.wait_for_url(f"{live_server}/desk/persons/{paid.id}/unemployment?**")
    assert "萨仁" in phone.content()
    # The form starts from the payee's division, with the benefit ticked.
    assert phone.locator("#receives_benefit").is_checked()
    payee_division = db.session.scalar(select(BenefitPayee.division_code).where(
        BenefitPayee.person_id == paid.id))
    assert phone.locator("#division_code").input_value() == payee_division
    phone.screenshot(path=str(screenshot_dir / "checks-payee-form.png"), full_page=True)

    phone.goto(f"{live_server}/channels/batches")
    fits(phone)
    phone.screenshot(path=str(screenshot_dir / "checks-batches.png"), full_page=True)
