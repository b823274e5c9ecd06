"""The reasons a township reviewer gives when returning a household (退回原因)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.db import Base, TrackedMixin


class ReturnReason(TrackedMixin, Base):
    """One reason of one return: for the household (no member) or for one of its members.

    Reasons are kept for every return; the cadre is shown those of the latest
    (``return_no`` equal to the survey's ``return_count``)."""

    __tablename__ = "return_reasons"
    __table_args__ = (Index("ix_return_reasons_survey", "survey_id", "return_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("household_surveys.id"))
    return_no: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("household_members.id",
                                                             ondelete="SET NULL"),
                                                  nullable=True)
    reason: Mapped[str] = mapped_column(String(500))
