"""Sign-in security: same answer (and work) for unknown usernames and wrong passwords,
throttling that no stranger can turn against the holder, the password policy and its
blocklist, the first-sign-in password change, the idle timeout and the memory-hard hash.
Time moves with the clock, never with sleep."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from field_app import config
from field_app.accounts.models import User
from field_app.accounts.policy import AccountPolicy, password_problems
from field_app.accounts.roles import AccountState
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.extensions import db
from tests.factories import PASSWORD
from tests.accounts.helpers import form_errors, sign_in

T0 = dt.datetime(2026, 3, 2, 9, 0)
WRONG = "Wrong-pass-1"
NEW_PASSWORD = "Second-pass-27"

BAD_CREDENTIALS = "用户名或密码错误"
TOO_SHORT = "密码至少8位"
COMMON = "密码过于常见或已公开，请换一个"
TOO_FEW_CLASSES = "密码须包含大写字母、小写字母、数字、符号中的至少三类"
HAS_USERNAME = "密码不能包含用户名"


@pytest.fixture(autouse=True)
def _start_of_day():
    clock.set(T0)


def redirects_to(response, path: str) -> bool:
    return response.status_code == 302 and response.headers["Location"].split("?")[0] == path


@pytest.fixture
def holder(make):
    """A village collector with the standard test password."""
    user = make.user("village_collector", username="wang.wu")
    db.session.commit()
    return user


# --- wrong credentials ----------------------------------------------------------------

def test_wrong_password_and_unknown_username_get_the_same_answer(client, holder):
    wrong = sign_in(client, holder.username, WRONG)
    unknown = sign_in(client, "nobody.here", WRONG)
    assert wrong.status_code == unknown.status_code == 401
    assert form_errors(wrong) == form_errors(unknown) == [BAD_CREDENTIALS]


def test_failed_sign_ins_are_audited_without_the_password(client, holder):
    sign_in(client, holder.username, WRONG)
    sign_in(client, "nobody.here", WRONG)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")
                                .order_by(AuditEvent.id)).all()
    assert [(e.actor_name, e.note) for e in events] == [
        (holder.username, "wrong password"), ("nobody.here", "unknown username")]
    assert all(WRONG not in f"{e.note} {e.before} {e.after}" for e in events)


# --- throttling --------------------------------------------------------------------------
# Design: failures (wrong passwords, second-factor codes, current passwords) are counted per
# client address (10 a minute, 50 an hour), per username from one address (5 in 15
# minutes) and per username from all addresses (50 an hour). A throttled attempt is
# refused before the username is looked up; no account is ever locked by failures.

THROTTLED = "尝试次数过多，请稍后再试"


def from_address(app, address: str):
    """A browser of its own at ``address``."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


@pytest.fixture
def later(monkeypatch):
    """``later(seconds)``: move the rate limiter's clock (its storage reads time.time)."""
    import limits.storage.memory as memory
    import time as real_time

    offset = {"seconds": 0.0}

    class MovedTime:
        @staticmethod
        def time():
            return real_time.time() + offset["seconds"]

    monkeypatch.setattr(memory, "time", MovedTime)
    return lambda seconds: offset.update(seconds=offset["seconds"] + seconds)


def test_five_wrong_passwords_from_one_address_throttle_that_address_for_the_account(
        client, holder):
    for _ in range(5):
        assert form_errors(sign_in(client, holder.username, WRONG)) == [BAD_CREDENTIALS]
    refused = sign_in(client, holder.username)  # even with the right password
    assert refused.status_code == 429
    assert form_errors(refused) == [THROTTLED]


def test_the_throttle_passes_after_fifteen_minutes_and_waiting_is_enough(client, holder,
                                                                           later):
    for _ in range(5):
        sign_in(client, holder.username, WRONG)
    later(14 * 60)
    assert sign_in(client, holder.username, WRONG).status_code == 429  # does not count
    later(61)
    assert redirects_to(sign_in(client, holder.username), "/")


def test_a_strangers_failures_do_not_keep_the_holder_out_from_another_address(app, holder):
    stranger, holder_phone = from_address(app, "10.0.0.66"), from_address(app, "10.0.0.7")
    for _ in range(5):
        sign_in(stranger, holder.username, WRONG)
    assert sign_in(stranger, holder.username).status_code == 429
    assert redirects_to(sign_in(holder_phone, holder.username), "/")
    db.session.refresh(holder)
    assert holder.state == AccountState.ACTIVE


def test_administrators_cannot_be_locked_out_by_anyone_either(app, make):
    admin = make.user("league_admin")
    db.session.commit()
    stranger = from_address(app, "10.0.0.66")
    for _ in range(20):
        sign_in(stranger, admin.username, WRONG)
    assert redirects_to(sign_in(from_address(app, "10.0.0.8"), admin.username), "/")


