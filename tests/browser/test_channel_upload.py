"""A county statistician on a 360 px phone opens the channels from the menu, downloads a
channel's XLSX template, uploads a good file and watches the job's progress bar reach the
end and the counts appear; then uploads a bad file and sees every fault and the link to the
bad rows, which download as a workbook."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from field_app.accounts.roles import Role
from field_app.channels.models import Channel
from field_app.core.clock import clock
from field_app.extensions import db
from tests.browser.test_jobs_upload import queued  # noqa: F401  (the fixture)
from tests.channels.import_files import COUNTY, good_rows, outside, sheet
from tests.factories import PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(page, data: bytes, name: str) -> None:
    page.set_input_files("input[name=sheet]", files=[
        {"name": name, "mimeType": XLSX, "buffer": data}])
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/jobs/*")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_channel_file_is_uploaded_and_its_progress_followed_to_the_counts(
        browser, live_server, make, queued, screenshot_dir: Path, tmp_path):  # noqa: F811
    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    user = make.user(Role.COUNTY_STATISTICIAN, COUNTY)
    db.session.commit()
    channel = Channel.CIVIL_SERVICE
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("nav.menu a[href='/channels/']")
        expect(page.locator("#channel-civil_service")).to_contain_text("尚未上传")
        _fits(page)
        page.screenshot(path=str(screenshot_dir / "channels-index.png"), full_page=True)

        page.click("#channel-civil_service a")
        expect(page.locator("h1")).to_have_text("公务员局、编办：新录用公务员和事业单位人员")
        with page.expect_download() as caught:
            page.click("#template-xlsx")
        template = tmp_path / "template.xlsx"
        caught.value.save_as(template)
        book = load_workbook(template)
        assert [cell.value for cell in book.worksheets[0][1]][:2] == ["公民身份号码", "姓名"]
        _fits(page)
        page.screenshot(path=str(screenshot_dir / "channels-page.png"), full_page=True)

        # A good file: queued until a worker comes, then the bar runs to its end.
        _upload(page, sheet(channel, good_rows(channel, 3), "xlsx"), "录用人员.xlsx")
        expect(page.locator("#job-state")).to_have_text("排队中")
        queued()
        expect(page.locator("#job-result")).to_be_visible(timeout=30_000)
        expect(page.locator("#job-state")).to_have_text("已完成")
        expect(page.locator("#job-bar")).to_have_attribute("value", "100")
        page.click("#job-result a.button")
        expect(page.locator("#channel-result h2")).to_have_text("已导入3行")
        expect(page.locator("#channel-counts")).to_contain_text("新增 3 · 更新 0 · 未变 0")
        expect(page.locator("#hires-ended dd")).to_have_text("0")
        _fits(page)
        page.screenshot(path=str(screenshot_dir / "channels-result.png"), full_page=True)

        # A bad file: every fault listed, and the bad rows to download.
        page.goto(f"{live_server}/channels/{channel.value}")
        first, second = good_rows(channel, 2)
        second = second | {"start_date": "2026-02-30"}
        third = outside(channel, good_rows(channel, 3)[2])
        _upload(page, sheet(channel, [first, second], "xlsx"), "错误.xlsx")
        expect(page.locator("#job-state")).to_have_text("失败", timeout=30_000)
        page.click("#job-report")
        faults = page.locator("#channel-faults li")
        expect(faults).to_have_count(1)
        expect(faults.first).to_contain_text("第3行")
        expect(faults.first).to_contain_text("入职日期")
        _fits(page)
        page.screenshot(path=str(screenshot_dir / "channels-faults.png"), full_page=True)
        with page.expect_download() as caught:
            page.click("#bad-rows")
        bad = tmp_path / "bad.xlsx"
        caught.value.save_as(bad)
        rows = list(load_workbook(bad).worksheets[0].iter_rows(values_only=True))
        assert len(rows) == 2 and rows[1][0] == second["id_number"]

        # A row of another county: refused by the import, on its line.
        page.goto(f"{live_server}/channels/{channel.value}")
        _upload(page, sheet(channel, [first, third], "xlsx"), "外县.xlsx")
        expect(page.locator("#job-state")).to_have_text("失败", timeout=30_000)
        page.click("#job-report")
        expect(page.locator("#channel-faults li").first).to_contain_text("行政区划代码")
        expect(page.locator("#bad-rows")).to_be_visible()
    finally:
        context.close()
