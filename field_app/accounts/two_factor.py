"""The second factor's mechanics, without the database: TOTP secrets and codes (RFC 6238,
30-second steps, six digits, as every authenticator app shows them), the enrolment QR code
and the one-time recovery codes."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

import pyotp
import segno

ISSUER = "兴安就业采集"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the codes are copied by hand from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_GROUPS = 3  # "xxxx-xxxx-xxxx": about 59 bits
_DIGITS = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI: the page's CSP admits ``data:`` images and nothing
    from elsewhere."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def step_at(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, moment: dt.datetime, *,
                  after: int | None = None) -> int | None:
    """The step whose code ``code`` is (this one or its neighbours, for clock drift), or None.

    Steps up to ``after`` are refused, so that an accepted code is never accepted again.
    """
    code = re.sub(r"\s", "", code or "")
    if not _DIGITS.match(code):
        return None
    totp = pyotp.TOTP(secret)
    now = step_at(moment)
    for step in (now, now - 1, now + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    return ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4))
                     for _ in range(_RECOVERY_GROUPS)) for _ in range(RECOVERY_CODE_COUNT)]


def recovery_hash(code: str) -> str:
    """What is stored for a recovery code; spaces, hyphens and case do not matter."""
    plain = re.sub(r"[\s-]", "", (code or "").lower())
    return hashlib.sha256(plain.encode()).hexdigest()
