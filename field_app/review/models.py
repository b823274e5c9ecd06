"""A household's status in a survey round (its transitions are ``review.states``) and the
reasons a township reviewer gives when returning it (退回原因)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type
from field_app.households.models import Household
from field_app.review.states import EDITABLE, REVIEWED, SUBMITTED_ONCE, SurveyStatus
from field_app.surveys.models import SurveyRound


def _status_in(statuses) -> str:
    return "status IN (%s)" % ", ".join(f"'{s.value}'" for s in sorted(statuses))


class HouseholdSurvey(TrackedMixin, Base):
    """A household's status in a round: who submitted it, who reviewed it and when.

    The constraints hold the review invariants: a reviewer is set exactly when the status is
    a reviewer's decision, a submitter whenever the household has been submitted."""

    __tablename__ = "household_surveys"
    __table_args__ = (
        UniqueConstraint("round_id", "household_id"),
        Index("ix_household_surveys_village_status", "village_code", "status"),
        CheckConstraint(
            f"({_status_in(REVIEWED)}) = (reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL)",
            name="reviewer_iff_reviewed"),
        CheckConstraint(
            f"NOT ({_status_in(SUBMITTED_ONCE)}) OR "
            "(submitted_by_id IS NOT NULL AND submitted_at IS NOT NULL)",
            name="submitter_if_submitted"),
        CheckConstraint("return_count >= 0", name="return_count_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    # Copied from the household so the review lists filter by village without a join.
    village_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    status: Mapped[SurveyStatus] = mapped_column(enum_column_type(SurveyStatus, "survey_status"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False),
                                                             nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False),
                                                            nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    return_count: Mapped[int] = mapped_column(Integer, default=0)

    round: Mapped[SurveyRound] = relationship()
    household: Mapped[Household] = relationship()

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE



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
