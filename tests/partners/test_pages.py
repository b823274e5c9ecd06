"""The administrators' pages for API clients: the token shown once and stored hashed, the
rules refused with their messages, revocation, and CSRF still required on these forms."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from field_app import create_app
from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.partners.models import ApiClient
from tests.factories import PASSWORD, totp_code

TOKEN = re.compile(r'id="api-token">(fa_[A-Za-z0-9_-]{43})<')
FORM = {"name": "人社厅就业系统", "division_code": "152201000000",
        "scopes": ["indicators:read", "registrations:read"], "expires_on": "2027-01-31",
        "rate_per_minute": "60"}


def test_the_token_is_shown_once_and_works(client, login_as):
    login_as(Role.LEAGUE_ADMIN)
    page = client.post("/partners/new", data=FORM)
    assert page.status_code == 200
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    stored = db.session.scalar(select(ApiClient))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.scopes == ["indicators:read", "registrations:read"]
    listing = client.get("/partners/").get_data(as_text=True)
    assert "人社厅就业系统" in listing and token not in listing
    assert token[:11] in listing  # the prefix, which finds it in the list
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json()["name"] == "人社厅就业系统"


@pytest.mark.parametrize(("change", "message"), [
    ({"scopes": []}, "请至少选择一项权限范围"),
    ({"expires_on": "2020-01-01"}, "有效期须晚于今天"),
    ({"rate_per_minute": "0"}, "每分钟调用上限须在 1 到 10000 之间"),
    ({"division_code": "140105000000"}, None),  # not offered: outside the subtree
    ({"name": "系统\x00"}, "不允许的字符"),
])
def test_bad_input_is_refused_with_its_message(client, login_as, change, message):
    login_as(Role.LEAGUE_ADMIN)
    page = client.post("/partners/new", data=FORM | change)
    assert page.status_code == 422
    if message:
        assert message in page.get_data(as_text=True)
    assert db.session.scalar(select(ApiClient.id)) is None


def test_revoking_stops_the_token(client, login_as):
    login_as(Role.REGION_ADMIN)
    token = TOKEN.search(client.post("/partners/new", data=FORM).get_data(as_text=True)).group(1)
    stored = db.session.scalar(select(ApiClient))
    assert client.post(f"/partners/{stored.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "已吊销" in client.get("/partners/").get_data(as_text=True)
    again = client.post(f"/partners/{stored.id}/revoke")
    assert again.status_code == 422 and "该客户端已吊销" in again.get_data(as_text=True)


@pytest.fixture(scope="module")
def csrf_app(app):
    second = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": True,
                         "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield second
    with second.app_context():
        db.engine.dispose()


def test_html_forms_still_need_csrf_while_token_calls_do_not(csrf_app, make):
    admin = make.user(Role.REGION_ADMIN)
    db.session.commit()
    browser = csrf_app.test_client()
    token_field = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    login = browser.get("/login").get_data(as_text=True)
    browser.post("/login", data={"username": admin.username, "password": PASSWORD,
                                 "csrf_token": token_field.search(login).group(1)})
    verify = browser.get("/login/verify").get_data(as_text=True)
    browser.post("/login/verify", data={"code": totp_code(admin),
                                        "csrf_token": token_field.search(verify).group(1)})
    assert browser.get("/partners/").status_code == 200
    assert browser.post("/partners/new", data=FORM).status_code == 400  # no CSRF token
    assert db.session.scalar(select(ApiClient.id)) is None
    form = browser.get("/partners/new").get_data(as_text=True)
    page = browser.post("/partners/new", data=FORM | {
        "csrf_token": token_field.search(form).group(1)})
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    # The API takes JSON posts with the token alone, no CSRF token, no cookie.
    api = csrf_app.test_client(use_cookies=False)
    response = api.post("/api/v1/persons/status", json={"id_number": "152201199005170000"},
                        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403  # its scopes lack persons:check: past CSRF, refused
