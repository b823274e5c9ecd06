"""The period lock table. A lock is active while ``released_at`` is empty; it is never
deleted, so the history of locks and releases stays readable."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base


class PeriodLock(Base):
    """Data of ``division_code``'s subtree dated on or before ``period_end`` may not change
    while the lock is active. Made by a submission (``submission_id``) or by an operator
    (``flask --app wsgi period lock``)."""

    __tablename__ = "period_locks"
    __table_args__ = (
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint("(released_at IS NULL) = (release_reason IS NULL)",
                        name="released_with_reason"),
        Index("ix_period_locks_active", "released_at", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)

    @property
    def active(self) -> bool:
        return self.released_at is None
