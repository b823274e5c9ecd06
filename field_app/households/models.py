"""Persons, households and household members (入户调查的户与成员)."""
from __future__ import annotations

import datetime as dt
import enum

from geoalchemy2 import Geometry
from sqlalchemy import Date, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from field_app.core.db import Base, PhoneEditable, TrackedMixin
from field_app.core.types import enum_column_type


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class Hukou(enum.StrEnum):
    RURAL = "rural"
    URBAN = "urban"


class Relation(enum.StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    OTHER = "other"


class LabourCapacity(enum.StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class LocationSource(enum.StrEnum):
    GPS = "gps"  # the phone's geolocation
    TYPED = "typed"


class Person(TrackedMixin, Base):
    """A resident, identified for life by the ID number; sex and birth date come from it."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_birth_date", "birth_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[Sex] = mapped_column(enum_column_type(Sex, "sex"))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    hukou: Mapped[Hukou | None] = mapped_column(enum_column_type(Hukou, "hukou"), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)

    membership: Mapped[HouseholdMember | None] = relationship(back_populates="person")


class Household(PhoneEditable, TrackedMixin, Base):
    __tablename__ = "households"
    __table_args__ = (Index("ix_households_village_code", "village_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    village_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    location = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=True
    )
    # Metres, as the phone's geolocation reported it; empty for a typed or imported location.
    location_accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    location_source: Mapped[LocationSource | None] = mapped_column(
        enum_column_type(LocationSource, "location_source"), nullable=True
    )

    members: Mapped[list[HouseholdMember]] = relationship(back_populates="household")


class HouseholdMember(PhoneEditable, TrackedMixin, Base):
    """A person's place in a household; a person belongs to at most one household."""

    __tablename__ = "household_members"
    __table_args__ = (Index("ix_household_members_household_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    relation: Mapped[Relation] = mapped_column(enum_column_type(Relation, "relation"))
    labour_capacity: Mapped[LabourCapacity] = mapped_column(
        enum_column_type(LabourCapacity, "labour_capacity")
    )

    household: Mapped[Household] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(back_populates="membership")
