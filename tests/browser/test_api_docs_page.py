"""The readable API page in a browser: Swagger UI from the site's own files, under the
site's Content-Security-Policy, usable at 360 px, with nothing fetched from elsewhere."""
from __future__ import annotations

from urllib.parse import urlsplit



def test_the_api_page_renders_offline_under_the_policy(live_server, phone, screenshot_dir):
    hosts, problems = set(), []
    phone.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    phone.on("console", lambda message: message.type == "error" and problems.append(message.text))
    phone.goto(f"{live_server}/api/v1/docs")
    phone.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert phone.locator(".swagger-ui .opblock").count() >= 10
    assert "/api/v1/indicators" in phone.content()
    assert hosts == {"127.0.0.1"}
    assert not [p for p in problems if "Content Security Policy" in p]
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1
    phone.screenshot(path=str(screenshot_dir / "api16-docs-360.png"), full_page=False)


def test_an_administrator_registers_a_client_on_the_phone(live_server, phone, make,
                                                          screenshot_dir):
    from field_app.extensions import db
    from tests.factories import PASSWORD, totp_code

    admin = make.user("league_admin")
    db.session.commit()
    phone.goto(f"{live_server}/login")
    phone.fill("input[name=username]", admin.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.fill("input[name=code]", totp_code(admin))
    phone.click("button[type=submit]")
    phone.goto(f"{live_server}/partners/new")
    phone.fill("input[name=name]", "人社厅就业系统")
    phone.check("input[value='indicators:read']")
    phone.check("input[value='registrations:read']")
    phone.click("form.card button[type=submit]")
    token = phone.locator("#api-token").inner_text()
    assert token.startswith("fa_") and len(token) == 46
    assert phone.evaluate("document.documentElement.scrollWidth") <= 361
    phone.screenshot(path=str(screenshot_dir / "api16-token-360.png"), full_page=True)
    phone.goto(f"{live_server}/partners/")
    assert token not in phone.content() and "人社厅就业系统" in phone.content()
    phone.screenshot(path=str(screenshot_dir / "api16-clients-360.png"), full_page=True)