def test_many_addresses_together_are_throttled_per_username_at_fifty_an_hour(app, holder):
    for n in range(10):
        botnet = from_address(app, f"10.1.0.{n}")
        for _ in range(5):
            assert sign_in(botnet, holder.username, WRONG).status_code == 401
    late = sign_in(from_address(app, "10.2.0.1"), holder.username)
    assert late.status_code == 429
    assert form_errors(late) == [THROTTLED]


def test_one_address_trying_many_usernames_is_throttled_at_ten_a_minute(app, make, holder):
    sprayer = from_address(app, "10.0.0.66")
    for n in range(10):
        assert sign_in(sprayer, f"user{n}", WRONG).status_code == 401
    assert sign_in(sprayer, holder.username).status_code == 429
    assert redirects_to(sign_in(from_address(app, "10.0.0.7"), holder.username), "/")


def test_throttled_answers_are_the_same_for_known_and_unknown_usernames(client, holder):
    for _ in range(5):
        sign_in(client, holder.username, WRONG)
        sign_in(client, "nobody.here", WRONG)
    known, unknown = sign_in(client, holder.username, WRONG), sign_in(client, "nobody.here", WRONG)
    assert known.status_code == unknown.status_code == 429
    assert form_errors(known) == form_errors(unknown) == [THROTTLED]
    assert known.get_data() == unknown.get_data().replace(b"nobody.here", b"wang.wu")


def test_the_failure_that_starts_the_throttle_is_recorded_in_the_audit_log(client, holder):
    for _ in range(6):
        sign_in(client, holder.username, WRONG)
    notes = db.session.scalars(select(AuditEvent.note).where(
        AuditEvent.action == "sign_in_failed").order_by(AuditEvent.id)).all()
    assert notes == ["wrong password"] * 4 + ["wrong password; throttled"]


def test_an_unknown_username_is_checked_against_a_hash_of_the_configured_method(
        app, client, holder, monkeypatch):
    """Same work, so the same time, for unknown and known usernames (compared by what is
    computed, not by a stopwatch)."""
    from field_app.accounts import operations

    checked = []

    def spy(stored, password):
        checked.append(stored.split("$")[0])
        return real(stored, password)

    real = operations.check_password_hash
    monkeypatch.setattr(operations, "check_password_hash", spy)
    sign_in(client, "nobody.here", WRONG)
    sign_in(client, holder.username, WRONG)
    method = app.config["PASSWORD_HASH_METHOD"]
    assert checked == [method, method]
    policy = app.extensions["field_app.account_policy"]
    assert operations.dummy_hash(policy) is operations.dummy_hash(policy)  # made once


# --- password policy --------------------------------------------------------------------

@pytest.mark.parametrize(("password", "problems"), [
    ("Hulun-buir7", []),
    ("Qiaoxiang8x", []),
    ("taonan-he8!", []),
    ("TAONAN-HE8!", []),
    ("Ab1!", [TOO_SHORT]),
    ("Hulun1!", [TOO_SHORT]),
    ("hulunbuir", [TOO_FEW_CLASSES]),
    ("hulunbuir12", [TOO_FEW_CLASSES]),
    ("ABCD!@#$%", [TOO_FEW_CLASSES]),
    ("12345678", [TOO_FEW_CLASSES, COMMON]),
    ("abc", [TOO_SHORT, TOO_FEW_CLASSES]),
    ("Wang.Wu-2026", [HAS_USERNAME]),
    ("xWANG.WU1", [HAS_USERNAME]),
    ("wang.wu", [TOO_SHORT, TOO_FEW_CLASSES, HAS_USERNAME]),
    ("Password1", [COMMON]),
    ("PASSWORD1", [TOO_FEW_CLASSES, COMMON]),
    ("Ｐａｓｓｗｏｒｄ１", [TOO_FEW_CLASSES, COMMON]),  # full-width letters and digits
    ("Password1!", [COMMON]),  # the word under the digits and symbols
    ("Dragon-2026", [COMMON]),
    ("Qwerty123!", [COMMON]),
    ("Woaini-1314", [COMMON]),
    ("Xingan-2026", [COMMON]),  # the demo's published password
    ("Xingan@2027", [COMMON]),
])
def test_password_policy_is_eight_characters_from_three_classes_without_the_username(
        app, password, problems):
    with app.test_request_context():  # the messages are translated per request
        assert [str(p) for p in password_problems(password, username="wang.wu")] == problems


@pytest.mark.parametrize(("new", "message"), [
    ("Ab1!", TOO_SHORT),
    ("abcdefgh", TOO_FEW_CLASSES),
    ("Wang.wu-2026", HAS_USERNAME),
    ("Password1!", COMMON),
    ("Xingan-2026", COMMON),
    (PASSWORD, "新密码不能与当前密码相同"),
])
def test_a_new_password_breaking_the_policy_is_refused_in_chinese(client, holder, new, message):
    sign_in(client, holder.username)
    before = holder.password_hash
    response = client.post("/password", data={"current": PASSWORD, "new": new})
    assert response.status_code == 422
    assert message in form_errors(response)[0]
    db.session.refresh(holder)
    assert holder.password_hash == before


