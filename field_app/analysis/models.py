"""The quarterly analysis (季分析): one row per division (county, league, region) and quarter.

The statistician writes three sections (形势分析, 存在问题, 下步措施) on the web; the figures,
breakdowns, trends, chart and map are generated. Submitting freezes the whole document as a
numbered report (``reports``) and sends it to the level above, which approves it or returns
it with a reason; a returned analysis is edited and submitted again. Every change of the row
is audited by the session hooks, and each step also logs an event of its own.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type


class AnalysisStatus(enum.StrEnum):
    DRAFT = "draft"  # 草稿：本级编写中
    SUBMITTED = "submitted"  # 已报，待上级审核
    APPROVED = "approved"  # 已审核
    RETURNED = "returned"  # 退回：本级修改后重新报送


S = AnalysisStatus
# The steps: (from, step) → to. Editing is allowed in the states that can be submitted.
TRANSITIONS: dict[tuple[AnalysisStatus, str], AnalysisStatus] = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.RETURNED, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "approve"): S.APPROVED,
    (S.SUBMITTED, "return"): S.RETURNED,
}
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
SECTIONS = ("situation", "problems", "measures")  # 形势分析, 存在问题, 下步措施


def next_status(status: AnalysisStatus, step: str) -> AnalysisStatus | None:
    """The state ``step`` leads to from ``status``; ``None`` when it is not allowed."""
    return TRANSITIONS.get((status, step))


class QuarterlyAnalysis(TrackedMixin, Base):
    __tablename__ = "quarterly_analyses"
    __table_args__ = (
        UniqueConstraint("division_code", "period_start", "period_end"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        # Submitted once means a submission time and a numbered document, from then on.
        CheckConstraint("(status = 'draft') = (submitted_at IS NULL)", name="submitted_at"),
        CheckConstraint("(status = 'draft') = (report_id IS NULL)", name="report"),
        CheckConstraint("(first_submitted_at IS NULL) = (submitted_at IS NULL)",
                        name="first_submitted_at"),
        # A reviewer and a time iff the level above has decided; a reason iff returned.
        CheckConstraint("(status IN ('approved', 'returned')) = (reviewed_at IS NOT NULL)",
                        name="reviewed_at"),
        CheckConstraint("(reviewed_at IS NULL) = (reviewed_by_id IS NULL)", name="reviewed_by"),
        CheckConstraint("(status = 'returned') = (return_reason IS NOT NULL)",
                        name="return_reason"),
        Index("ix_quarterly_analyses_period", "period_start", "period_end", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    period_key: Mapped[str] = mapped_column(String(24))  # 2026Q3 (reporting.calendar.Period)
    status: Mapped[AnalysisStatus] = mapped_column(
        enum_column_type(AnalysisStatus, "analysis_status"), default=AnalysisStatus.DRAFT)
    situation: Mapped[str] = mapped_column(Text, default="")  # 形势分析
    problems: Mapped[str] = mapped_column(Text, default="")  # 存在问题
    measures: Mapped[str] = mapped_column(Text, default="")  # 下步措施
    # The latest submission, and the first (whether it came in late never changes).
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    first_submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # as at submission
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The numbered PDF of the latest submission.
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), nullable=True)

    def sections(self) -> dict[str, str]:
        return {name: getattr(self, name) or "" for name in SECTIONS}
