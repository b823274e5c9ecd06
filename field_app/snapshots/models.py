"""The snapshot register: one row per monthly frozen snapshot (固化备份) written or restored.

The files themselves live outside the database (``docs/snapshots.md``); the row keeps what
the next snapshot needs for the chain (the manifest's hash) and what the administrators'
page lists. Rows are never changed after they are written.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base


class Snapshot(Base):
    __tablename__ = "snapshots"
    __table_args__ = (
        CheckConstraint("length(manifest_sha256) = 64", name="manifest_sha256_length"),
        CheckConstraint("previous_manifest_sha256 IS NULL OR length(previous_manifest_sha256) = 64",
                        name="previous_sha256_length"),
        CheckConstraint("file_count >= 0 AND total_bytes >= 0", name="sizes_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # When the snapshot was taken (the manifest's created_at), and by whom (``cli:<user>``).
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(60))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM: the month of its figures
    directory: Mapped[str] = mapped_column(String(500))
    dialect: Mapped[str] = mapped_column(String(20))
    manifest_sha256: Mapped[str] = mapped_column(String(64), index=True)
    previous_manifest_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_count: Mapped[int] = mapped_column(Integer)
    total_bytes: Mapped[int] = mapped_column(BigInteger)
    # Set on the row a restore writes into the restored database, so that the chain goes on
    # from the snapshot it was restored from.
    restored_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
