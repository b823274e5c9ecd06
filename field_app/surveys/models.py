"""Transfer-employment spells and trainings of rural labour (转移就业经历、培训)."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type


class SpellKind(enum.StrEnum):
    NON_AGRI = "non_agri"  # 转移到非农牧产业就业
    PRIMARY_AFTER_LAND_TRANSFER = "primary_after_land_transfer"  # 土地草场流转后仍从事第一产业


class Destination(enum.StrEnum):
    IN_COUNTY = "in_county"
    IN_LEAGUE = "in_league"
    IN_REGION = "in_region"
    OUT_OF_REGION = "out_of_region"
    ABROAD = "abroad"


class Funding(enum.StrEnum):
    EMPLOYMENT_FUND = "employment_fund"  # 就业专项资金
    OTHER_FISCAL = "other_fiscal"  # 其他财政资金
    SELF = "self"
    OTHER = "other"


# GB/T 4754-2017 sections (门类).
INDUSTRY_SECTIONS = "ABCDEFGHIJKLMNOPQRST"


class TransferSpell(TrackedMixin, Base):
    __tablename__ = "transfer_spells"
    __table_args__ = (
        UniqueConstraint("person_id", "start_date", "kind"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        Index("ix_transfer_spells_person_start", "person_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[SpellKind] = mapped_column(enum_column_type(SpellKind, "spell_kind"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    destination: Mapped[Destination | None] = mapped_column(
        enum_column_type(Destination, "destination"), nullable=True
    )
    industry: Mapped[str | None] = mapped_column(String(1), nullable=True)
    stable_workplace: Mapped[bool] = mapped_column(Boolean)
    stable_income: Mapped[bool] = mapped_column(Boolean)


class Training(TrackedMixin, Base):
    __tablename__ = "trainings"
    __table_args__ = (
        UniqueConstraint("person_id", "course", "start_date"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_trainings_end_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    course: Mapped[str] = mapped_column(String(100))
    institution: Mapped[str | None] = mapped_column(String(200), nullable=True)
    institution_certified: Mapped[bool] = mapped_column(Boolean)
    funding: Mapped[Funding] = mapped_column(enum_column_type(Funding, "funding"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    completed: Mapped[bool] = mapped_column(Boolean)
