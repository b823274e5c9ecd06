"""Transfer-employment spells and trainings of rural labour (转移就业经历、培训), survey rounds
and the changes phones have sent. A household's status in a round is ``review.models``."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.core.db import Base, PhoneEditable, TrackedMixin
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


class TransferSpell(PhoneEditable, TrackedMixin, Base):
    __tablename__ = "transfer_spells"
    __table_args__ = (
        UniqueConstraint("person_id", "start_date", "kind"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        # The key's index serves the look-ups by (person_id, start_date) too (0025).
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


class Training(PhoneEditable, TrackedMixin, Base):
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


class SurveyRound(TrackedMixin, Base):
    """A year's household survey (e.g. 2026年度), opened by a county for its villages."""

    __tablename__ = "survey_rounds"
    __table_args__ = (
        UniqueConstraint("county_code", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)", name="closer_iff_closed"),
        # At most one open round per county.
        Index("ix_survey_rounds_one_open", "county_code", unique=True,
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    year: Mapped[int] = mapped_column(Integer)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False), nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def division_code(self) -> str:  # the audit log files events under the county
        return self.county_code


class SyncChange(Base):
    """A change sent from a phone's outbox, by its client UUID, with the answer it got.

    The row is written in the same transaction as the change itself, so a change is applied
    at most once and a resend (the answer was lost on the way) gets the stored answer."""

    __tablename__ = "sync_changes"
    __audited__ = False  # what a change did is logged by the rows it wrote
    __table_args__ = (Index("ix_sync_changes_user_received", "user_id", "received_at"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    op: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    made_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    result: Mapped[dict] = mapped_column(JSON)
