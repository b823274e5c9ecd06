"""Generated reports (统计报表、入户调查花名册): what each numbered copy showed, for checking.

A report row is written once and never changed: it keeps the number printed on the paper,
the SHA-256 of the PDF and the figures the PDF shows, so ``/verify/<number>`` can answer for
a printed copy long after the data below it has moved on. The PDF itself lives in
``report_documents`` (see ``ReportDocument``).
"""
from __future__ import annotations

import datetime as dt
import enum
import hmac
import re
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from field_app.core.clock import clock
from field_app.core.db import Base
from field_app.core.types import enum_column_type


class ReportKind(enum.StrEnum):
    RURAL = "rural"  # 农村牧区劳动力转移就业情况表
    URBAN = "urban"  # 城镇就业和失业情况表
    ROSTER = "roster"  # 入户调查花名册（一个嘎查村）
    ANALYSIS = "analysis"  # 就业形势季度分析（field_app.analysis）


class Report(Base):
    """One numbered report. ``content_sha256`` fingerprints everything the document shows
    (names and answers included), so asking again for unchanged data gives back this
    report rather than a second number for the same paper."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("length(content_sha256) = 64", name="content_sha256_length"),
        Index("ix_reports_content", "kind", "division_code", "period_start", "period_end",
              "content_sha256"),
        Index("ix_reports_division_generated", "division_code", "generated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(48), unique=True)
    serial: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column_type(ReportKind, "report_kind"))
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    # Empty for reports made from the command line by the operator.
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    # What /verify shows: division name, period and the printed figures; never a person.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A report of a submission that a later version (a correction) replaced: when, and by
    # which report; /verify says so.
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"),
                                                         nullable=True)
    superseded_by: Mapped[Report | None] = relationship(remote_side=[id], lazy="select")

    def hash_matches(self, candidate: str | None) -> bool:
        """``candidate`` (hex, any case, spaces around it ignored) is this PDF's SHA-256."""
        text = (candidate or "").strip().lower()
        return bool(_SHA256.fullmatch(text)) and hmac.compare_digest(text, self.sha256)


_SHA256 = re.compile(r"[0-9a-f]{64}")


class ReportDocument(Base):
    """The PDF bytes of a report, kept so that a reprint is the very document that was
    numbered and hashed.

    Written with a Core insert, not through the ORM: the session hooks would copy every
    column of an ORM row into the audit log, and the report row's audit entry already
    names these bytes by their SHA-256.
    """

    __tablename__ = "report_documents"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