def test_changing_the_password_needs_the_current_one(client, holder):
    sign_in(client, holder.username)
    response = client.post("/password", data={"current": WRONG, "new": NEW_PASSWORD})
    assert form_errors(response) == ["当前密码不正确"]
    assert check_password_hash(holder.password_hash, PASSWORD)


# --- first sign-in ----------------------------------------------------------------------

@pytest.fixture
def newcomer(make):
    """A league administrator signing in for the first time."""
    user = make.user("league_admin", must_change_password=True)
    db.session.commit()
    return user


@pytest.mark.parametrize("path", [
    "/", "/divisions/152200000000", "/accounts", "/accounts/new", "/restore-requests", "/audit/",
])
def test_first_sign_in_sends_every_page_to_the_password_form(client, newcomer, path):
    sign_in(client, newcomer.username)
    assert redirects_to(client.get(path), "/password")


def test_after_the_first_password_change_the_pages_open(client, newcomer):
    sign_in(client, newcomer.username)
    page = client.get("/password").get_data(as_text=True)
    assert "首次登录或密码被重置后须修改密码" in page
    response = client.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD})
    assert redirects_to(response, "/")
    assert client.get("/accounts").status_code == 200
    db.session.refresh(newcomer)
    assert newcomer.must_change_password is False
    assert check_password_hash(newcomer.password_hash, NEW_PASSWORD)


def test_sign_out_is_possible_before_the_password_is_changed(client, newcomer):
    sign_in(client, newcomer.username)
    assert redirects_to(client.post("/logout"), "/login")
    assert redirects_to(client.get("/accounts"), "/login")


# --- idle timeout -----------------------------------------------------------------------

@pytest.fixture
def signed_in(client, holder):
    """The holder signed in, the browser having followed the redirect to the home page."""
    sign_in(client, holder.username)
    client.get("/")
    return client


@pytest.mark.parametrize(("idle", "alive"), [
    (dt.timedelta(minutes=29), True),
    (dt.timedelta(minutes=30), True),
    (dt.timedelta(minutes=30, seconds=1), False),
    (dt.timedelta(hours=5), False),
])
def test_an_idle_session_ends_after_thirty_minutes(signed_in, idle, alive):
    clock.advance(idle)
    response = signed_in.get("/divisions/152201100201")
    if alive:
        assert response.status_code == 200
    else:
        assert redirects_to(response, "/login")
        assert "expired=1" in response.headers["Location"]
        assert redirects_to(signed_in.get("/divisions/152201100201"), "/login")


def test_a_request_within_thirty_minutes_keeps_the_session_alive(signed_in):
    for _ in range(4):
        clock.advance(dt.timedelta(minutes=29))
        assert signed_in.get("/divisions/152201100201").status_code == 200


def test_the_login_page_says_the_session_timed_out(signed_in):
    clock.advance(dt.timedelta(minutes=31))
    page = signed_in.get("/divisions/152201100201", follow_redirects=True).get_data(as_text=True)
    assert "登录已超时，请重新登录" in page


def test_a_session_left_idle_right_after_sign_in_also_ends(client, holder):
    sign_in(client, holder.username)
    clock.advance(dt.timedelta(hours=5))
    assert redirects_to(client.get("/divisions/152201100201"), "/login")


# --- password storage -------------------------------------------------------------------

def test_the_stored_hash_is_scrypt_and_never_the_password(client, login_as):
    login_as("league_admin")
    client.post("/accounts/new", data={
        "username": "li.si", "display_name": "李四", "role": "village_collector",
        "division_code": "152201100201", "password": NEW_PASSWORD})
    stored = db.session.scalar(select(User.password_hash).where(User.username == "li.si"))
    assert stored.startswith("scrypt:1024:8:1$")  # the test app's configured cost
    assert NEW_PASSWORD not in stored
    assert check_password_hash(stored, NEW_PASSWORD)


def test_the_default_hash_is_memory_hard():
    method = AccountPolicy.from_config(config.DEFAULTS).password_hash_method
    name, n, r, _p = method.split(":")
    assert name == "scrypt"
    assert 128 * int(n) * int(r) >= 32 * 2**20  # bytes of memory per hash


def test_the_audit_log_never_holds_the_password_or_its_hash(client, holder):
    sign_in(client, holder.username)
    client.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD})
    db.session.refresh(holder)
    logged = [e for e in db.session.scalars(select(AuditEvent)) if e.target_type == "users"]
    assert any((e.after or {}).get("password_hash") == "***" for e in logged)
    text = " ".join(f"{e.before} {e.after} {e.note}" for e in logged)
    for secret in (PASSWORD, NEW_PASSWORD, holder.password_hash):
        assert secret not in text
