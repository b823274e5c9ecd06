"""Security headers, cookie flags and CSRF: a Content-Security-Policy with no inline script,
and every POST form carries a token."""
from __future__ import annotations

import re

import pytest

from field_app import create_app
from field_app.extensions import db
from tests.factories import PASSWORD, totp_code
from tests.paths import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
POST_FORM = re.compile(r'<form\b[^>]*\bmethod="post"[^>]*>.*?</form>', re.S | re.I)
# A loop over a whole FlaskForm renders its csrf_token field along with the others.
WHOLE_FORM_LOOP = re.compile(r"{%-?\s*for\s+\w+\s+in\s+[\w.]*form\s*-?%}")
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (d.split() for d in policy.split(";"))}


@pytest.mark.parametrize("path", ["/login", "/restore-request", "/static/app.css", "/accounts",
                                  "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # the static file's handle
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


def test_signed_in_pages_carry_the_policy_too(client, login_as):
    login_as("league_admin")
    response = client.get("/accounts")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]


def test_the_session_cookie_is_secure_http_only_and_same_site_lax(client, make):
    user = make.user("village_collector")
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip()
                  for part in cookie.split(";")[1:]}
    assert "secure" in attributes
    assert "httponly" in attributes
    assert attributes["samesite"] == "SameSite=Lax"


# --- CSRF -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def csrf_app(app):
    """The application with CSRF protection on, as in production, on the same database."""
    second = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": True,
                         "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield second
    with second.app_context():
        db.engine.dispose()


def token_on(client, path: str) -> str:
    return CSRF_FIELD.search(client.get(path).get_data(as_text=True)).group(1)


@pytest.mark.parametrize(("path", "data"), [
    ("/login", {"username": "nobody", "password": PASSWORD}),
    ("/restore-request", {"username": "nobody", "password": PASSWORD, "reason": "归来"}),
])
def test_a_post_without_a_csrf_token_is_refused(csrf_app, path, data):
    assert csrf_app.test_client().post(path, data=data).status_code == 400


def test_a_forged_csrf_token_is_refused(csrf_app):
    browser = csrf_app.test_client()
    token_on(browser, "/login")
    response = browser.post("/login", data={"username": "nobody", "password": PASSWORD,
                                            "csrf_token": "forged"})
    assert response.status_code == 400


def test_forms_signed_with_their_token_go_through(csrf_app, make):
    user = make.user("league_admin")
    db.session.commit()
    browser = csrf_app.test_client()
    response = browser.post("/login", data={"username": user.username, "password": PASSWORD,
                                            "csrf_token": token_on(browser, "/login")})
    assert response.headers["Location"] == "/login/verify"  # an administrator's second step
    response = browser.post("/login/verify", data={
        "code": totp_code(user), "csrf_token": token_on(browser, "/login/verify")})
    assert response.status_code == 302
    assert browser.post("/logout").status_code == 400  # signed in, still no token: refused
    token = token_on(browser, "/accounts")  # the sign-out form in the menu
    assert browser.post("/logout", data={"csrf_token": token}).headers["Location"] == "/login"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_post_form_in_the_templates_carries_a_csrf_token(template):
    for form in POST_FORM.findall(template.read_text(encoding="utf-8")):
        assert "csrf_token" in form or WHOLE_FORM_LOOP.search(form), form


def test_the_templates_have_post_forms_to_check():
    forms = [f for t in TEMPLATES for f in POST_FORM.findall(t.read_text(encoding="utf-8"))]
    assert len(forms) >= 8


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_script_the_policy_would_block(template):
    text = template.read_text(encoding="utf-8")
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I):
        if 'type="application/json"' in attributes:
            continue  # a data block: never executed, so the policy has nothing to block
        assert not body.strip(), "inline script"
        assert "src=" in attributes
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", text, re.I), "event handler attribute"
    assert "javascript:" not in text.lower()
    assert not re.search(r"<style\b|\sstyle\s*=", text, re.I), "inline style"


# --- caching and the server banner ----------------------------------------------------------

def test_signed_in_pages_and_downloads_are_never_stored(client, login_as, make):
    import datetime as dt

    make.employment(make.person(), dt.date(2026, 1, 5))
    login_as("county_statistician")
    for path in ["/desk/lists/employment", "/desk/lists/employment/export.xlsx",
                 "/desk/lists/employment/export.zip", "/", "/api/survey/session"]:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
    pdf = client.post("/reports/", data={"kind": "urban", "division": "152201000000",
                                         "period": "2024"})
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    assert "Expires" not in pdf.headers


def test_versioned_static_files_stay_cacheable(client):
    page = client.get("/login").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/app\.css\?v=[^"]+)"', page).group(1)
    response = client.get(stylesheet)
    response.close()
    assert "no-store" not in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]

