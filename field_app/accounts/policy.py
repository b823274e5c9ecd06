"""Thresholds of the account lifecycle and sign-in security, from configuration."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from flask_babel import lazy_gettext as _l


@dataclasses.dataclass(frozen=True)
class AccountPolicy:
    lock_after: dt.timedelta = dt.timedelta(days=30)  # 30天未登录锁定
    cancel_after: dt.timedelta = dt.timedelta(days=730)  # 两年未使用注销
    max_failed_logins: int = 5
    failed_login_lock: dt.timedelta = dt.timedelta(minutes=15)
    session_idle: dt.timedelta = dt.timedelta(minutes=30)
    password_hash_method: str = "scrypt:32768:8:1"  # memory-hard (32 MiB per hash)

    @classmethod
    def from_config(cls, config) -> AccountPolicy:
        return cls(
            lock_after=dt.timedelta(days=int(config["ACCOUNT_LOCK_AFTER_DAYS"])),
            cancel_after=dt.timedelta(days=int(config["ACCOUNT_CANCEL_AFTER_DAYS"])),
            max_failed_logins=int(config["LOGIN_MAX_FAILURES"]),
            failed_login_lock=dt.timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"])),
            session_idle=dt.timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])),
            password_hash_method=config["PASSWORD_HASH_METHOD"],
        )


_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^a-zA-Z\d]"))


def password_problems(password: str, *, username: str = "") -> list[str]:
    """Reasons (in Chinese) the password breaks the policy; empty when it is acceptable."""
    problems = []
    if len(password) < 8:
        problems.append(_l("密码至少8位"))
    if sum(1 for pattern in _CLASSES if pattern.search(password)) < 3:
        problems.append(_l("密码须包含大写字母、小写字母、数字、符号中的至少三类"))
    if username and username.lower() in password.lower():
        problems.append(_l("密码不能包含用户名"))
    return problems
