"""Two-factor sign-in (TOTP, RFC 6238): required for administrators and auditors, optional
for everyone else; enrolment by QR code; ten recovery codes shown once, stored hashed, each
good once; codes never replayed; wrong codes throttled like wrong passwords."""
from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import select

from field_app.accounts.models import RecoveryCode, User
from field_app.accounts.roles import Role
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.extensions import db
from tests.accounts.helpers import flashes, form_errors, sign_in
from tests.factories import PASSWORD, TOTP_SECRET

T0 = dt.datetime(2026, 3, 2, 9, 0)
BAD_CODE = "验证码错误"
THROTTLED = "尝试次数过多，请稍后再试"
RECOVERY = ("abcd-efgh-jkmn", "pqrs-tuvw-xyz2", "3456-789a-bcde")


@pytest.fixture(autouse=True)
def _start_of_day():
    clock.set(T0)


def password_step(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def signed_in(client) -> bool:
    return client.get("/account/two-factor").status_code == 200


def code_at(secret: str, moment: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


@pytest.fixture
def admin(make):
    user = make.user("league_admin")
    make.second_factor(user, recovery_codes=RECOVERY)
    db.session.commit()
    return user


@pytest.mark.parametrize(("role", "second_step"), [
    (Role.COUNTY_ADMIN, True),
    (Role.LEAGUE_ADMIN, True),
    (Role.REGION_ADMIN, True),
    (Role.AUDITOR, True),
    (Role.VILLAGE_COLLECTOR, False),
    (Role.TOWNSHIP_REVIEWER, False),
    (Role.COUNTY_STATISTICIAN, False),
    (Role.COUNTY_LEADER, False),
    (Role.LEAGUE_STATISTICIAN, False),
    (Role.REGION_STATISTICIAN, False),
])
def test_administrators_and_auditors_give_a_code_after_the_password(client, make, role,
                                                                    second_step):
    user = make.user(role)
    db.session.commit()
    response = password_step(client, user.username)
    assert response.status_code == 302
    assert (response.headers["Location"] == "/login/verify") == second_step
    assert signed_in(client) != second_step


def test_the_password_alone_signs_nobody_in(client, admin):
    password_step(client, admin.username)
    assert client.get("/accounts").headers["Location"].startswith("/login")
    assert client.get("/audit/").headers["Location"].startswith("/login")


def test_the_authenticators_code_completes_the_sign_in(client, admin):
    password_step(client, admin.username)
    page = client.get("/login/verify").get_data(as_text=True)
    assert "请输入手机验证器" in page
    response = client.post("/login/verify", data={"code": code_at(TOTP_SECRET, T0)})
    assert response.headers["Location"] == "/"
    assert client.get("/accounts").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in"))
    assert (event.actor_id, event.note) == (admin.id, "second factor: authenticator code")


def test_the_code_of_the_previous_step_is_accepted_for_clock_drift(client, admin):
    password_step(client, admin.username)
    previous = code_at(TOTP_SECRET, T0 - dt.timedelta(seconds=30))
    assert client.post("/login/verify", data={"code": previous}).status_code == 302


@pytest.mark.parametrize("code", ["000000", "12345", "abcdef", "1234567", "12 34 5x",
                                  "９９９９９９"])  # full-width digits
def test_a_wrong_code_is_refused(client, admin, code):
    password_step(client, admin.username)
    response = client.post("/login/verify", data={"code": code})
    assert response.status_code == 401
    assert form_errors(response) == [BAD_CODE]
    assert not signed_in(client)


def test_an_old_code_is_refused(client, admin):
    password_step(client, admin.username)
    stale = code_at(TOTP_SECRET, T0 - dt.timedelta(minutes=2))
    assert client.post("/login/verify", data={"code": stale}).status_code == 401


def test_a_code_is_good_once(app, client, admin):
    code = code_at(TOTP_SECRET, T0)
    password_step(client, admin.username)
    assert client.post("/login/verify", data={"code": code}).status_code == 302
    other = app.test_client()
    password_step(other, admin.username)
    response = other.post("/login/verify", data={"code": code})
    assert response.status_code == 401
    assert form_errors(response) == [BAD_CODE]


def test_wrong_codes_count_towards_the_sign_in_throttle(client, admin):
    password_step(client, admin.username)
    for _ in range(5):
        client.post("/login/verify", data={"code": "000000"})
    response = client.post("/login/verify", data={"code": code_at(TOTP_SECRET, T0)})
    assert response.status_code == 429
    assert form_errors(response) == [THROTTLED]
    notes = db.session.scalars(select(AuditEvent.note).where(
        AuditEvent.action == "sign_in_failed").order_by(AuditEvent.id)).all()
    assert notes == ["wrong second-factor code"] * 4 + ["wrong second-factor code; throttled"]


def test_the_second_step_waits_five_minutes_for_the_code(client, admin):
    password_step(client, admin.username)
    clock.advance(dt.timedelta(minutes=5, seconds=1))
    response = client.post("/login/verify", data={"code": code_at(TOTP_SECRET, clock.now())},
                           follow_redirects=True)
    assert response.request.path == "/login"
    assert "验证已超时，请重新登录" in flashes(response)
    assert not signed_in(client)


def test_a_password_reset_during_the_second_step_voids_it(client, admin, make):
    from field_app.accounts.operations import end_sessions

    password_step(client, admin.username)
    end_sessions(admin)
    db.session.commit()
    response = client.post("/login/verify", data={"code": code_at(TOTP_SECRET, T0)})
    assert response.headers["Location"] == "/login"
    assert not signed_in(client)


# --- recovery codes ---------------------------------------------------------------------

def test_a_recovery_code_signs_in_once(app, client, admin):
    password_step(client, admin.username)
    response = client.post("/login/verify", data={"code": "ABCD EFGH JKMN"})  # as typed
    assert response.status_code == 302
    assert signed_in(client)
    other = app.test_client()
    password_step(other, admin.username)
    assert other.post("/login/verify", data={"code": RECOVERY[0]}).status_code == 401
    assert other.post("/login/verify", data={"code": RECOVERY[1]}).status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in")
                               .order_by(AuditEvent.id)).all()[-1]
    assert event.note == "second factor: recovery code (1 left)"


def test_recovery_codes_are_stored_hashed(admin):
    stored = db.session.scalars(select(RecoveryCode.code_hash)
                                .where(RecoveryCode.user_id == admin.id)).all()
    assert len(stored) == len(RECOVERY)
    assert not set(stored) & set(RECOVERY)
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in stored)


def test_new_recovery_codes_replace_the_old_ones(app, client, admin):
    sign_in(client, admin.username)
    clock.advance(dt.timedelta(seconds=30))
    page = client.post("/account/two-factor/recovery-codes",
                       data={"code": code_at(TOTP_SECRET, clock.now())})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page.get_data(as_text=True))
    assert len(codes) == 10
    other = app.test_client()
    password_step(other, admin.username)
    assert other.post("/login/verify", data={"code": RECOVERY[2]}).status_code == 401
    assert other.post("/login/verify", data={"code": codes[0]}).status_code == 302


# --- enrolment --------------------------------------------------------------------------

def enrolment_secret(page) -> str:
    return re.search(r'<code class="secret">([A-Z2-7 ]+)</code>',
                     page.get_data(as_text=True)).group(1).replace(" ", "")


def test_an_administrator_without_an_authenticator_enrols_before_going_in(client, make):
    user = make.user("region_admin", second_factor=False)
    db.session.commit()
    assert password_step(client, user.username).headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol")
    body = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in body  # the QR code, inline: the CSP allows data: only
    assert "管理员和审计员登录须使用两步验证" in body
    secret = enrolment_secret(page)
    assert client.post("/login/enrol", data={"code": "000000"}).status_code == 422
    assert not signed_in(client)
    shown = client.post("/login/enrol", data={"code": code_at(secret, T0)})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert signed_in(client)
    db.session.refresh(user)
    assert user.has_second_factor and user.security.totp_secret == secret
    assert client.get("/accounts").status_code == 200


def test_the_enrolment_secret_never_reaches_the_audit_log(client, make):
    user = make.user("auditor", second_factor=False)
    db.session.commit()
    password_step(client, user.username)
    secret = enrolment_secret(client.get("/login/enrol"))
    client.post("/login/enrol", data={"code": code_at(secret, T0)})
    logged = " ".join(f"{e.before} {e.after} {e.note}" for e in db.session.scalars(
        select(AuditEvent)))
    assert secret not in logged
    assert "second_factor_enabled" in db.session.scalars(select(AuditEvent.action)).all()


def test_anyone_may_turn_the_second_factor_on_and_off(app, client, make):
    user = make.user("village_collector")
    db.session.commit()
    phone = app.test_client()
    assert sign_in(phone, user.username).status_code == 302
    sign_in(client, user.username)
    secret = enrolment_secret(client.get("/account/two-factor/enrol"))
    response = client.post("/account/two-factor/enrol", data={"code": code_at(secret, T0)})
    assert response.status_code == 200 and "一次性恢复码" in response.get_data(as_text=True)
    assert signed_in(client)  # this session goes on
    assert not signed_in(phone)  # the other one, signed in without it, has ended
    assert password_step(app.test_client(), user.username).headers["Location"] == "/login/verify"

    response = client.post("/account/two-factor/disable", data={"password": "Wrong-pass-1"},
                           follow_redirects=True)
    assert form_errors(response) == ["当前密码不正确"]
    response = client.post("/account/two-factor/disable", data={"password": PASSWORD},
                           follow_redirects=True)
    assert flashes(response) == ["两步验证已停用"]
    assert password_step(app.test_client(), user.username).headers["Location"] == "/"


