"""Urban registrations (就业/失业登记), employment aid, natural attrition, employed totals."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type


class EmploymentType(enum.StrEnum):
    UNIT = "unit"  # 单位就业
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户
    FLEXIBLE = "flexible"  # 灵活就业
    PUBLIC_WELFARE_POST = "public_welfare_post"  # 公益性岗位


class PersonCategory(enum.StrEnum):
    NEW_ENTRANT = "new_entrant"
    UNEMPLOYED_REEMPLOYED = "unemployed_reemployed"  # 就业转失业
    OTHER = "other"


class AidExitReason(enum.StrEnum):
    UNIT_EMPLOYMENT = "unit_employment"
    SELF_EMPLOYMENT = "self_employment"
    FLEXIBLE_EMPLOYMENT = "flexible_employment"
    OTHER = "other"


class AttritionReason(enum.StrEnum):
    RETIREMENT = "retirement"
    DEATH = "death"
    OTHER = "other"


def _division_fk() -> Mapped[str]:
    return mapped_column(String(12), ForeignKey("divisions.code"))


def _person_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("persons.id"))


class EmploymentRegistration(TrackedMixin, Base):
    __tablename__ = "employment_registrations"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        CheckConstraint(
            "employment_type NOT IN ('unit', 'individual_business') OR employer_uscc IS NOT NULL",
            name="employer_required",
        ),
        Index("ix_employment_registrations_start", "start_date", "division_code"),
        Index("ix_employment_registrations_person", "person_id", "employment_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_no: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = _person_fk()
    division_code: Mapped[str] = _division_fk()
    employment_type: Mapped[EmploymentType] = mapped_column(
        enum_column_type(EmploymentType, "employment_type")
    )
    employer_uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    employer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    person_category: Mapped[PersonCategory] = mapped_column(
        enum_column_type(PersonCategory, "person_category")
    )
    formal_transfer: Mapped[bool] = mapped_column(Boolean)
    valid: Mapped[bool] = mapped_column(Boolean)


class UnemploymentRegistration(TrackedMixin, Base):
    __tablename__ = "unemployment_registrations"
    __table_args__ = (
        CheckConstraint(
            "cancelled_on IS NULL OR cancelled_on >= registered_on", name="dates_ordered"
        ),
        Index("ix_unemployment_registrations_division", "division_code", "registered_on"),
        Index("ix_unemployment_registrations_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_no: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = _person_fk()
    division_code: Mapped[str] = _division_fk()
    registered_on: Mapped[dt.date] = mapped_column(Date)
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    valid: Mapped[bool] = mapped_column(Boolean)
    receives_benefit: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class EmploymentAid(TrackedMixin, Base):
    __tablename__ = "employment_aid"
    __table_args__ = (
        UniqueConstraint("person_id", "recognized_on"),
        CheckConstraint("exited_on IS NULL OR exited_on >= recognized_on", name="dates_ordered"),
        Index("ix_employment_aid_exited", "exited_on", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    division_code: Mapped[str] = _division_fk()
    recognized_on: Mapped[dt.date] = mapped_column(Date)
    exited_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    exit_reason: Mapped[AidExitReason | None] = mapped_column(
        enum_column_type(AidExitReason, "aid_exit_reason"), nullable=True
    )


class NaturalAttrition(TrackedMixin, Base):
    __tablename__ = "natural_attrition"
    __table_args__ = (
        UniqueConstraint("person_id", "occurred_on"),
        Index("ix_natural_attrition_occurred", "occurred_on", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    division_code: Mapped[str] = _division_fk()
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[AttritionReason] = mapped_column(
        enum_column_type(AttritionReason, "attrition_reason")
    )


class EmployedTotal(TrackedMixin, Base):
    """期末从业人员总数 as reported by statistics and market regulation, with its deduction."""

    __tablename__ = "employed_totals"
    __table_args__ = (
        UniqueConstraint("division_code", "as_of"),
        CheckConstraint("employed_total >= 0 AND deduction >= 0", name="non_negative"),
        Index("ix_employed_totals_as_of", "as_of", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = _division_fk()
    as_of: Mapped[dt.date] = mapped_column(Date)
    employed_total: Mapped[int] = mapped_column(Integer)
    deduction: Mapped[int] = mapped_column(Integer, default=0)
