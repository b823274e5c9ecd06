"""Headless Chromium (Debian's) driven by Playwright against the app served on localhost."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import pytest
from flask import has_app_context
from werkzeug.serving import make_server

from field_app.core.clock import clock
from field_app.extensions import db
from tests.browser.survey_steps import COUNTY, VILLAGE, wait_until
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("FIELD_APP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/install-system-packages installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class _InFlight:
    """Counts the requests the app is answering, so that a test ends only when the last one has.

    ``server.shutdown()`` stops accepting requests but leaves the ones already accepted running
    in their threads. One still writing after the test (a page's figures, say) runs into the
    cleanup's TRUNCATE on PostgreSQL; when the two deadlock and the cleanup is the one aborted,
    every row stays for the tests that follow (CI failed on it once). The body is read here,
    and closed here, because werkzeug skips ``close()`` when the browser has gone away.
    """

    def __init__(self, app):
        self.app = app
        self.paths: list[str] = []
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        with self.idle:
            self.paths.append(path)
        try:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            with self.idle:
                self.paths.remove(path)
                self.idle.notify_all()

    def wait(self, timeout: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: not self.paths, timeout=timeout)


@pytest.fixture
def live_server(app):
    """The test app on a free localhost port, for the length of one test."""
    in_flight = _InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    if has_app_context():
        # A request may be waiting for a lock the test's own session still holds.
        db.session.rollback()
    assert in_flight.wait(timeout=120), f"still answering {in_flight.paths} 120 s after the test"


@pytest.fixture
def phone(browser):
    """A 360x740 phone-sized page."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where screenshots go: docs/screenshots when FIELD_APP_SCREENSHOTS=1, else a temp dir."""
    if os.environ.get("FIELD_APP_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return tmp_path


@pytest.fixture
def cadre(app, make, live_server, phone):
    """The village's collector, signed in on the phone at /survey/ with the service worker in
    control (so a reload works offline), in an open survey round."""
    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    make.survey_round(COUNTY, 2026)
    user = make.user("village_collector", VILLAGE)
    db.session.commit()
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(f"{live_server}/login?next=/survey/")
    phone.fill("input[name=username]", user.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server}/survey/")
    from playwright.sync_api import expect

    expect(phone.locator("#sv-households")).to_be_attached()
    wait_until(phone, "!!navigator.serviceWorker.controller")
    return user
