"""Reads of the division tree."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.core.permissions import get_or_404
from field_app.core.codes import is_code
from field_app.divisions.models import Division


def get_division(session: Session, code: str) -> Division | None:
    if not is_code(code):
        return None
    return session.get(Division, code)


def get_division_or_404(session: Session, code: str, user) -> Division:
    """The division, if the user may read its statistics; 404 otherwise."""
    return get_or_404(get_division(session, code),
                      lambda d: user.can(Capability.READ_STATISTICS, at=d.code))


def children_of(session: Session, code: str) -> list[Division]:
    return list(session.scalars(select(Division).where(Division.parent_code == code)
                                .order_by(Division.code)))


def ancestors_of(session: Session, division: Division) -> list[Division]:
    """From the root down to the division's parent."""
    chain = []
    current = division.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain[::-1]
