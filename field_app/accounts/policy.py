"""Thresholds of the account lifecycle and sign-in security, from configuration, and the
password policy."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from pathlib import Path

from flask_babel import lazy_gettext as _l


@dataclasses.dataclass(frozen=True)
class AccountPolicy:
    lock_after: dt.timedelta = dt.timedelta(days=30)  # 30天未登录锁定
    cancel_after: dt.timedelta = dt.timedelta(days=730)  # 两年未使用注销
    session_idle: dt.timedelta = dt.timedelta(minutes=30)
    session_absolute: dt.timedelta = dt.timedelta(hours=12)
    # Between the password and the second factor: long enough to open the authenticator.
    second_step_window: dt.timedelta = dt.timedelta(minutes=5)
    password_hash_method: str = "scrypt:32768:8:1"  # memory-hard (32 MiB per hash)
    # Sign-in throttling, in the ``limits`` syntax (see field_app.accounts.throttle).
    limit_per_address: str = "10 per minute;50 per hour"
    limit_per_username_and_address: str = "5 per 15 minutes"
    limit_per_username: str = "50 per hour"

    @classmethod
    def from_config(cls, config) -> AccountPolicy:
        return cls(
            lock_after=dt.timedelta(days=int(config["ACCOUNT_LOCK_AFTER_DAYS"])),
            cancel_after=dt.timedelta(days=int(config["ACCOUNT_CANCEL_AFTER_DAYS"])),
            session_idle=dt.timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])),
            session_absolute=dt.timedelta(hours=float(config["SESSION_ABSOLUTE_HOURS"])),
            password_hash_method=config["PASSWORD_HASH_METHOD"],
            limit_per_address=config["LOGIN_LIMIT_PER_ADDRESS"],
            limit_per_username_and_address=config["LOGIN_LIMIT_PER_USERNAME_AND_ADDRESS"],
            limit_per_username=config["LOGIN_LIMIT_PER_USERNAME"],
        )


_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^a-zA-Z\d]"))
# Digits and symbols around the word: "Password1!" and "Dragon-2026" are their words.
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_MIN_STEM = 6


def normalised(password: str) -> str:
    """The form passwords are compared in: full-width letters folded (NFKC), case folded."""
    return unicodedata.normalize("NFKC", password).casefold().strip()


@functools.cache
def common_passwords() -> frozenset[str]:
    """The blocklist shipped in ``common_passwords.txt``, normalised."""
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(normalised(line) for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    """The password, or the word it is built on, is on the blocklist."""
    plain = normalised(password)
    stem = _AFFIXES.sub("", plain)
    blocked = common_passwords()
    return plain in blocked or (len(stem) >= _MIN_STEM and stem in blocked)


def password_problems(password: str, *, username: str = "") -> list[str]:
    """Reasons (in Chinese) the password breaks the policy; empty when it is acceptable."""
    problems = []
    if len(password) < 8:
        problems.append(_l("密码至少8位"))
    if sum(1 for pattern in _CLASSES if pattern.search(password)) < 3:
        problems.append(_l("密码须包含大写字母、小写字母、数字、符号中的至少三类"))
    if username and username.lower() in password.lower():
        problems.append(_l("密码不能包含用户名"))
    if is_common(password):
        problems.append(_l("密码过于常见或已公开，请换一个"))
    return problems
