"""The append-only audit log (谁录入、谁负责，谁审核、谁负责)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base


class AuditEvent(Base):
    """One sign-in, account change or record write. Rows are never updated or deleted;
    database triggers refuse it (see the migration that creates the table)."""

    __tablename__ = "audit_events"
    # Every read is scoped to a subtree, so (division_code, at) serves the listing and the
    # date filter; the target index serves "this record's history". No more: an import
    # appends an event per row, and each index costs it time.
    __table_args__ = (
        Index("ix_audit_events_division", "division_code", "at"),
        Index("ix_audit_events_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(60))
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    division_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    # none_as_null: an absent side is SQL NULL, not the JSON text 'null'.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AuditEventDivision(Base):
    """A further division an event belongs to, besides its own ``division_code``.

    A change to a shared person record is filed under the writer's division; the person's
    records elsewhere put the event in those divisions' logs too. A record moved from one
    division to another belongs to both. Append-only like the log (triggers in the
    migration): removing a row would hide an event from an auditor.
    """

    __tablename__ = "audit_event_divisions"
    # Readers ask "events touching this subtree": a range on division_code, then the event.
    __table_args__ = (
        Index("ix_audit_event_divisions_division", "division_code", "event_id"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), primary_key=True)

