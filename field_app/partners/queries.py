"""Reads of API clients: an administrator's list, one client, and a token's client."""
from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.core.permissions import get_or_404, in_scope
from field_app.partners.models import TOKEN_MARK, ApiClient, hash_token, token_prefix


def clients_of(session: Session, user) -> list[ApiClient]:
    """The clients registered in the administrator's subtree, newest first."""
    return list(session.scalars(select(ApiClient).where(in_scope(ApiClient.division_code, user))
                                .order_by(ApiClient.created_at.desc(), ApiClient.id.desc())))


def get_client_or_404(session: Session, client_id: int, user) -> ApiClient:
    return get_or_404(session.get(ApiClient, client_id), lambda c: c.can_be_managed_by(user))


def client_for_token(session: Session, token: str) -> ApiClient | None:
    """The usable client holding ``token``; ``None`` for an unknown, expired or revoked one.
    Found by prefix, then compared by hash in constant time."""
    if not token.startswith(TOKEN_MARK) or len(token) > 100:
        return None
    client = session.scalar(select(ApiClient).where(
        ApiClient.token_prefix == token_prefix(token)))
    if client is None or not hmac.compare_digest(client.token_hash, hash_token(token)):
        return None
    return client if client.is_usable() else None
