"""Reads of accounts and restore requests, always within the administrator's reach."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from field_app.accounts.models import RestoreRequest, User
from field_app.accounts.roles import RestoreState
from field_app.core.codes import subtree_bounds
from field_app.core.permissions import get_or_404, in_scope


def managed_accounts(session: Session, admin: User, *, text: str | None = None,
                     division: str | None = None) -> list[User]:
    """Accounts this administrator manages (never itself), by username; with ``division``,
    only those bound to its subtree (the appraisal's account-upkeep link)."""
    query = select(User).where(
        or_(in_scope(User.division_code, admin), in_scope(User.former_division_code, admin)),
        User.id != admin.id,
    ).order_by(User.username)
    if division:
        low, high = subtree_bounds(division)
        query = query.where(User.division_code.between(low, high))
    if text:
        like = f"%{text.strip()}%"
        query = query.where(or_(User.username.like(like), User.display_name.like(like)))
    return [user for user in session.scalars(query) if admin.can_manage(user)]


def get_account_or_404(session: Session, account_id: int, admin: User) -> User:
    return get_or_404(session.get(User, account_id), admin.can_manage)


def pending_restore_requests(session: Session, admin: User) -> list[RestoreRequest]:
    query = (select(RestoreRequest).join(RestoreRequest.user)
             .where(RestoreRequest.state == RestoreState.PENDING,
                    in_scope(User.division_code, admin))
             .order_by(RestoreRequest.filed_at))
    return [r for r in session.scalars(query) if admin.can_manage(r.user)]


def get_restore_request_or_404(session: Session, request_id: int, admin: User) -> RestoreRequest:
    return get_or_404(session.get(RestoreRequest, request_id),
                      lambda request: admin.can_manage(request.user))
