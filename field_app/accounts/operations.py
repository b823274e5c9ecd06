"""Account writes: sign-in, the lifecycle of the notice (section 一(五)), administration.

Operations enforce the rules, mutate, flush and leave an audit trail (row changes are logged
by the session hooks of ``audit.operations``; sign-ins explicitly). They never commit: the
view or command commits once, also when a sign-in is refused, so that the audit entry of
a refused sign-in is kept. Failures are counted by the throttle (``accounts.throttle``),
passed in, never by a lock on the account.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import secrets
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, object_session
from werkzeug.security import check_password_hash, generate_password_hash

from field_app.accounts import two_factor
from field_app.accounts.models import AccountSecurity, RecoveryCode, RestoreRequest, User
from field_app.accounts.policy import AccountPolicy, password_problems
from field_app.accounts.roles import (
    AccountEvent,
    AccountState,
    RestoreState,
    Role,
    next_state,
)
from field_app.audit.actor import Actor, actor_for, get_actor, set_actor
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, NotAllowed, Unauthenticated, ValidationFailed
from field_app.divisions.models import Division


class SignInRefused(Unauthenticated):
    """A refused sign-in step; ``status`` is 401, or 429 when throttled."""


class Throttle(Protocol):
    """What the sign-in operations need of throttling (``accounts.throttle``)."""

    def allows(self, username: str, ip: str | None) -> bool: ...

    def count_failure(self, username: str, ip: str | None) -> bool: ...


_BAD_CREDENTIALS = _l("用户名或密码错误")
_THROTTLED = _l("尝试次数过多，请稍后再试")
_BAD_CODE = _l("验证码错误")
_WRONG_CURRENT = _l("当前密码不正确")


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def dummy_hash(policy: AccountPolicy) -> str:
    """What an unknown username's password is checked against: a hash made with the
    configured method (computed once), so the answer takes as long as for a real account."""
    return _dummy_hash(policy.password_hash_method)


def hash_password(password: str, policy: AccountPolicy) -> str:
    return generate_password_hash(password, method=policy.password_hash_method)


def check_new_password(password: str, username: str) -> None:
    problems = password_problems(password, username=username)
    if problems:
        raise ValidationFailed("；".join(str(p) for p in problems), {"password": problems})


def _security(user: User) -> AccountSecurity:
    session = object_session(user)
    # Loading the row must not flush the caller's half-made change (a deactivation sets
    # the state before it clears the role).
    with session.no_autoflush if session is not None else contextlib.nullcontext():
        if user.security is None:
            user.security = AccountSecurity(session_generation=0)
        return user.security


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends at its next request (the sessions hold the
    generation they were signed in at). Logs nothing itself: the caller's event says why."""
    _security(user).session_generation += 1


def _transition(user: User, event: AccountEvent, reason: str | None = None) -> None:
    target = next_state(user.state, event)
    if target is None:
        raise InvalidTransition(_l("账号当前状态不允许此操作"))
    user.state = target
    user.state_reason = reason
    if target != AccountState.ACTIVE:
        end_sessions(user)


def apply_inactivity(user: User, policy: AccountPolicy, now: dt.datetime) -> None:
    """Lock after ``lock_after`` idle, cancel after ``cancel_after`` unused."""
    idle = now - user.last_activity_at
    if user.state in (AccountState.ACTIVE, AccountState.LOCKED) and idle >= policy.cancel_after:
        _transition(user, AccountEvent.CANCEL, f"{policy.cancel_after.days}天未使用，自动注销")
    elif user.state == AccountState.ACTIVE and idle >= policy.lock_after:
        _transition(user, AccountEvent.INACTIVITY_LOCK,
                    f"{policy.lock_after.days}天未登录，自动锁定")


def _failure_note(what: str, throttled: bool) -> str:
    return f"{what}; throttled" if throttled else what


def _claimed(user: User, ip: str | None) -> Actor:
    """The actor of an attempt on ``user`` not proved yet: named, not identified."""
    return Actor(None, user.username, ip, user.division_code or user.former_division_code)


