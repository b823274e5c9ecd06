"""The snapshot page on a 360x740 phone: 64-character hashes and long paths wrap inside
the screen instead of widening the page."""
from __future__ import annotations

import datetime as dt

from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.snapshots.models import Snapshot
from tests.factories import PASSWORD, totp_code


def test_snapshot_page_fits_a_360_px_screen(browser, live_server, make):
    for month, sha in (("2026-04", "c" * 64), ("2026-05", "d" * 64)):
        db.session.add(Snapshot(created_at=dt.datetime(2026, 6, 1, 2, 30),
                                created_by="cli:field_app", month=month, dialect="postgresql", manifest_sha256=sha,
                                directory=f"/var/backups/field_app/very/long/path/{month}",
                                previous_manifest_sha256="c" * 64 if month == "2026-05" else None,
                                file_count=14, total_bytes=987_654_321))
    admin = make.user(Role.LEAGUE_ADMIN, "152200000000")
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", admin.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        if "/login/verify" in page.url:
            page.fill("input[name=code]", totp_code(admin))
            page.click("button[type=submit]")
        page.click("nav.menu a[href='/snapshots/']")
        page.wait_for_url("**/snapshots/")
        assert page.locator(".snapshots > li").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator(".snapshots code", has_text="d" * 64).bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360
    finally:
        context.close()
