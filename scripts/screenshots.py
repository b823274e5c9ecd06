"""Screenshots of the demo at phone size, for docs/screenshots/ (run by hand, not by CI).

    .venv/bin/python scripts/screenshots.py

Builds a fresh SQLite database with the demo data in a temporary folder, serves it on a free
localhost port, and drives Debian's Chromium through Playwright at 360x740.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from field_app import create_app
    import pyotp

    from field_app.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET

    folder = Path(tempfile.mkdtemp(prefix="field_app_shots_"))
    env = {"DATABASE_URL": f"sqlite:///{folder / 'demo.db'}", "SECRET_KEY": "screenshots",
           "PATH": "/usr/bin:/bin"}
    for args in (["db", "upgrade"], ["load-demo"]):
        subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args], cwd=ROOT,
                       env=env, check=True, capture_output=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": "shots",
                      "SESSION_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)

        def new_page():
            context = browser.new_context(viewport={"width": 360, "height": 740},
                                          device_scale_factor=2, is_mobile=True,
                                          has_touch=True, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{base}/login")
            return page

        page = new_page()
        page.screenshot(path=str(OUT / "login.png"))
        page.fill("input[name=username]", "demo_township")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.screenshot(path=str(OUT / "home-township-reviewer.png"), full_page=True)

        page = new_page()
        page.fill("input[name=username]", "demo_village")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#sv-households li")
        page.screenshot(path=str(OUT / "survey-demo-village.png"))

        page = new_page()
        page.fill("input[name=username]", "demo_statistician")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/survey/rounds")
        page.screenshot(path=str(OUT / "survey-rounds-county.png"))

        page = new_page()
        page.fill("input[name=username]", "demo_league_admin")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.screenshot(path=str(OUT / "second-factor.png"))
        # The administrators' second step, with the README's published demo secret.
        page.fill("input[name=code]", pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.screenshot(path=str(OUT / "home-league.png"), full_page=True)
        page.goto(f"{base}/accounts")
        page.screenshot(path=str(OUT / "accounts.png"), full_page=True)
        page.goto(f"{base}/audit/")
        page.screenshot(path=str(OUT / "audit-log.png"))
        browser.close()
    server.shutdown()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
