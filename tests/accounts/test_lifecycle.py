"""The account lifecycle: lock after 30 idle days (at sign-in and by the daily sweep), the
restore request, cancellation after two years, transfer and resignation. Time moves with
the clock, never with sleep."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app import create_app
from field_app.accounts.models import RestoreRequest, User
from field_app.accounts.roles import AccountState, RestoreState
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.extensions import db
from tests.factories import PASSWORD
from tests.accounts.helpers import flashes, form_errors, sign_in

T0 = dt.datetime(2026, 3, 2, 9, 0)
DAY = dt.timedelta(days=1)
ALMOST_30_DAYS = dt.timedelta(days=29, hours=23)

LOCKED = "账号因30天未登录已被锁定，请提交恢复权限申请"
CANCELLED = "账号已注销，不能再登录"
DEACTIVATED = "账号已停用（调动或离职）"


@pytest.fixture(autouse=True)
def _start_of_day():
    clock.set(T0)


def file_request(client, username, password=PASSWORD, reason="回乡后继续采集"):
    return client.post("/restore-request", data={"username": username, "password": password,
                                                 "reason": reason}, follow_redirects=True)


def requests_of(user) -> list[RestoreRequest]:
    return db.session.scalars(select(RestoreRequest).where(RestoreRequest.user_id == user.id)
                              .order_by(RestoreRequest.id)).all()


@pytest.fixture
def holder(make):
    """A village collector of 葛根庙嘎查 whose idle clock starts at T0."""
    user = make.user("village_collector", username="wang.wu")
    db.session.commit()
    return user


@pytest.fixture
def admin(app, make):
    """``admin()``: a 兴安盟 administrator signed in on a browser of its own, created at the
    clock's current time so that moving the clock does not lock it too."""

    def sign_in_admin():
        user = make.user("league_admin")
        db.session.commit()
        browser = app.test_client()
        assert sign_in(browser, user.username).status_code == 302
        return browser

    return sign_in_admin


@pytest.fixture
def locked_holder(client, holder):
    clock.advance(dt.timedelta(days=30))
    assert form_errors(sign_in(client, holder.username)) == [LOCKED]
    return holder


# --- lock after 30 days -----------------------------------------------------------------

@pytest.mark.parametrize(("idle", "state"), [
    (ALMOST_30_DAYS, AccountState.ACTIVE),
    (dt.timedelta(days=30) - dt.timedelta(seconds=1), AccountState.ACTIVE),
    (dt.timedelta(days=30), AccountState.LOCKED),
    (dt.timedelta(days=400), AccountState.LOCKED),
])
def test_sign_in_locks_an_account_idle_thirty_days(client, holder, idle, state):
    clock.advance(idle)
    response = sign_in(client, holder.username)
    assert response.status_code == (302 if state == AccountState.ACTIVE else 401)
    db.session.refresh(holder)
    assert holder.state == state


def test_signing_in_restarts_the_thirty_days(client, holder):
    for _ in range(3):
        clock.advance(ALMOST_30_DAYS)
        assert sign_in(client, holder.username).status_code == 302


# Idle time of each account when the sweep runs, its state before and after.
SWEEP_TABLE = [
    (ALMOST_30_DAYS, AccountState.ACTIVE, AccountState.ACTIVE),
    (dt.timedelta(days=30), AccountState.ACTIVE, AccountState.LOCKED),
    (dt.timedelta(days=729, hours=23), AccountState.ACTIVE, AccountState.LOCKED),
    (dt.timedelta(days=400), AccountState.LOCKED, AccountState.LOCKED),
    (dt.timedelta(days=730), AccountState.ACTIVE, AccountState.CANCELLED),
    (dt.timedelta(days=730), AccountState.LOCKED, AccountState.CANCELLED),
    (dt.timedelta(days=3000), AccountState.CANCELLED, AccountState.CANCELLED),
]


