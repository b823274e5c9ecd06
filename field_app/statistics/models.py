"""The period each account last chose on the statistics pages (统计期), remembered per
account so that the home page opens on it from any phone or computer."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
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
