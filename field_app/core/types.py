"""Column helpers shared by the feature models."""
from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column_type(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A VARCHAR holding the enum's value with a CHECK constraint on both databases.

    Native PostgreSQL enums are avoided: adding a value needs a migration that cannot run
    inside a transaction, and SQLite has none.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )
