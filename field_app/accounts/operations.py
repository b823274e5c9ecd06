"""Account writes: sign-in, the lifecycle of the notice (section 一(五)), administration.

Operations enforce the rules, mutate, flush and leave an audit trail (row changes are logged
by the session hooks of ``audit.operations``; sign-ins explicitly). They never commit: the
view or command commits once, also when a sign-in is refused, so failure counts and the
audit entry of a refused sign-in are kept.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from field_app.accounts.models import RestoreRequest, User
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
from field_app.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from field_app.divisions.models import Division


class SignInRefused(Exception):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


_BAD_CREDENTIALS = _l("用户名或密码错误")
# A hash to compare against when the username is unknown, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt:16384:8:1")


def hash_password(password: str, policy: AccountPolicy) -> str:
    return generate_password_hash(password, method=policy.password_hash_method)


def check_new_password(password: str, username: str) -> None:
    problems = password_problems(password, username=username)
    if problems:
        raise ValidationFailed("；".join(str(p) for p in problems), {"password": problems})


def _transition(user: User, event: AccountEvent, reason: str | None = None) -> None:
    target = next_state(user.state, event)
    if target is None:
        raise InvalidTransition(_l("账号当前状态不允许此操作"))
    user.state = target
    user.state_reason = reason


def apply_inactivity(user: User, policy: AccountPolicy, now: dt.datetime) -> None:
    """Lock after ``lock_after`` idle, cancel after ``cancel_after`` unused."""
    idle = now - user.last_activity_at
    if user.state in (AccountState.ACTIVE, AccountState.LOCKED) and idle >= policy.cancel_after:
        _transition(user, AccountEvent.CANCEL, f"{policy.cancel_after.days}天未使用，自动注销")
    elif user.state == AccountState.ACTIVE and idle >= policy.lock_after:
        _transition(user, AccountEvent.INACTIVITY_LOCK,
                    f"{policy.lock_after.days}天未登录，自动锁定")


def _check_credentials(session: Session, username: str, password: str, *, ip: str | None,
                       policy: AccountPolicy, failure: str) -> User:
    """The account whose password this is, honouring and counting failed attempts.

    Shared by sign-in and the restore-request page, so neither can be used to guess
    passwords past the lock. Failures are logged as ``failure``; on success the session's
    actor becomes the account holder, so what follows is attributed to them.
    """
    now = clock.now()
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        record(session, failure, actor=Actor(None, username[:60], ip), note="unknown username")
        raise SignInRefused(_BAD_CREDENTIALS)
    claimed = Actor(None, user.username, ip, user.division_code or user.former_division_code)
    set_actor(session, claimed)
    if user.login_locked_until and now < user.login_locked_until:
        record(session, failure, actor=claimed, target_type="users", target_id=user.id,
               note="locked after failed attempts")
        raise SignInRefused(_l("连续输错密码次数过多，请%(minutes)d分钟后再试",
                               minutes=policy.failed_login_lock.seconds // 60))
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        note = "wrong password"
        if user.failed_logins >= policy.max_failed_logins:
            user.login_locked_until = now + policy.failed_login_lock
            user.failed_logins = 0
            note = "wrong password; sign-in locked"
        session.flush()
        record(session, failure, actor=claimed, target_type="users", target_id=user.id,
               note=note)
        raise SignInRefused(_BAD_CREDENTIALS)
    set_actor(session, actor_for(user, ip) if user.division_code else claimed)
    apply_inactivity(user, policy, now)
    return user


def authenticate(session: Session, username: str, password: str, *, ip: str | None,
                 policy: AccountPolicy) -> User:
    """The account for these credentials, or ``SignInRefused`` with the reason to show.

    The account's state is revealed only to someone who knows its password.
    """
    user = _check_credentials(session, username, password, ip=ip, policy=policy,
                              failure="sign_in_failed")
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
    now = clock.now()
    user.failed_logins = 0
    user.login_locked_until = None
    user.last_login_at = now
    user.last_activity_at = now
    session.flush()
    record(session, "sign_in", actor=actor, target_type="users", target_id=user.id)
    return user


def change_password(user: User, current: str, new: str, policy: AccountPolicy) -> None:
    if not check_password_hash(user.password_hash, current):
        raise ValidationFailed(_l("当前密码不正确"), {"current": [_l("当前密码不正确")]})
    if current == new:
        raise ValidationFailed(_l("新密码不能与当前密码相同"))
    check_new_password(new, user.username)
    user.password_hash = hash_password(new, policy)
    user.must_change_password = False


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
    account.failed_logins = 0
    account.login_locked_until = None


def file_restore_request(session: Session, *, username: str, password: str, reason: str,
                         ip: str | None, policy: AccountPolicy) -> RestoreRequest:
    """恢复权限申请 from the login page: only the holder (who knows the password) of a
    locked account may file one, and only one at a time. Wrong passwords count towards the
    sign-in lock, and an account past the cancellation age is cancelled, not restored."""
    if not reason.strip():
        raise ValidationFailed(_l("请填写申请理由"))
    try:
        user = _check_credentials(session, username, password, ip=ip, policy=policy,
                                  failure="restore_request_refused")
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
