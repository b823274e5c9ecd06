"""The period each account last chose on the statistics pages (统计期), remembered per
account so that the home page opens on it from any phone or computer."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.clock import clock
from field_app.core.db import Base


def _now() -> dt.datetime:
    return clock.now()


class PeriodChoice(Base):
    """One row per account: its last period, as ``statistics.periods`` writes it
    (``ytd``, ``2026``, ``2026Q3``, ``2026-03`` or ``2026-01..2026-06``)."""

    __tablename__ = "period_choices"
    __audited__ = False  # a reading preference: it changes no figure and no record

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    period: Mapped[str] = mapped_column(String(32))
    chosen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False), default=_now,
                                                   onupdate=_now)


class FigureCache(Base):
    """The figures of a division page (``kind`` ``page``) or a division's own twelve
    (``own``), kept until a write below the division makes them stale
    (``statistics.figures``). ``low_code``..``high_code`` is the division's subtree; an
    entry is served only while no ``FigureWrite`` in that range is newer than the entry:
    on SQLite ``since_id`` is the newest write's id when the figures were computed, on
    PostgreSQL ``snapshot`` is the ``pg_current_snapshot()`` they were computed under."""

    __tablename__ = "figure_cache"
    __audited__ = False  # derived from audited records; it changes no figure, only its speed
    __table_args__ = (UniqueConstraint("division_code", "period_start", "period_end", "policy",
                                       "kind", name="uq_figure_cache_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    low_code: Mapped[str] = mapped_column(String(12))
    high_code: Mapped[str] = mapped_column(String(12))
    since_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    snapshot: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False), default=_now)
    # When a page request last computed the entry (the warmer keeps it): the warmer
    # recomputes stale entries asked for recently (statistics.figures.warm).
    requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False),
                                                              nullable=True)


class FigureWrite(Base):
    """A write to a table the indicators read, by the division code it touched (``''``:
    any division). Database triggers (migration ``0020_speed``) write these rows, so every
    write is seen, from a form, the phone, an import or plain SQL. On SQLite one row per
    code (``xid`` 0), replaced with the next ``id`` by each write; on PostgreSQL one row
    per code and writing transaction (``xid``), pruned below ``FigureHorizon``."""

    __tablename__ = "figure_writes"
    __audited__ = False
    __table_args__ = (UniqueConstraint("code", "xid", name="uq_figure_writes_code"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    xid: Mapped[int] = mapped_column(BigInteger)


class FigureHorizon(Base):
    """PostgreSQL only, one row: the transaction id below which ``figure_writes`` were
    pruned. Figures computed under a snapshot older than it are not stored."""

    __tablename__ = "figure_horizon"
    __audited__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    horizon: Mapped[int] = mapped_column(BigInteger)