@pytest.mark.parametrize("role", ["county_admin", "league_admin", "region_admin", "auditor"])
def test_administrators_and_auditors_cannot_turn_it_off(client, login_as, role):
    user = login_as(role)
    response = client.post("/account/two-factor/disable", data={"password": PASSWORD},
                           follow_redirects=True)
    assert form_errors(response) == ["管理员和审计员必须使用两步验证"]
    db.session.refresh(user)
    assert user.has_second_factor


@pytest.mark.parametrize("new_role", ["auditor", "county_admin"])
def test_a_new_role_that_requires_it_ends_a_session_signed_in_without_it(app, client, make,
                                                                        login_as, new_role):
    collector = make.user("county_statistician", "152202000000")
    db.session.commit()
    phone = app.test_client()
    sign_in(phone, collector.username)
    assert signed_in(phone)
    login_as("league_admin")
    client.post(f"/accounts/{collector.id}/assignment",
                data={"role": new_role, "division_code": "152202000000"})
    db.session.refresh(collector)
    assert collector.role == Role(new_role)
    assert not signed_in(phone)
    assert password_step(phone, collector.username).headers["Location"] == "/login/enrol"


def test_an_administrator_resets_a_lost_authenticator(app, client, admin, login_as):
    device = app.test_client()
    sign_in(device, admin.username)
    login_as("region_admin")
    response = client.post(f"/accounts/{admin.id}/two-factor/reset", follow_redirects=True)
    assert flashes(response) == ["两步验证已重置，该用户下次登录时重新绑定"]
    assert not signed_in(device)
    db.session.refresh(admin)
    assert not admin.has_second_factor
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == admin.id)
                              ).all() == []
    assert password_step(device, admin.username).headers["Location"] == "/login/enrol"


def test_the_pages_of_the_second_step_need_a_password_first(client, admin):
    for path in ("/login/verify", "/login/enrol"):
        assert client.get(path).headers["Location"] == "/login"
        response = client.post(path, data={"code": code_at(TOTP_SECRET, T0)})
        assert response.headers["Location"] == "/login"
    assert not signed_in(client)


# --- demo accounts ----------------------------------------------------------------------

def test_the_demo_administrator_signs_in_with_the_readme_secret(client, make):
    from pathlib import Path

    from field_app.accounts.policy import AccountPolicy
    from field_app.demo.accounts import (
        DEMO_COUNTY,
        DEMO_PASSWORD,
        DEMO_TOTP_SECRET,
        ensure_demo_accounts,
    )

    make.division(DEMO_COUNTY, "科尔沁右翼前旗", "152200000000")
    make.division("152221100000", "索伦镇", DEMO_COUNTY)
    make.division("152221100201", "建设村", "152221100000")
    ensure_demo_accounts(db.session, AccountPolicy(password_hash_method="scrypt:1024:8:1"))
    db.session.commit()
    assert DEMO_TOTP_SECRET in (Path(__file__).parents[2] / "README.md").read_text()
    for username in ("demo_county_admin", "demo_league_admin", "demo_region_admin",
                     "demo_auditor"):
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.has_second_factor
    for username in ("demo_league_statistician", "demo_region_statistician"):
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.is_active and not user.has_second_factor
    response = password_step(client, "demo_league_admin", DEMO_PASSWORD)
    assert response.headers["Location"] == "/login/verify"
    assert client.post("/login/verify", data={"code": code_at(DEMO_TOTP_SECRET, T0)}
                       ).status_code == 302
    assert client.get("/accounts").status_code == 200
    assert password_step(client, "demo_village", DEMO_PASSWORD).headers["Location"] == "/"


def test_the_demo_password_is_refused_for_real_accounts(client, login_as):
    from field_app.demo.accounts import DEMO_PASSWORD

    login_as("league_admin")
    response = client.post("/accounts/new", data={
        "username": "li.si", "display_name": "李四", "role": "village_collector",
        "division_code": "152201100201", "password": DEMO_PASSWORD})
    assert "密码过于常见或已公开，请换一个" in form_errors(response)[0]
    assert db.session.scalar(select(User).where(User.username == "li.si")) is None


def test_the_enrolment_and_code_pages_fit_a_phone(client, make):
    user = make.user("auditor", second_factor=False)
    db.session.commit()
    password_step(client, user.username)
    body = client.get("/login/enrol").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert 'width="220"' in body  # the QR code leaves room on a 360-pixel screen
    assert 'inputmode="numeric"' in body and 'autocomplete="one-time-code"' in body
