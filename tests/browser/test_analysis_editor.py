"""The analysis editor at 360x740 in headless Chromium: nothing wider than the phone, the
three sections written, a submission refused while a section is empty, then accepted.
Screenshots go to docs/screenshots/ with FIELD_APP_SCREENSHOTS=1."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from field_app.analysis.models import AnalysisStatus, QuarterlyAnalysis
from field_app.extensions import db
from tests.analysis.conftest import SECTIONS, analysis_data  # noqa: F401  (a fixture)
from tests.factories import PASSWORD

COUNTY = "152201000000"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_editor_works_at_360_px(analysis_data, live_server, phone, screenshot_dir):  # noqa: F811
    user = analysis_data["county"]
    phone.goto(f"{live_server}/login?next=/analysis/{COUNTY}/2026Q3/edit")
    phone.fill("input[name=username]", user.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server}/analysis/{COUNTY}/2026Q3/edit")
    assert _fits(phone)
    for name in ("situation", "problems", "measures"):
        box = phone.locator(f"textarea[name=edit-{name}]").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    phone.fill("textarea[name=edit-situation]", SECTIONS["situation"])
    phone.fill("textarea[name=edit-problems]", SECTIONS["problems"])
    phone.click("button[value=submit]")
    expect(phone.locator("small.error")).to_have_text("请填写下步措施")
    assert _fits(phone)
    phone.screenshot(path=str(screenshot_dir / "analysis-edit-360.png"), full_page=True)
    phone.fill("textarea[name=edit-measures]", SECTIONS["measures"])
    phone.click("button[value=submit]")
    # The PDF is made by a background job (run at once in the tests): its page, then the
    # analysis.
    phone.wait_for_url(f"{live_server}/jobs/*")
    expect(phone.locator("#job-result")).to_be_visible()
    assert _fits(phone)
    phone.click("text=查看结果")
    phone.wait_for_url(f"{live_server}/analysis/{COUNTY}/2026Q3")
    expect(phone.locator("#status .chain-badge").first).to_have_text("已报")
    assert _fits(phone)
    phone.screenshot(path=str(screenshot_dir / "analysis-show-360.png"), full_page=True)
    phone.goto(f"{live_server}/analysis/{COUNTY}")
    expect(phone.locator("#own li").nth(1)).to_contain_text("已报")
    assert _fits(phone)
    phone.screenshot(path=str(screenshot_dir / "analysis-list-360.png"), full_page=True)
    db.session.rollback()
    analysis = db.session.scalar(select(QuarterlyAnalysis))
    assert analysis.status == AnalysisStatus.SUBMITTED
    assert analysis.measures == SECTIONS["measures"]
