"""Steps on the cadre's survey app that the browser tests share."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.factories import PASSWORD

VILLAGE = "152201100201"  # 葛根庙嘎查 of the factory tree
COUNTY = "152201000000"


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the form and wait until the landing page has replaced it."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def wait_until(page, expression: str, seconds: float = 10) -> None:
    # page.wait_for_function evaluates a string, which the page's CSP (no 'unsafe-eval') refuses.
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, expression
        time.sleep(0.05)


def pending(page):
    return page.locator("#sv-pending-count")


def add_household(page, address: str) -> None:
    page.click("text=新增户")
    page.fill("input[name=address]", address)
    page.fill("input[name=longitude]", "121.9")
    page.fill("input[name=latitude]", "46.1")
    page.click("form button.primary")
    expect(page.locator("h1")).not_to_have_text("新增户")


def add_member(page, number: str, name: str, relation: str, screenshot=None) -> None:
    page.click("text=添加成员")
    page.fill("input[name=id_number]", number)
    page.fill("input[name=name]", name)
    page.select_option("select[name=hukou]", "rural")
    page.select_option("select[name=relation]", relation)
    page.select_option("select[name=labour_capacity]", "full")
    expect(page.locator("#sv-idcheck")).to_have_class("idcheck ok")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.click("form button.primary")
    expect(page.locator("h1")).to_have_text(name)


def add_spell(page, start: str) -> None:
    page.click("text=添加转移就业经历")
    page.select_option("select[name=kind]", "non_agri")
    page.fill("input[name=start_date]", start)
    page.check("#sv-ongoing")
    page.select_option("select[name=destination]", "out_of_region")
    page.select_option("select[name=industry]", "E")
    page.check("input[name=stable_workplace]")
    page.click("form button.primary")
    expect(page.locator("text=添加培训")).to_be_visible()


def back_to_household(page) -> None:
    page.click("p.crumbs a")
    expect(page.locator("#sv-members")).to_be_attached()
