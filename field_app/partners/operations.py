"""API client writes: register, revoke, rotate. Each checks the administrator's right at the
client's division, flushes, and leaves the audit row to the session hooks (the token's
prefix and hash are never copied into the log: their column names mark them secret).
None commits; none reads ``current_user``."""
from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, OutOfScope, ValidationFailed
from field_app.divisions.models import Division
from field_app.partners.models import (
    SCOPES,
    TOKEN_MARK,
    ApiClient,
    hash_token,
    token_prefix,
)

MAX_DAYS = 730  # a token lives two years at most: a partner's credentials get renewed


def _new_token(session: Session) -> str:
    """A token whose lookup prefix no other client holds."""
    while True:
        token = TOKEN_MARK + secrets.token_urlsafe(32)
        taken = session.scalar(select(ApiClient.id).where(
            ApiClient.token_prefix == token_prefix(token)))
        if taken is None:
            return token


def _check(session: Session, *, actor, name: str, division_code: str, scopes: list[str],
           expires_on: dt.date, rate_per_minute: int) -> None:
    if not actor.can(Capability.MANAGE_API_CLIENTS, at=division_code):
        raise OutOfScope()
    if session.get(Division, division_code) is None:
        raise ValidationFailed(str(_l("区划不存在")), {"division_code": [_l("区划不存在")]})
    errors = {}
    if not name.strip():
        errors["name"] = [_l("必填")]
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if not scopes or unknown:
        errors["scopes"] = [_l("请至少选择一项权限范围")] if not scopes else [
            _l("未知的权限范围：%(scopes)s", scopes=", ".join(unknown))]
    today = clock.today()
    if not today < expires_on <= today + dt.timedelta(days=MAX_DAYS):
        errors["expires_on"] = [_l("有效期须晚于今天，且不超过 %(days)s 天", days=MAX_DAYS)]
    if not 1 <= rate_per_minute <= 10000:
        errors["rate_per_minute"] = [_l("每分钟调用上限须在 1 到 10000 之间")]
    if errors:
        raise ValidationFailed(str(_l("请更正标出的错误")), errors)


def create_client(session: Session, *, actor, name: str, division_code: str,
                  scopes: list[str], expires_on: dt.date,
                  rate_per_minute: int = 60) -> tuple[ApiClient, str]:
    """Register a partner system at ``division_code`` (the actor's subtree) with ``scopes``;
    its token expires at the end of ``expires_on``. Returns the client and the token, which
    exists nowhere else: the caller shows it once."""
    _check(session, actor=actor, name=name, division_code=division_code, scopes=scopes,
           expires_on=expires_on, rate_per_minute=rate_per_minute)
    token = _new_token(session)
    client = ApiClient(name=name.strip(), division_code=division_code,
                       scopes=sorted(set(scopes), key=list(SCOPES).index),
                       token_prefix=token_prefix(token), token_hash=hash_token(token),
                       expires_at=dt.datetime.combine(expires_on + dt.timedelta(days=1),
                                                      dt.time()),
                       rate_per_minute=rate_per_minute)
    session.add(client)
    session.flush()
    return client, token


def revoke_client(client: ApiClient, *, actor) -> None:
    """Revoke: every later call with its token is refused. Kept, never deleted."""
    if not client.can_be_managed_by(actor):
        raise OutOfScope()
    if client.revoked_at is not None:
        raise InvalidTransition(str(_l("该客户端已吊销")))
    client.revoked_at = clock.now()
    client.revoked_by_id = actor.id


def rotate_client(session: Session, client: ApiClient, *, actor) -> str:
    """A new token for an active client; the old one stops working at once."""
    if not client.can_be_managed_by(actor):
        raise OutOfScope()
    if client.revoked_at is not None:
        raise InvalidTransition(str(_l("该客户端已吊销")))
    token = _new_token(session)
    client.token_prefix = token_prefix(token)
    client.token_hash = hash_token(token)
    session.flush()
    return token


def note_use(client: ApiClient) -> None:
    """Stamp the last call, at most once a minute (a busy client would otherwise write an
    update row per call)."""
    now = clock.now()
    if client.last_used_at is None or now - client.last_used_at >= dt.timedelta(minutes=1):
        client.last_used_at = now
