"""Setting and releasing period locks. Flushes, never commits; every change is audited by
the session hooks (the lock rows are ordinary audited records)."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.core.clock import clock
from field_app.core.errors import ValidationFailed
from field_app.locks.models import PeriodLock


def lock_period(session: Session, *, division_code: str, start: dt.date, end: dt.date,
                reason: str, actor_id: int | None, submission_id: int | None = None) -> PeriodLock:
    """Lock ``division_code``'s data up to ``end``. An identical active lock (same division,
    period and submission) is returned instead of a second one."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("锁定需要说明理由"))
    existing = session.scalar(select(PeriodLock).where(
        PeriodLock.division_code == division_code, PeriodLock.period_start == start,
        PeriodLock.period_end == end, PeriodLock.released_at.is_(None),
        PeriodLock.submission_id.is_(None) if submission_id is None
        else PeriodLock.submission_id == submission_id))
    if existing is not None:
        return existing
    lock = PeriodLock(division_code=division_code, period_start=start, period_end=end,
                      reason=reason[:200], submission_id=submission_id,
                      created_by_id=actor_id)
    session.add(lock)
    session.flush()
    return lock


def release_lock(session: Session, lock: PeriodLock, *, reason: str,
                 actor_id: int | None) -> None:
    """End ``lock`` (kept, with who released it, when and why)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("解除锁定需要说明理由"))
    if lock.released_at is not None:
        return
    lock.released_at = clock.now()
    lock.released_by_id = actor_id
    lock.release_reason = reason[:200]
    session.flush()


def release_submission_locks(session: Session, submission_id: int, *, reason: str,
                             actor_id: int | None) -> None:
    """End every active lock a submission set."""
    for lock in session.scalars(select(PeriodLock).where(
            PeriodLock.submission_id == submission_id, PeriodLock.released_at.is_(None))):
        release_lock(session, lock, reason=reason, actor_id=actor_id)


def active_division_locks(session: Session, division_code: str, start: dt.date,
                          end: dt.date) -> list[PeriodLock]:
    """The active locks set on exactly this division and period."""
    return list(session.scalars(select(PeriodLock).where(
        PeriodLock.division_code == division_code, PeriodLock.period_start == start,
        PeriodLock.period_end == end, PeriodLock.released_at.is_(None))))
