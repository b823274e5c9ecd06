"""Numbers that never collide: registration numbers, report serials, household codes.

Each sequence has one row in ``number_counters``, incremented in the writer's own transaction
with ``UPDATE … SET value = … + 1 … RETURNING value``. The UPDATE takes the row's lock
(PostgreSQL) or the database's write lock (SQLite, whose request transactions begin
IMMEDIATE: ``core.database``), so a second writer of the same sequence waits until the first
commits or rolls back, and then reads its value. We chose the lock over retrying on a unique
violation because a retry would have to replay the whole request (a PDF rendered, a batch of
survey changes applied in savepoints), and because a number whose write is rolled back is
given again: registration numbers and household codes, which are read out at the desk and
the door, keep no gaps. The price is that writers of one sequence take turns until they
commit: one village's new households, one desk's registrations of a day, and all reports.

The counter is never trusted alone: every allocation also asks the records for the highest
number already taken, and goes past it. A new sequence so starts where the existing data ends,
and numbers written without the counter (imports of the interchange format carry their own)
are never given a second time.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import BigInteger, String, case, literal, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from field_app.core.db import Base


class NumberCounter(Base):
    """The last number given in one sequence (``name``, e.g. ``household:152221100201``)."""

    __tablename__ = "number_counters"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


_table = NumberCounter.__table__
# The same spelling on both databases (SQLite ≥ 3.24): a writer that loses the race to create
# the row waits for the winner's commit (PostgreSQL) and then increments the winner's row.
_CREATE = text("INSERT INTO number_counters (name, value) VALUES (:name, :value) "
               "ON CONFLICT (name) DO NOTHING")


def _increment(session: Session, name: str, taken: int, count: int = 1) -> int | None:
    value = _table.c.value
    bumped = case((value < literal(taken, BigInteger), literal(taken, BigInteger)),
                  else_=value) + count
    return session.execute(update(_table).where(_table.c.name == name).values(value=bumped)
                           .returning(value)).scalar()


def next_number(session: Session, name: str, *, taken: Callable[[], int | None],
                count: int = 1) -> int:
    """The next number of sequence ``name``: one past both the counter and ``taken()``, the
    highest number the records already hold (``None`` or 0: none). With ``count``, a block
    of that many numbers is taken at once and the last is returned (a bulk upload numbers
    its new records with one update).

    Runs in the caller's transaction, which holds the sequence until it ends: call it as late
    as the write allows. A rollback gives the number back.
    """
    highest = taken() or 0
    value = _increment(session, name, highest, count)
    if value is None:
        session.execute(_CREATE, {"name": name, "value": highest})
        value = _increment(session, name, highest, count)
    return value
