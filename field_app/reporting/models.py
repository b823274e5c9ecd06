"""Submissions (报送): one row per version of a division's report for a period.

A submission freezes what the division reported when it was made (``figures``): the
indicators, the table rows by child division, how many records stand behind each figure and
how far the survey figures rest on reviewed households. Printed tables of a submission are
generated from that frozen copy, never from live data. Rows are never deleted; a later
version supersedes an earlier one.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base
from field_app.core.types import enum_column_type


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # 已报，待上级审核
    APPROVED = "approved"  # 已审核
    RETURNED = "returned"  # 退回
    REOPENED = "reopened"  # 更正中：已申请更正，待重新报送


class Submission(Base):
    __tablename__ = "submissions"
    # Every step is logged by the operations as an explicit event naming the version and
    # the step (the frozen figures are not copied into the log).
    __audited__ = False
    __table_args__ = (
        UniqueConstraint("division_code", "period_start", "period_end", "version"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_submissions_period", "period_start", "period_end", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    period_key: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column_type(SubmissionStatus, "submission_status"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # The frozen copy and its fingerprint (see the module docstring).
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(32))
    # The submitter's note; for a submission built from the level below's, the explanation
    # of any difference between their sum and the live figures.
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The county leader's sign-off after signing and sealing the paper.
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # The level above's decision.
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Indicator key → the reason that figure was returned, where the return names figures.
    return_items: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    # A correction (更正) asked for after submission: the version is reopened.
    reopened_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    correction_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"),
                                                         nullable=True)


class SubmissionRoster(Base):
    """A village's household roster as it stood when its township submitted (the frozen
    content of ``reports.roster``), kept apart from ``submissions`` for its size."""

    __tablename__ = "submission_rosters"
    __audited__ = False  # frozen copies of audited data; the submission's event names them

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    village_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"),
                                              primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)


class SubmissionPerson(Base):
    """A person a submitted figure counted (for comparing two versions: who is in one and
    not the other). Written set-based (INSERT … SELECT from the engine's statements) for the
    submissions computed from live data; never changed."""

    __tablename__ = "submission_persons"
    __audited__ = False

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)


class SubmissionReport(Base):
    """A numbered report generated from a submission's frozen copy."""

    __tablename__ = "submission_reports"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)


class SubmissionScan(Base):
    """The scanned signed and sealed paper. Written with a Core insert (the bytes are not
    copied into the audit log; the upload's event names their SHA-256)."""

    __tablename__ = "submission_scans"
    __table_args__ = (CheckConstraint("length(sha256) = 64", name="sha256_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