def test_the_daily_sweep_locks_at_thirty_days_and_cancels_at_two_years(runner, make):
    accounts = []
    for idle, before, _after in SWEEP_TABLE:
        clock.set(T0 - idle)
        accounts.append(make.user("village_collector", state=before))
    db.session.commit()
    clock.set(T0)
    result = runner.invoke(args=["accounts", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "锁定 locked: 2  注销 cancelled: 2"
    for user in accounts:
        db.session.refresh(user)
    assert [u.state for u in accounts] == [after for _idle, _before, after in SWEEP_TABLE]
    again = runner.invoke(args=["accounts", "sweep"])
    assert again.output.strip() == "锁定 locked: 0  注销 cancelled: 0"


def test_the_sweep_records_why_an_account_was_locked(runner, holder):
    clock.advance(dt.timedelta(days=30))
    runner.invoke(args=["accounts", "sweep"])
    db.session.refresh(holder)
    assert holder.state_reason == "30天未登录，自动锁定"
    change = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "update", AuditEvent.target_id == str(holder.id))).one()
    assert (change.before["state"], change.after["state"]) == ("active", "locked")
    assert change.actor_name.startswith("cli:")


# --- restore request --------------------------------------------------------------------

def test_the_holder_of_a_locked_account_files_a_restore_request_from_the_login_page(
        client, locked_holder):
    assert 'href="/restore-request"' in client.get("/login").get_data(as_text=True)
    response = file_request(client, locked_holder.username)
    assert response.request.path == "/login"
    assert flashes(response) == ["恢复权限申请已提交，请等待管理员审批"]
    [request] = requests_of(locked_holder)
    assert (request.state, request.reason, request.filed_at) == (
        RestoreState.PENDING, "回乡后继续采集", T0 + dt.timedelta(days=30))


@pytest.mark.parametrize(("username", "password", "message"), [
    ("wang.wu", "Wrong-pass-1", "用户名或密码错误"),
    ("nobody.here", PASSWORD, "用户名或密码错误"),
])
def test_a_restore_request_needs_the_right_password(client, locked_holder, username, password,
                                                    message):
    assert form_errors(file_request(client, username, password)) == [message]
    assert requests_of(locked_holder) == []


def test_only_a_locked_account_can_file_a_restore_request(client, holder):
    response = file_request(client, holder.username)
    assert form_errors(response) == ["只有被锁定的账号可以申请恢复权限"]
    assert requests_of(holder) == []


def test_a_restore_request_needs_a_reason(client, locked_holder):
    response = file_request(client, locked_holder.username, reason="")
    assert response.status_code == 422
    assert "必填" in response.get_data(as_text=True)
    assert requests_of(locked_holder) == []


def test_only_one_restore_request_is_pending_at_a_time(client, locked_holder):
    file_request(client, locked_holder.username)
    assert form_errors(file_request(client, locked_holder.username)) == ["已有待处理的恢复权限申请"]
    assert len(requests_of(locked_holder)) == 1


def test_an_approved_restore_request_lets_the_holder_sign_in(client, admin, locked_holder):
    file_request(client, locked_holder.username)
    [request] = requests_of(locked_holder)
    clock.advance(DAY)
    browser = admin()
    assert "回乡后继续采集" in browser.get("/restore-requests").get_data(as_text=True)
    browser.post(f"/restore-requests/{request.id}/approve", data={"note": "同意"})
    db.session.refresh(request)
    assert (request.state, request.decided_at, request.decision_note) == (
        RestoreState.APPROVED, clock.now(), "同意")
    assert sign_in(client, locked_holder.username).status_code == 302


def test_the_approval_restarts_the_thirty_days(client, admin, locked_holder):
    file_request(client, locked_holder.username)
    [request] = requests_of(locked_holder)
    clock.advance(dt.timedelta(days=5))
    admin().post(f"/restore-requests/{request.id}/approve")
    clock.advance(ALMOST_30_DAYS)
    assert sign_in(client, locked_holder.username).status_code == 302


