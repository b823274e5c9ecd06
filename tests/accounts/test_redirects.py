"""``next`` after sign-in is a path on this site or nothing: never another host, never a
header injection, never a 500."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from field_app.extensions import db
from tests.factories import PASSWORD, totp_code


@pytest.fixture
def holder(make):
    user = make.user("village_collector")
    db.session.commit()
    return user


def sign_in_to(client, username, target):
    return client.post(f"/login?next={quote(target, safe='')}",
                       data={"username": username, "password": PASSWORD})


@pytest.mark.parametrize("target", [
    "/divisions/152201100201",
    "/survey/?round=3",
    "/registrations/lookup#top",
    "/divisions/兴安盟",
])
def test_a_path_on_this_site_is_followed(client, holder, target):
    assert sign_in_to(client, holder.username, target).headers["Location"] == quote(
        target, safe="/?=#")


@pytest.mark.parametrize("target", [
    "/\t/evil.example/",  # the reported one: browsers drop the tab and read //evil.example/
    "//evil.example/",
    "///evil.example/",
    "https://evil.example/",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\r\nSet-Cookie: session=stolen",
    "/\nLocation: https://evil.example",
    "/divisions\x00",
    " /divisions",
    "/\u202egro.elpmaxe",  # a bidi override
    "/\u3000/evil.example",  # an ideographic space
    "divisions/152201100201",
    "evil.example",
    "",
    "/" + "a" * 5000,
])
def test_anything_else_goes_to_the_home_page(client, holder, target):
    response = sign_in_to(client, holder.username, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_reported_redirect_answers_the_home_page(client, holder):
    response = client.post("/login?next=%2F%09%2Fevil.example%2F",
                           data={"username": holder.username, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_the_place_asked_for_survives_the_second_step(client, make):
    admin = make.user("league_admin")
    db.session.commit()
    assert sign_in_to(client, admin.username, "/accounts").headers["Location"] == "/login/verify"
    response = client.post("/login/verify", data={"code": totp_code(admin)})
    assert response.headers["Location"] == "/accounts"


def test_a_foreign_place_does_not_survive_the_second_step(client, make):
    admin = make.user("auditor")
    db.session.commit()
    sign_in_to(client, admin.username, "//evil.example/")
    response = client.post("/login/verify", data={"code": totp_code(admin)})
    assert response.headers["Location"] == "/"
