"""API clients (接口客户端) of partner systems, and what their scopes let them do.

A client acts as a principal with the interface the scoped queries and the record
predicates already take from users: ``division_code``, ``covers(code)`` and
``can(capability, at=code)``. Its capabilities are those its scopes map to, never more than
the table of any role would give at its division: so every read and write it makes goes
through the same helpers and the same checks as a clerk's or a statistician's.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from field_app.accounts.capabilities import CAPABILITY_LEVEL, Capability
from field_app.core.clock import clock
from field_app.core.codes import in_subtree, level_of
from field_app.core.db import Base, TrackedMixin

C = Capability
# scope -> the capabilities it grants. A scope is what an administrator ticks; the
# capability is what the views and predicates check.
SCOPES: dict[str, frozenset[Capability]] = {
    "indicators:read": frozenset({C.READ_STATISTICS}),
    "divisions:read": frozenset({C.READ_STATISTICS}),
    "submissions:read": frozenset({C.VIEW_SUBMISSIONS}),
    "quality:read": frozenset({C.RUN_QUALITY_SCAN}),
    "registrations:read": frozenset({C.READ_DESK}),
    "registrations:write": frozenset({C.READ_DESK, C.REGISTER_DESK}),
    "persons:check": frozenset({C.READ_DESK}),
    "exports:read": frozenset(),
    "datasets:write": frozenset({C.IMPORT_DATASETS}),
}
TOKEN_PREFIX_LENGTH = 8  # characters after "fa_" that find the row; the rest is secret
TOKEN_MARK = "fa_"


def hash_token(token: str) -> str:
    """SHA-256 of a token: it is 256 random bits, so a slow hash adds nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    return token[len(TOKEN_MARK):len(TOKEN_MARK) + TOKEN_PREFIX_LENGTH]


class ApiClient(TrackedMixin, Base):
    __tablename__ = "api_clients"
    __table_args__ = (
        CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)",
                        name="revoked_with_author"),
        CheckConstraint("rate_per_minute BETWEEN 1 AND 10000", name="rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"),
                                               index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    # The token is shown once; only its lookup prefix and its SHA-256 are kept.
    token_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=60)

    # --- the principal's interface (see the module docstring) ---
    @property
    def username(self) -> str:
        return f"api:{self.id}"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or ())

    def capabilities(self) -> frozenset[Capability]:
        return frozenset().union(*(SCOPES.get(scope, frozenset()) for scope in self.scopes or ()))

    def covers(self, code: str | None) -> bool:
        return in_subtree(code, self.division_code)

    def can(self, capability: Capability, at: str | None = None) -> bool:
        """As ``User.can``: a scope grants ``capability`` and ``at`` lies in the subtree at
        the capability's level."""
        if not self.is_usable() or capability not in self.capabilities():
            return False
        if at is None:
            return True
        level = CAPABILITY_LEVEL.get(capability)
        return self.covers(at) and (level is None or level_of(at) == level)

    # --- lifecycle ---
    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or clock.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > clock.now() else "expired"

    def can_be_managed_by(self, user) -> bool:
        return user.can(Capability.MANAGE_API_CLIENTS, at=self.division_code)