def test_a_refused_restore_request_leaves_the_account_locked(client, admin, locked_holder):
    file_request(client, locked_holder.username)
    [request] = requests_of(locked_holder)
    admin().post(f"/restore-requests/{request.id}/refuse", data={"note": "已调离"})
    db.session.refresh(request)
    assert (request.state, request.decision_note) == (RestoreState.REFUSED, "已调离")
    assert form_errors(sign_in(client, locked_holder.username)) == [LOCKED]
    assert file_request(client, locked_holder.username).request.path == "/login"  # asks again
    assert len(requests_of(locked_holder)) == 2


def test_wrong_passwords_on_the_restore_request_page_count_towards_the_sign_in_throttle(
        client, holder):
    for _ in range(5):
        file_request(client, holder.username, "Wrong-pass-1")
    refused = sign_in(client, holder.username)
    assert refused.status_code == 429
    assert form_errors(refused) == ["尝试次数过多，请稍后再试"]


def test_a_restore_request_after_two_years_cannot_revive_the_account(client, locked_holder):
    clock.advance(dt.timedelta(days=700))
    file_request(client, locked_holder.username)
    assert requests_of(locked_holder) == []


def test_a_decided_restore_request_cannot_be_decided_again(client, admin, locked_holder):
    file_request(client, locked_holder.username)
    [request] = requests_of(locked_holder)
    browser = admin()
    browser.post(f"/restore-requests/{request.id}/refuse")
    response = browser.post(f"/restore-requests/{request.id}/approve", follow_redirects=True)
    assert "该申请已处理" in form_errors(response)
    db.session.refresh(locked_holder)
    assert locked_holder.state == AccountState.LOCKED


# --- cancellation after two years -------------------------------------------------------

@pytest.fixture(params=["sign-in", "sweep"])
def cancelled_holder(request, client, runner, holder):
    """The holder, signed in once at T0 and cancelled 730 days later at sign-in or by sweep."""
    assert sign_in(client, holder.username).status_code == 302
    clock.advance(dt.timedelta(days=730))
    if request.param == "sign-in":
        assert form_errors(sign_in(client, holder.username)) == [CANCELLED]
    else:
        assert "注销 cancelled: 1" in runner.invoke(args=["accounts", "sweep"]).output
    db.session.refresh(holder)
    return holder


def test_an_account_unused_two_years_is_cancelled(cancelled_holder):
    assert cancelled_holder.state == AccountState.CANCELLED
    assert cancelled_holder.state_reason == "730天未使用，自动注销"


def test_an_account_unused_just_under_two_years_is_only_locked(client, holder):
    clock.advance(dt.timedelta(days=729, hours=23))
    assert form_errors(sign_in(client, holder.username)) == [LOCKED]


def test_a_cancelled_account_never_signs_in_again(client, cancelled_holder):
    for _ in range(3):
        assert form_errors(sign_in(client, cancelled_holder.username)) == [CANCELLED]
        clock.advance(dt.timedelta(days=365))


def test_a_cancelled_account_cannot_ask_for_restoration(client, cancelled_holder):
    response = file_request(client, cancelled_holder.username)
    assert form_errors(response) == ["只有被锁定的账号可以申请恢复权限"]


@pytest.mark.parametrize(("action", "data", "message"), [
    ("assignment", {"role": "village_collector", "division_code": "152202100201"},
     "已注销的账号不能再分配岗位"),
    ("deactivate", {"reason": "transfer"}, "账号当前状态不允许此操作"),
])
def test_the_administrator_cannot_bring_a_cancelled_account_back(admin, cancelled_holder, action,
                                                                 data, message):
    response = admin().post(f"/accounts/{cancelled_holder.id}/{action}", data=data,
                            follow_redirects=True)
    assert message in form_errors(response)
    db.session.refresh(cancelled_holder)
    assert (cancelled_holder.state, cancelled_holder.division_code) == (
        AccountState.CANCELLED, "152201100201")


