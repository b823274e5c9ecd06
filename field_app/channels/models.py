"""What the partner channels brought in: one batch per accepted upload, the
unemployment-insurance payee lists, and the civil-service hires whose open unemployment
registration the desk is to settle.

A batch exists only for an upload that was imported whole (uploads are all or nothing): the
records it inserted or changed point at it (``channel_batch_id`` on the registrations'
tables), which is their provenance (渠道、批次、上传人、上传时间).
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
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type


class Channel(enum.StrEnum):
    SI_ATTRITION = "si_attrition"  # 社保：退休、死亡（自然减员）
    SI_PAYEES = "si_payees"  # 社保：失业保险金领取人员
    MARKET = "market"  # 工商（市场监管）：个体工商户
    CIVIL_SERVICE = "civil_service"  # 公务员局、编办：新录用公务员和事业单位人员
    STATISTICS = "statistics"  # 统计局：期末从业人员


class ChannelBatch(Base):
    """One upload of a channel file that was imported whole."""

    __tablename__ = "channel_batches"
    __audited__ = False  # the upload is an audit event of its own, the rows are audited one by one
    __table_args__ = (
        CheckConstraint("rows >= 0 AND inserted >= 0 AND updated >= 0 AND unchanged >= 0",
                        name="counts_positive"),
        Index("ix_channel_batches_division_uploaded", "division_code", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column_type(Channel, "channel"))
    # The uploader's jurisdiction: every row of the batch lies inside it.
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    filename: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(4))  # csv | xlsx
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), nullable=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)


class BenefitPayee(TrackedMixin, Base):
    """A person on a social-insurance list of unemployment-insurance payees (失业保险金领取人员)
    for a month. The notice counts every urban-hukou payee as registered unemployed, so the
    desk registers those without an open unemployment registration."""

    __tablename__ = "benefit_payees"
    __table_args__ = (
        UniqueConstraint("person_id", "month"),
        Index("ix_benefit_payees_division_month", "division_code", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    month: Mapped[dt.date] = mapped_column(Date)  # the first day of the month paid
    channel_batch_id: Mapped[int] = mapped_column(ForeignKey("channel_batches.id"), index=True)


class HireReviewState(enum.StrEnum):
    ENDED = "ended"  # the import ended the unemployment registration itself (in its scope)
    OPEN = "open"  # for the desk of the registration's division to settle
    CONFIRMED = "confirmed"  # the desk ended it
    DISMISSED = "dismissed"  # the desk kept it, with a reason


class HireReview(TrackedMixin, Base):
    """A civil-service or public-institution hire (公务员局/编办) whose person had an open
    unemployment registration on the day of hire (核实其原就业状态)."""

    __tablename__ = "hire_reviews"
    __table_args__ = (
        UniqueConstraint("employment_registration_id", "unemployment_registration_id"),
        CheckConstraint("state IN ('ended', 'open') OR decided_at IS NOT NULL",
                        name="decided_when_settled"),
        Index("ix_hire_reviews_division_state", "division_code", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employment_registration_id: Mapped[int] = mapped_column(
        ForeignKey("employment_registrations.id"))
    unemployment_registration_id: Mapped[int] = mapped_column(
        ForeignKey("unemployment_registrations.id"))
    # The unemployment registration's division: whose desk settles it.
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    state: Mapped[HireReviewState] = mapped_column(
        enum_column_type(HireReviewState, "hire_review_state"))
    channel_batch_id: Mapped[int] = mapped_column(ForeignKey("channel_batches.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
