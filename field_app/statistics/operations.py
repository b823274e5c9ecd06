"""Remembering the period an account chose on the statistics pages. Flushes, never commits."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from field_app.statistics.models import PeriodChoice
from field_app.statistics.periods import normalise


def remembered_period(session: Session, user_id: int) -> str | None:
    """The account's last period, normalised; None if it has none (or it no longer reads)."""
    stored = session.scalar(select(PeriodChoice.period).where(PeriodChoice.user_id == user_id))
    try:
        return normalise(stored) if stored else None
    except ValueError:
        return None


def remember_period(session: Session, user_id: int, key: str) -> None:
    """Keep ``key`` (normalised) as the account's period; nothing is written when it is
    the period already kept."""
    row = session.get(PeriodChoice, user_id)
    if row is not None:
        if row.period != key:
            row.period = key
            session.flush()
        return
    try:
        # Two first choices of one account at once: the second finds the first's row.
        with session.begin_nested():
            session.add(PeriodChoice(user_id=user_id, period=key))
    except IntegrityError:
        session.get(PeriodChoice, user_id, populate_existing=True).period = key
        session.flush()
