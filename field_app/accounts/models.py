"""Accounts (用户), bound to one position (role) and one jurisdiction (division)."""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from field_app.accounts.capabilities import CAPABILITY_LEVEL, Capability, role_can
from field_app.accounts.roles import (
    GRANTS,
    ROLE_LEVEL,
    SECOND_FACTOR_ROLES,
    AccountState,
    RestoreState,
    Role,
)
from field_app.core.clock import clock
from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type
from field_app.core.codes import in_subtree, level_of
from field_app.divisions.models import Division


class User(UserMixin, TrackedMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("(role IS NULL) = (division_code IS NULL)", name="role_with_division"),
        CheckConstraint("state <> 'active' OR role IS NOT NULL", name="active_has_role"),
        CheckConstraint("state <> 'deactivated' OR role IS NULL", name="deactivated_has_no_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    role: Mapped[Role | None] = mapped_column(enum_column_type(Role, "role"), nullable=True)
    division_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("divisions.code"), nullable=True, index=True
    )
    state: Mapped[AccountState] = mapped_column(
        enum_column_type(AccountState, "account_state"), default=AccountState.ACTIVE
    )
    state_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Where a deactivated (transferred or resigned) account was bound, so that the
    # administrators of that division still manage and see it.
    former_division_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("divisions.code"), nullable=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # Start of the current idle stretch: creation, last sign-in or restoration.
    last_activity_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)

    division: Mapped[Division | None] = relationship(foreign_keys=[division_code])
    security: Mapped[AccountSecurity | None] = relationship(back_populates="user")

    # --- Flask-Login ---
    @property
    def is_active(self) -> bool:
        return self.state == AccountState.ACTIVE and self.role is not None

    # --- sessions and the second factor ---
    @property
    def session_generation(self) -> int:
        """Sessions carry the generation they were signed in at; a bump ends them all."""
        return self.security.session_generation if self.security else 0

    @property
    def requires_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def has_second_factor(self) -> bool:
        return self.security is not None and self.security.totp_secret is not None

    @property
    def signs_in_with_second_factor(self) -> bool:
        return self.requires_second_factor or self.has_second_factor

    # --- jurisdiction and capabilities ---
    def covers(self, code: str | None) -> bool:
        """The division ``code`` is this account's division or below it."""
        return in_subtree(code, self.division_code)

    def can(self, capability: Capability, at: str | None = None) -> bool:
        """The role holds ``capability`` (see ``accounts.capabilities``) and, when ``at`` is
        given, that division lies in this account's subtree at the capability's level.
        Without ``at``: whether the account holds it anywhere (menus, route guards)."""
        if not role_can(self.role, capability):
            return False
        if at is None:
            return True
        level = CAPABILITY_LEVEL.get(capability)
        return self.covers(at) and (level is None or level_of(at) == level)

    @property
    def is_admin(self) -> bool:
        return self.can(Capability.MANAGE_ACCOUNTS)

    def can_manage(self, account: User) -> bool:
        """Administrators manage the accounts of the roles they grant (``roles.GRANTS``)
        within their subtree; nobody manages their own account. A deactivated account has
        no role: whoever administers its former division manages it (gives it a new post)."""
        if not self.is_admin or account.id == self.id:
            return False
        if account.role is not None and account.role not in GRANTS.get(self.role, ()):
            return False
        return self.can(Capability.MANAGE_ACCOUNTS,
                        at=account.division_code or account.former_division_code)

    def can_assign(self, role: Role, division_code: str) -> bool:
        """Whether this administrator may give ``role`` at ``division_code``: a role it
        grants, at a division of its subtree on the role's level."""
        if role not in GRANTS.get(self.role, ()):
            return False
        if not self.can(Capability.MANAGE_ACCOUNTS, at=division_code):
            return False
        required = ROLE_LEVEL[role]
        return required is None or level_of(division_code) == required

    def grantable_roles(self) -> list[Role]:
        """The roles this administrator may give, in the order of ``Role``."""
        granted = GRANTS.get(self.role, frozenset())
        return [role for role in Role if role in granted]


class RestoreRequest(TrackedMixin, Base):
    """恢复权限申请: filed by a locked account's holder, decided by an administrator."""

    __tablename__ = "restore_requests"
    __table_args__ = (
        CheckConstraint("(state = 'pending') = (decided_by_id IS NULL)", name="decided_by"),
        CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name="decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[RestoreState] = mapped_column(
        enum_column_type(RestoreState, "restore_state"), default=RestoreState.PENDING
    )
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(String(200), nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class AccountSecurity(Base):
    """What ends an account's sessions and its second factor, one row per account (made on
    first need). Kept apart from ``users`` and out of the automatic audit log: the TOTP
    secret must never be copied into before/after values, and a generation bump is logged
    as the event that caused it (sign-out, password change, deactivation, lock)."""

    __tablename__ = "account_security"
    __audited__ = False
    __table_args__ = (
        CheckConstraint("(totp_secret IS NULL) = (totp_enabled_at IS NULL)",
                        name="totp_enabled_with_secret"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    # RFC 6238 shared secret (base32). Set only once the holder has confirmed a code.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The last 30-second step accepted: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)

    user: Mapped[User] = relationship(back_populates="security")


class RecoveryCode(Base):
    """一次性恢复码: ten per enrolment, shown once, stored as SHA-256 (they are random and
    long, so a slow hash adds nothing), each good for one sign-in."""

    __tablename__ = "recovery_codes"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
