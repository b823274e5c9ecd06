"""Quality findings (质量问题) and the scans that found them.

A finding is one rule's complaint about one subject (a record, a pair of records, an
employer, a division's week) for one report period. ``division_code`` is where its first
record lies (what a division's pre-report check counts); ``scope_code`` is the lowest division
holding all its records: a scan of a subtree settles exactly the findings whose scope lies in
it, since only those it would see again if they still stood.

Findings are derived data, written in bulk by a scan: they are not copied into the audit log
row by row; the scan's event and each explanation's event are.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base
from field_app.core.types import enum_column_type


class Severity(enum.StrEnum):
    ERROR = "error"  # 错误：阻止报送
    WARNING = "warning"  # 警告：须书面说明


class FindingStatus(enum.StrEnum):
    OPEN = "open"  # 待处理
    FIXED = "fixed"  # 已更正（重新检查时不再出现）
    EXPLAINED = "explained"  # 已说明


class ScanTrigger(enum.StrEnum):
    WEB = "web"
    COMMAND = "command"
    PRE_REPORT = "pre_report"  # the scheduled run seven days before a due date
    SUBMISSION = "submission"  # the check a submission (报送) runs first


class QualityScan(Base):
    __tablename__ = "quality_scans"
    __table_args__ = (
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        Index("ix_quality_scans_division", "division_code", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    trigger: Mapped[ScanTrigger] = mapped_column(enum_column_type(ScanTrigger, "scan_trigger"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    seconds: Mapped[float | None] = mapped_column(nullable=True)
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Rule code → findings seen; and how many findings the scan opened, saw again, fixed.
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    fixed: Mapped[int] = mapped_column(Integer, default=0)


class QualityFinding(Base):
    __tablename__ = "quality_findings"
    __audited__ = False  # derived in bulk by a scan; the scan's and explanations' events log it
    __table_args__ = (
        UniqueConstraint("rule", "period_start", "period_end", "subject"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint("(status = 'explained') = (explanation IS NOT NULL)",
                        name="explanation_iff_explained"),
        CheckConstraint("(explained_at IS NULL) = (explanation IS NULL)",
                        name="explained_at_with_explanation"),
        Index("ix_quality_findings_scope", "period_start", "period_end", "scope_code"),
        Index("ix_quality_findings_division", "division_code", "period_start", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[Severity] = mapped_column(enum_column_type(Severity, "finding_severity"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # What the finding is about within its rule and period (a record's id, a pair, a code).
    subject: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    scope_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    # The first record: its interchange file stem, natural key and id.
    record_file: Mapped[str] = mapped_column(String(40))
    record_key: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[int] = mapped_column(Integer)
    # Every record involved: [{"file", "key", "id", "division"}].
    records: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The figures the message names (days, metres, counts).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[FindingStatus] = mapped_column(
        enum_column_type(FindingStatus, "finding_status"))
    found_at: Mapped[dt.datetime] = mapped_column(DateTime)
    found_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    last_scan_id: Mapped[int] = mapped_column(ForeignKey("quality_scans.id"))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    explained_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    explained_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    fixed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    fixed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
