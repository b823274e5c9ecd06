"""A background job (后台任务): what was asked, where, by whom, how far it got and what came of it.

The row is the job's public face; the queue (``jobs.queue``) only carries its id. States go
queued → running → succeeded | failed and never back; the CHECKs hold the times to them.
Job rows are transport records: not copied into the audit log row by row, the enqueueing and
the outcome are logged as events of their own (``jobs.operations``).
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base
from field_app.core.types import enum_column_type


class JobState(enum.StrEnum):
    QUEUED = "queued"  # 排队中
    RUNNING = "running"  # 进行中
    SUCCEEDED = "succeeded"  # 已完成
    FAILED = "failed"  # 失败

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED)


# The only moves a job makes.
TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.FAILED}),
    JobState.RUNNING: frozenset({JobState.SUCCEEDED, JobState.FAILED}),
    JobState.SUCCEEDED: frozenset(),
    JobState.FAILED: frozenset(),
}


class Job(Base):
    __tablename__ = "jobs"
    __audited__ = False  # the enqueueing and the outcome are audit events of their own
    __table_args__ = (
        CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="progress_positive"),
        CheckConstraint("state IN ('queued', 'failed') OR started_at IS NOT NULL",
                        name="started_when_run"),
        CheckConstraint("(state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)",
                        name="finished_iff_done"),
        Index("ix_jobs_division_created", "division_code", "created_at"),
        Index("ix_jobs_upload_sha256", "upload_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[JobState] = mapped_column(enum_column_type(JobState, "job_state"),
                                            default=JobState.QUEUED)
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # What the job is to do (a division, a period); never personal data.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A short outcome in Chinese and English (core.i18n.both): the reason a job failed.
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # What came of it: counts, the id of what it made, the (masked) error report.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # An uploaded file the job reads (a data set's ZIP), kept in the database so that a
    # consumer on another machine reads it too, and dropped when the job ends: it holds
    # personal data the job no longer needs.
    upload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    upload_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

