"""Declarative base, naming convention and the mixins every record carries."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from field_app.core.clock import clock

# Stable constraint names so Alembic can drop and alter them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> dt.datetime:
    return clock.now()


class TrackedMixin:
    """Creation/update time and author on every record.

    The author columns are plain integers until the accounts package adds the users table
    and its foreign keys; they stay nullable for bulk imports run from the command line.
    """

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=False), default=_now, onupdate=_now
    )
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PhoneEditable:
    """A record the survey phones edit offline: ``uid`` is the phone's UUID for a record made
    there (empty for one made elsewhere), and ``version`` moves on with every change, so a
    change made on an older version is a conflict. The mapper checks the version on every
    UPDATE and DELETE too, which catches two requests crossing."""

    uid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True, nullable=True)
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}