def _check_credentials(session: Session, username: str, password: str, *, ip: str | None,
                       policy: AccountPolicy, throttle: Throttle, failure: str) -> User:
    """The account whose password this is; failures count towards the throttle.

    Shared by sign-in and the restore-request page, so neither can be used to guess
    passwords past the throttle. A throttled attempt is refused before the username is
    looked up and an unknown username costs the same hash as a known one, so neither the
    answer nor its time tells whether the account exists. Failures are logged as
    ``failure``; on success the session's actor becomes the account holder.
    """
    if not throttle.allows(username, ip):
        raise SignInRefused(_THROTTLED, status=429)
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(dummy_hash(policy), password)
        note = _failure_note("unknown username", throttle.count_failure(username, ip))
        record(session, failure, actor=Actor(None, username[:60], ip), note=note)
        raise SignInRefused(_BAD_CREDENTIALS)
    claimed = _claimed(user, ip)
    set_actor(session, claimed)
    if not check_password_hash(user.password_hash, password):
        note = _failure_note("wrong password", throttle.count_failure(username, ip))
        record(session, failure, actor=claimed, target_type="users", target_id=user.id,
               note=note)
        raise SignInRefused(_BAD_CREDENTIALS)
    set_actor(session, actor_for(user, ip) if user.division_code else claimed)
    apply_inactivity(user, policy, clock.now())
    return user


def authenticate(session: Session, username: str, password: str, *, ip: str | None,
                 policy: AccountPolicy, throttle: Throttle) -> User:
    """The account for these credentials, or ``SignInRefused`` with the reason to show.

    The account's state is revealed only to someone who knows its password. An account
    that signs in with a second factor is only half-way in: ``verify_second_factor`` or
    ``enable_second_factor`` completes the sign-in; any other is signed in here.
    """
    user = _check_credentials(session, username, password, ip=ip, policy=policy,
                              throttle=throttle, failure="sign_in_failed")
    actor = get_actor(session)
    refusal = {
        AccountState.LOCKED: _l("账号因%(days)d天未登录已被锁定，请提交恢复权限申请",
                                days=policy.lock_after.days),
        AccountState.CANCELLED: _l("账号已注销，不能再登录"),
        AccountState.DEACTIVATED: _l("账号已停用（调动或离职）"),
    }.get(user.state)
    if refusal is None and user.role is None:
        refusal = _l("账号未分配岗位")
    if refusal is not None:
        session.flush()
        record(session, "sign_in_failed", actor=actor, target_type="users", target_id=user.id,
               note=f"account {user.state.value}")
        raise SignInRefused(refusal)
    if not user.password_hash.startswith(f"{policy.password_hash_method}$"):
        # Hashes made before the cost was raised are renewed while the password is at hand.
        user.password_hash = hash_password(password, policy)
    if not user.signs_in_with_second_factor:
        complete_sign_in(session, user)
    return user


def complete_sign_in(session: Session, user: User, *, note: str | None = None) -> None:
    now = clock.now()
    user.last_login_at = now
    user.last_activity_at = now
    session.flush()
    record(session, "sign_in", target_type="users", target_id=user.id, note=note)


def verify_second_factor(session: Session, user: User, code: str, *, ip: str | None,
                         throttle: Throttle) -> str:
    """Check the second step of ``user``'s sign-in: the authenticator's current code (each
    accepted once) or an unused recovery code (then used up). Returns which it was, for
    the sign-in's audit entry; wrong codes count towards the throttle."""
    if not throttle.allows(user.username, ip):
        raise SignInRefused(_THROTTLED, status=429)
    claimed = _claimed(user, ip)
    security = _security(user)
    if security.totp_secret:
        step = two_factor.matching_step(security.totp_secret, code, clock.now(),
                                        after=security.totp_last_step)
        if step is not None:
            security.totp_last_step = step
            session.flush()
            set_actor(session, actor_for(user, ip))
            return "second factor: authenticator code"
        recovery = session.scalar(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == two_factor.recovery_hash(code),
            RecoveryCode.used_at.is_(None)))
        if recovery is not None:
            recovery.used_at = clock.now()
            session.flush()
            set_actor(session, actor_for(user, ip))
            return f"second factor: recovery code ({unused_recovery_codes(session, user)} left)"
    note = _failure_note("wrong second-factor code", throttle.count_failure(user.username, ip))
    record(session, "sign_in_failed", actor=claimed, target_type="users", target_id=user.id,
           note=note)
    raise SignInRefused(_BAD_CODE)