def test_a_pending_restore_request_cannot_revive_a_cancelled_account(client, runner, admin,
                                                                    locked_holder):
    file_request(client, locked_holder.username)
    [request] = requests_of(locked_holder)
    clock.advance(dt.timedelta(days=700))
    assert "注销 cancelled: 1" in runner.invoke(args=["accounts", "sweep"]).output
    response = admin().post(f"/restore-requests/{request.id}/approve", follow_redirects=True)
    assert "账号当前状态不允许此操作" in form_errors(response)
    db.session.commit()  # a later commit must not carry a half-made decision along
    db.session.refresh(request)
    db.session.refresh(locked_holder)
    assert (request.state, request.decided_by_id) == (RestoreState.PENDING, None)
    assert locked_holder.state == AccountState.CANCELLED


def test_a_cancelled_account_keeps_its_row_and_history(cancelled_holder):
    assert db.session.get(User, cancelled_holder.id).username == "wang.wu"
    history = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "users", AuditEvent.target_id == str(cancelled_holder.id))
        .order_by(AuditEvent.id)).all()
    assert {"create", "sign_in"} <= {e.action for e in history}
    states = [e.after["state"] for e in history if e.action == "update" and "state" in e.after]
    assert states == ["cancelled"]


# --- transfer and resignation -----------------------------------------------------------

@pytest.mark.parametrize(("reason", "label"), [("transfer", "调动"), ("resignation", "离职")])
def test_transfer_and_resignation_remove_role_and_division_at_once(client, admin, holder, reason,
                                                                   label):
    assert sign_in(client, holder.username).status_code == 302
    assert client.get("/divisions/152201100201").status_code == 200
    response = admin().post(f"/accounts/{holder.id}/deactivate", data={"reason": reason})
    assert response.status_code == 302
    db.session.refresh(holder)
    assert (holder.state, holder.role, holder.division_code, holder.state_reason) == (
        AccountState.DEACTIVATED, None, None, label)
    assert holder.former_division_code == "152201100201"
    assert client.get("/divisions/152201100201").headers["Location"].startswith("/login")
    assert form_errors(sign_in(client, holder.username)) == [DEACTIVATED]


def test_deactivation_is_one_audited_change(admin, holder):
    admin().post(f"/accounts/{holder.id}/deactivate", data={"reason": "resignation"})
    [change] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "update", AuditEvent.target_id == str(holder.id),
        AuditEvent.after["state"].as_string() == "deactivated")).all()
    assert (change.before["role"], change.before["division_code"]) == (
        "village_collector", "152201100201")
    assert (change.after["role"], change.after["division_code"]) == (None, None)


# --- thresholds are configuration -------------------------------------------------------

@pytest.fixture(scope="module")
def ten_day_app(app):
    """The application configured to lock after 10 idle days, on the same database."""
    second = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                         "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "ACCOUNT_LOCK_AFTER_DAYS": 10})
    yield second
    with second.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("idle", "status"), [
    (dt.timedelta(days=9, hours=23), 302),
    (dt.timedelta(days=10), 401),
])
def test_the_lock_threshold_is_configuration_at_sign_in(ten_day_app, holder, idle, status):
    clock.advance(idle)
    assert sign_in(ten_day_app.test_client(), holder.username).status_code == status


def test_the_lock_threshold_is_configuration_for_the_sweep(ten_day_app, holder):
    clock.advance(dt.timedelta(days=10))
    with ten_day_app.app_context():
        result = ten_day_app.test_cli_runner().invoke(args=["accounts", "sweep"])
    assert result.output.strip() == "锁定 locked: 1  注销 cancelled: 0"
    db.session.refresh(holder)
    assert holder.state == AccountState.LOCKED
