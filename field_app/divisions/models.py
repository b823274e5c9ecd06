"""The division tree (行政区划) keyed by 12-digit statistical division codes."""
from __future__ import annotations


from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from field_app.core.db import Base, TrackedMixin
from field_app.core.codes import Level


class Division(TrackedMixin, Base):
    __tablename__ = "divisions"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("length(code) = 12", name="code_length"),
        Index("ix_divisions_parent_code", "parent_code"),
    )

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(SmallInteger)
    parent_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("divisions.code"), nullable=True
    )
    boundary = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=True
    )

    parent: Mapped[Division | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Division]] = relationship(
        back_populates="parent", order_by="Division.code"
    )

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    def __repr__(self) -> str:
        return f"<Division {self.code} {self.name}>"
