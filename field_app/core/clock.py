"""The one source of "now" and "today", so tests can move time instead of sleeping."""
from __future__ import annotations

import datetime as dt


class Clock:
    def __init__(self) -> None:
        self._fixed: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self._fixed if self._fixed is not None else dt.datetime.now()

    def today(self) -> dt.date:
        return self.now().date()

    def set(self, moment: dt.datetime | dt.date | None) -> None:
        """Freeze the clock at ``moment`` (a date means its midnight); ``None`` releases it."""
        if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time())
        self._fixed = moment

    def advance(self, delta: dt.timedelta) -> None:
        self._fixed = self.now() + delta


clock = Clock()
