"""Rectification notices (限期改正通知): an office tells a division directly below it what
to correct and by when; the division answers; the office closes the notice or reopens it.

The constraints hold the state's invariants: an answer exactly when answered or closed, a
closing exactly when closed. Ordinary ORM rows, so every step is in the audit log. The
states and their transition table import nothing from the application.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from field_app.accounts.capabilities import Capability
from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type


class NoticeState(enum.StrEnum):
    OPEN = "open"  # 待整改：下发或退回重改，等下级答复
    ANSWERED = "answered"  # 已答复：下级已写明整改情况，等上级审查
    CLOSED = "closed"  # 已销号：上级认可整改


class NoticeEvent(enum.StrEnum):
    ANSWER = "answer"  # the lower division reports what it corrected
    CLOSE = "close"  # the issuing office accepts the answer
    REOPEN = "reopen"  # the issuing office finds the answer insufficient


TRANSITIONS: dict[tuple[NoticeState, NoticeEvent], NoticeState] = {
    (NoticeState.OPEN, NoticeEvent.ANSWER): NoticeState.ANSWERED,
    (NoticeState.ANSWERED, NoticeEvent.CLOSE): NoticeState.CLOSED,
    (NoticeState.ANSWERED, NoticeEvent.REOPEN): NoticeState.OPEN,
}


def next_state(state: NoticeState, event: NoticeEvent) -> NoticeState | None:
    return TRANSITIONS.get((state, event))


class RectificationNotice(TrackedMixin, Base):
    __tablename__ = "rectification_notices"
    __table_args__ = (
        CheckConstraint("(period_start IS NULL) = (period_end IS NULL)", name="period_whole"),
        CheckConstraint("period_start IS NULL OR period_start <= period_end",
                        name="period_ordered"),
        CheckConstraint("deadline >= issued_on", name="deadline_after_issue"),
        CheckConstraint("(state = 'open') = (answer IS NULL)", name="answer_iff_answered"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)",
                        name="answered_at_with_answer"),
        CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)",
                        name="closed_at_iff_closed"),
        CheckConstraint("reopen_count >= 0", name="reopen_count_non_negative"),
        Index("ix_rectification_notices_division_state", "division_code", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The division told to correct, and the office that told it (its parent).
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    issuer_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    period_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    issue: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    state: Mapped[NoticeState] = mapped_column(enum_column_type(NoticeState, "notice_state"),
                                               default=NoticeState.OPEN)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # The office's reason for the last reopening (the earlier ones are in the audit log).
    reopen_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    def is_overdue(self, today: dt.date) -> bool:
        """Still waiting for the division's answer after its deadline."""
        return self.state == NoticeState.OPEN and today > self.deadline

    # --- who may take the next step (the operations check these too) ---
    def can_answer(self, user) -> bool:
        """The division told to correct answers, through a holder of SUBMIT_REPORTS there."""
        return (self.state == NoticeState.OPEN
                and getattr(user, "division_code", None) == self.division_code
                and user.can(Capability.SUBMIT_REPORTS, at=self.division_code))

    def can_decide(self, user) -> bool:
        """The issuing office closes or reopens an answered notice."""
        return (self.state == NoticeState.ANSWERED
                and getattr(user, "division_code", None) == self.issuer_code
                and user.can(Capability.ISSUE_RECTIFICATION, at=self.division_code))


def can_issue(user, division_code: str, parent_code: str | None) -> bool:
    """An office issues notices to the divisions directly below it."""
    return (parent_code is not None and getattr(user, "division_code", None) == parent_code
            and user.can(Capability.ISSUE_RECTIFICATION, at=division_code))
