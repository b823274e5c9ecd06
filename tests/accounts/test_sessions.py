"""Sessions that really end: sign-out, a password change, a reset, a deactivation end every
session of the account (a copied cookie included), and no session outlives twelve hours.
Time moves with the clock, never with sleep."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.extensions import db
from tests.accounts.helpers import flashes, form_errors, sign_in
from tests.factories import PASSWORD

T0 = dt.datetime(2026, 3, 2, 9, 0)
PAGE = "/divisions/152201100201"
NEW_PASSWORD = "Second-pass-27"
WRONG = "Wrong-pass-1"


@pytest.fixture(autouse=True)
def _start_of_day():
    clock.set(T0)


@pytest.fixture
def holder(make):
    user = make.user("village_collector", username="wang.wu")
    db.session.commit()
    return user


@pytest.fixture
def browser(app):
    """``browser()``: a client of its own (another device of the same person)."""
    return app.test_client


def signed_in(browser, holder):
    client = browser()
    assert sign_in(client, holder.username).status_code == 302
    assert client.get(PAGE).status_code == 200
    return client


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def copy_of(client, browser):
    """Another client carrying a copy of ``client``'s session cookie."""
    thief = browser()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(browser, holder):
    client = signed_in(browser, holder)
    thief = copy_of(client, browser)
    assert thief.get(PAGE).status_code == 200  # the copy works while the session stands
    assert client.post("/logout").headers["Location"] == "/login"
    assert sent_to_sign_in(thief.get(PAGE))


def test_signing_out_ends_the_sessions_on_the_other_devices_too(browser, holder):
    phone, desk = signed_in(browser, holder), signed_in(browser, holder)
    desk.post("/logout")
    assert sent_to_sign_in(phone.get(PAGE))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(browser, holder):
    phone, desk = signed_in(browser, holder), signed_in(browser, holder)
    thief = copy_of(desk, browser)
    response = desk.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD})
    assert response.headers["Location"] == "/"
    assert desk.get(PAGE).status_code == 200
    assert sent_to_sign_in(phone.get(PAGE))
    # The copy of the changing session's old cookie carries the old generation.
    assert sent_to_sign_in(thief.get(PAGE))
    assert sign_in(browser(), holder.username, NEW_PASSWORD).status_code == 302


def test_a_password_change_says_the_other_devices_were_signed_out(browser, holder):
    desk = signed_in(browser, holder)
    response = desk.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD},
                         follow_redirects=True)
    assert "密码已修改，其他设备上的登录已退出" in flashes(response)


def test_a_session_from_before_a_deactivation_does_not_return_with_a_new_post(
        browser, holder, login_as, client):
    phone = signed_in(browser, holder)
    login_as("league_admin")
    client.post(f"/accounts/{holder.id}/deactivate", data={"reason": "transfer"})
    assert sent_to_sign_in(phone.get(PAGE))
    client.post(f"/accounts/{holder.id}/assignment",
                data={"role": "village_collector", "division_code": "152201100201"})
    assert sent_to_sign_in(phone.get(PAGE))


def test_the_inactivity_lock_ends_the_sessions_for_good(browser, holder, runner):
    phone = signed_in(browser, holder)
    generation = holder.session_generation
    clock.advance(dt.timedelta(days=30))
    assert runner.invoke(args=["accounts", "sweep"]).exit_code == 0
    db.session.refresh(holder)
    assert holder.session_generation == generation + 1
    assert sent_to_sign_in(phone.get(PAGE))


# --- lifetime ---------------------------------------------------------------------------

def test_an_active_session_ends_twelve_hours_after_sign_in(browser, holder):
    client = signed_in(browser, holder)
    for _ in range(24):  # a request every 29 minutes keeps it from idling out
        clock.advance(dt.timedelta(minutes=29))
        assert client.get(PAGE).status_code == 200
    clock.advance(dt.timedelta(minutes=24))  # 12 h 0 min: still in
    assert client.get(PAGE).status_code == 200
    clock.advance(dt.timedelta(seconds=1))
    response = client.get(PAGE)
    assert sent_to_sign_in(response)
    assert "expired=1" in response.headers["Location"]
    assert sent_to_sign_in(client.get(PAGE))


def test_the_absolute_lifetime_is_configuration(app, holder):
    from field_app import create_app

    short = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", "SESSION_ABSOLUTE_HOURS": 1,
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    client = short.test_client()
    try:
        assert sign_in(client, holder.username).status_code == 302
        clock.advance(dt.timedelta(minutes=29))
        assert client.get(PAGE).status_code == 200
        clock.advance(dt.timedelta(minutes=29))
        assert client.get(PAGE).status_code == 200
        clock.advance(dt.timedelta(minutes=3))
        assert sent_to_sign_in(client.get(PAGE))
    finally:
        with short.app_context():
            db.engine.dispose()


# --- wrong current passwords ---------------------------------------------------------------

def test_wrong_current_passwords_count_towards_the_throttle_and_are_audited(browser, holder):
    client = signed_in(browser, holder)
    for _ in range(5):
        response = client.post("/password", data={"current": WRONG, "new": NEW_PASSWORD})
        assert form_errors(response) == ["当前密码不正确"]
    response = client.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD})
    assert form_errors(response) == ["尝试次数过多，请稍后再试"]
    assert sign_in(browser(), holder.username).status_code == 429  # from the same address
    notes = db.session.scalars(select(AuditEvent.note).where(
        AuditEvent.action == "password_check_failed").order_by(AuditEvent.id)).all()
    assert notes == ["wrong current password"] * 4 + ["wrong current password; throttled"]
