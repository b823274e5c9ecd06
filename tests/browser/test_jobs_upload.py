"""A county statistician uploads a small data set on a 360 px phone and watches the job's
progress bar: queued while no worker runs, then, with a worker started, the bar reaches
100% and the result appears without anyone reloading the page (static/jobs/progress.js)."""
from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect

from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.jobs.queue import EXTENSION
from tests.factories import PASSWORD
from tests.jobs.helpers import BANNER, dataset_zip


@pytest.fixture
def queued(app):
    """The tests' queue taken out of immediate mode: jobs wait until ``start()`` runs a
    worker thread that takes them off the queue as the consumer does."""
    huey = app.extensions[EXTENSION].huey
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def work() -> None:
        while not stop.is_set():
            task = huey.dequeue()
            if task is None:
                time.sleep(0.05)
            else:
                huey.execute(task)

    def start() -> None:
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        threads.append(thread)

    huey.immediate = False
    try:
        yield start
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        huey.immediate = True
        huey.flush()


def test_an_uploaded_data_set_shows_its_progress_until_the_result(
        browser, live_server, make, queued, screenshot_dir):
    user = make.user(Role.COUNTY_STATISTICIAN, BANNER)
    db.session.commit()
    data, _ = dataset_zip(households=4)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("nav.menu a[href='/jobs/']")
        page.click("a[href='/jobs/import']")
        page.set_input_files("input[name=archive]", files=[
            {"name": "hinggan.zip", "mimeType": "application/zip", "buffer": data}])
        page.click("main button[type=submit]")
        page.wait_for_url("**/jobs/*")

        expect(page.locator("#job-state")).to_have_text("排队中")
        expect(page.locator("#job-bar")).to_have_attribute("value", "0")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(screenshot_dir / "jobs_upload_queued.png"), full_page=True)

        queued()  # a worker comes: the page, polling, follows the job to its end
        expect(page.locator("#job-result")).to_be_visible(timeout=30_000)
        expect(page.locator("#job-state")).to_have_text("已完成")
        expect(page.locator("#job-bar")).to_have_attribute("value", "100")
        expect(page.locator("#job-percent")).to_have_text("100%")
        expect(page.locator("#job-result")).to_contain_text("新增 8")  # eight persons
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(screenshot_dir / "jobs_upload_done.png"), full_page=True)
    finally:
        context.close()