def unused_recovery_codes(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = two_factor.new_recovery_codes()
    session.add_all(RecoveryCode(user_id=user.id, code_hash=two_factor.recovery_hash(code))
                    for code in codes)
    session.flush()
    return codes


def enable_second_factor(session: Session, user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP with ``secret`` once the holder's app shows a matching ``code``; returns
    the ten recovery codes, shown once. Other sessions of the account end."""
    step = two_factor.matching_step(secret, code, clock.now())
    if step is None:
        raise ValidationFailed(_l("验证码错误，请核对手机时间后重试"))
    security = _security(user)
    security.totp_secret = secret
    security.totp_enabled_at = clock.now()
    security.totp_last_step = step
    end_sessions(user)
    codes = _new_recovery_codes(session, user)
    record(session, "second_factor_enabled", target_type="users", target_id=user.id)
    return codes


def renew_recovery_codes(session: Session, user: User, code: str, *, ip: str | None,
                         throttle: Throttle) -> list[str]:
    """Ten new recovery codes (the old ones stop working), against a current code."""
    try:
        verify_second_factor(session, user, code, ip=ip, throttle=throttle)
    except SignInRefused as refused:
        raise ValidationFailed(refused.message) from None
    codes = _new_recovery_codes(session, user)
    record(session, "recovery_codes_renewed", target_type="users", target_id=user.id)
    return codes


def _remove_second_factor(session: Session, user: User) -> None:
    security = _security(user)
    security.totp_secret = None
    security.totp_enabled_at = None
    security.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable_second_factor(session: Session, user: User, password: str, *, ip: str | None,
                          throttle: Throttle) -> None:
    """The holder turns TOTP off, with the password; not for the roles that require it."""
    if user.requires_second_factor:
        raise NotAllowed(_l("管理员和审计员必须使用两步验证"))
    _require_current_password(session, user, password, ip=ip, throttle=throttle)
    _remove_second_factor(session, user)
    record(session, "second_factor_disabled", target_type="users", target_id=user.id)


def reset_second_factor(session: Session, account: User, *, actor: User) -> None:
    """An administrator clears a lost authenticator: the holder signs in again and, in a
    role that requires it, enrols anew. Every session of the account ends."""
    if not actor.can_manage(account):
        raise NotAllowed(_l("无权管理该账号"))
    _remove_second_factor(session, account)
    end_sessions(account)
    record(session, "second_factor_reset", target_type="users", target_id=account.id,
           division=account.division_code or account.former_division_code)


def _require_current_password(session: Session, user: User, password: str, *,
                              ip: str | None, throttle: Throttle) -> None:
    """The signed-in holder's password, checked like a sign-in: wrong ones count towards
    the throttle and are audited."""
    if not throttle.allows(user.username, ip):
        raise ValidationFailed(_THROTTLED)
    if not check_password_hash(user.password_hash, password):
        note = _failure_note("wrong current password", throttle.count_failure(user.username, ip))
        record(session, "password_check_failed", target_type="users", target_id=user.id,
               note=note)
        raise ValidationFailed(_WRONG_CURRENT, {"current": [_WRONG_CURRENT]})


def change_password(session: Session, user: User, current: str, new: str,
                    policy: AccountPolicy, *, ip: str | None, throttle: Throttle) -> None:
    """The holder's own change. Every other session of the account ends; the caller moves
    its own session to the new generation."""
    _require_current_password(session, user, current, ip=ip, throttle=throttle)
    if current == new:
        raise ValidationFailed(_l("新密码不能与当前密码相同"))
    check_new_password(new, user.username)
    user.password_hash = hash_password(new, policy)
    user.must_change_password = False
    end_sessions(user)


def create_account(session: Session, *, actor: User, username: str, display_name: str,
                   role: Role, division_code: str, password: str, policy: AccountPolicy,
                   phone: str | None = None) -> User:
    """A new account at a position and division the administrator ``actor`` may grant."""
    if not actor.can_assign(role, division_code):
        raise NotAllowed(_l("无权在该区划设置此岗位"))
    _require_division(session, division_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(_l("用户名已存在"), {"username": [_l("用户名已存在")]})
    check_new_password(password, username)
    user = User(username=username, display_name=display_name, phone=phone, role=role,
                division_code=division_code, state=AccountState.ACTIVE,
                password_hash=hash_password(password, policy), must_change_password=True,
                last_activity_at=clock.now())
    session.add(user)
    session.flush()
    return user


def _require_division(session: Session, code: str) -> None:
    if session.get(Division, code) is None:
        raise ValidationFailed(_l("区划代码不存在"), {"division_code": [_l("区划代码不存在")]})


def change_assignment(session: Session, account: User, *, actor: User, role: Role,
                      division_code: str) -> None:
    """Move an account to another position or division; gives a deactivated one a new post."""
    if not actor.can_manage(account) or not actor.can_assign(role, division_code):
        raise NotAllowed(_l("无权在该区划设置此岗位"))
    _require_division(session, division_code)
    if account.state == AccountState.DEACTIVATED:
        _transition(account, AccountEvent.REACTIVATE)
        account.last_activity_at = clock.now()
        account.former_division_code = None
    elif account.state not in (AccountState.ACTIVE, AccountState.LOCKED):
        raise InvalidTransition(_l("已注销的账号不能再分配岗位"))
    account.role = role
    account.division_code = division_code


def deactivate(account: User, *, actor: User, reason: str) -> None:
    """调动或离职: remove the role and jurisdiction and stop sign-in, in one step."""
    if reason not in ("transfer", "resignation"):
        raise ValidationFailed(_l("请选择调动或离职"))
    if not actor.can_manage(account):
        raise NotAllowed(_l("无权管理该账号"))
    _transition(account, AccountEvent.DEACTIVATE, {"transfer": "调动", "resignation": "离职"}[reason])
    account.former_division_code = account.division_code
    account.role = None
    account.division_code = None


def reset_password(account: User, *, actor: User, password: str, policy: AccountPolicy) -> None:
    if not actor.can_manage(account):
        raise NotAllowed(_l("无权管理该账号"))
    check_new_password(password, account.username)
    account.password_hash = hash_password(password, policy)
    account.must_change_password = True
    end_sessions(account)


def file_restore_request(session: Session, *, username: str, password: str, reason: str,
                         ip: str | None, policy: AccountPolicy,
                         throttle: Throttle) -> RestoreRequest:
    """恢复权限申请 from the login page: only the holder (who knows the password) of a
    locked account may file one, and only one at a time. Wrong passwords count towards the
    sign-in throttle, and an account past the cancellation age is cancelled, not restored."""
    if not reason.strip():
        raise ValidationFailed(_l("请填写申请理由"))
    try:
        user = _check_credentials(session, username, password, ip=ip, policy=policy,
                                  throttle=throttle, failure="restore_request_refused")
    except SignInRefused as refused:
        raise ValidationFailed(refused.message) from None
    if user.state != AccountState.LOCKED:
        session.flush()
        raise InvalidTransition(_l("只有被锁定的账号可以申请恢复权限"))
    pending = session.scalar(select(RestoreRequest.id).where(
        RestoreRequest.user_id == user.id, RestoreRequest.state == RestoreState.PENDING))
    if pending is not None:
        raise InvalidTransition(_l("已有待处理的恢复权限申请"))
    request = RestoreRequest(user_id=user.id, reason=reason.strip(), filed_at=clock.now())
    session.add(request)
    session.flush()
    return request


def decide_restore(request: RestoreRequest, *, actor: User, approve: bool,
                   note: str | None = None) -> None:
    if not actor.can_manage(request.user):
        raise NotAllowed(_l("无权处理该申请"))
    if request.state != RestoreState.PENDING:
        raise InvalidTransition(_l("该申请已处理"))
    now = clock.now()
    if approve:  # first: an account that cannot be restored leaves the request undecided
        _transition(request.user, AccountEvent.RESTORE, "恢复权限申请已批准")
        request.user.last_activity_at = now
    request.state = RestoreState.APPROVED if approve else RestoreState.REFUSED
    request.decided_at = now
    request.decided_by_id = actor.id
    request.decision_note = note


def sweep(session: Session, policy: AccountPolicy) -> dict[str, int]:
    """The daily timer: lock and cancel idle accounts. Returns how many of each."""
    now = clock.now()
    candidates = session.scalars(select(User).where(
        User.state.in_([AccountState.ACTIVE, AccountState.LOCKED]),
        User.last_activity_at <= now - policy.lock_after,
    )).all()
    counts = {"locked": 0, "cancelled": 0}
    for user in candidates:
        before = user.state
        apply_inactivity(user, policy, now)
        if user.state != before:
            counts["locked" if user.state == AccountState.LOCKED else "cancelled"] += 1
    session.flush()
    return counts
