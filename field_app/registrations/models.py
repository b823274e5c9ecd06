"""Urban registrations (就业/失业登记), employment aid, natural attrition, employed totals."""
from __future__ import annotations

import datetime as dt
import enum
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from field_app.accounts.capabilities import Capability
from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type
from field_app.households.models import Person


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


class CancelReason(enum.StrEnum):
    """Why an unemployment registration was cancelled (注销原因)."""

    EMPLOYED = "employed"  # 已就业
    RETIRED = "retired"  # 达到退休年龄
    MOVED_AWAY = "moved_away"  # 迁出本地
    STUDY_OR_SERVICE = "study_or_service"  # 入学、参军
    DIED = "died"  # 死亡
    OWN_REQUEST = "own_request"  # 本人申请
    OTHER = "other"


class AidCategory(enum.StrEnum):
    """The hard-to-employ category of an employment-aid recognition (就业困难人员类别)."""

    OLDER_UNEMPLOYED = "older_unemployed"  # 大龄失业人员
    DISABLED = "disabled"  # 残疾人
    ZERO_EMPLOYMENT_FAMILY = "zero_employment_family"  # 零就业家庭成员
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance"  # 低保家庭成员
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"  # 连续失业一年以上
    LANDLESS = "landless"  # 失去土地（草场）的农牧民
    OTHER = "other"


class DeskRecord:
    """The records the desk writes: ``WRITE`` is the capability that creates and changes
    this kind of record, within the writer's subtree; ``Capability.READ_DESK`` views it."""

    WRITE: ClassVar[Capability] = Capability.REGISTER_DESK
    division_code: str

    @classmethod
    def can_create(cls, user, division_code: str | None = None) -> bool:
        return user.can(cls.WRITE, at=division_code)

    def can_view(self, user) -> bool:
        return user.can(Capability.READ_DESK, at=self.division_code)

    def can_edit(self, user) -> bool:
        return user.can(self.WRITE, at=self.division_code)


class Invalidation:
    """作废: the reason, time and author of marking a record invalid; never deleted."""

    invalid_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    invalidated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    invalidated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), nullable=True
    )


def _reason_with_time() -> CheckConstraint:
    # A function, not a shared object: a constraint belongs to one table, and a shared one
    # would carry the first table's name into every other.
    return CheckConstraint("(invalidated_at IS NULL) = (invalid_reason IS NULL)",
                           name="invalidated_with_reason")


def _registration_invalidation_checks() -> tuple[CheckConstraint, ...]:
    return (CheckConstraint("invalidated_at IS NULL OR NOT valid", name="invalidated_not_valid"),
            _reason_with_time())


class StampedInvalidation(Invalidation):
    """作废 for the records whose interchange file has no ``valid`` column (aid, attrition,
    employed totals): ``valid`` is derived, true while ``invalidated_at`` is empty, so the
    importer, which knows nothing of it, can never make such a record count again."""

    @hybrid_property
    def valid(self) -> bool:
        return self.invalidated_at is None

    @valid.inplace.expression
    @classmethod
    def _valid_expression(cls):
        return cls.invalidated_at.is_(None)


class Provenance:
    """Where a record came from (来源): the partner-channel upload that last inserted or
    changed it (``channels.models.ChannelBatch``: channel, batch, uploader, time); empty for
    the desk's own entries and the command-line import."""

    @declared_attr
    def channel_batch_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("channel_batches.id"), nullable=True, index=True)


def _division_fk() -> Mapped[str]:
    return mapped_column(String(12), ForeignKey("divisions.code"))


def _person_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("persons.id"))


class EmploymentRegistration(DeskRecord, Invalidation, Provenance, TrackedMixin, Base):
    __tablename__ = "employment_registrations"
    __table_args__ = (
        *_registration_invalidation_checks(),
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

    person: Mapped[Person] = relationship()

    def is_open_on(self, day: dt.date) -> bool:
        """Valid and not ended before ``day`` (an end on ``day`` itself counts as ended)."""
        return self.valid and (self.end_date is None or self.end_date > day)


class UnemploymentRegistration(DeskRecord, Invalidation, Provenance, TrackedMixin, Base):
    __tablename__ = "unemployment_registrations"
    __table_args__ = (
        *_registration_invalidation_checks(),
        CheckConstraint("cancel_reason IS NULL OR cancelled_on IS NOT NULL",
                        name="cancel_reason_with_date"),
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
    cancel_reason: Mapped[CancelReason | None] = mapped_column(
        enum_column_type(CancelReason, "cancel_reason"), nullable=True
    )

    person: Mapped[Person] = relationship()

    @property
    def is_open(self) -> bool:
        """Valid and not cancelled: the person is registered unemployed."""
        return self.valid and self.cancelled_on is None


class EmploymentAid(DeskRecord, StampedInvalidation, TrackedMixin, Base):
    __tablename__ = "employment_aid"
    __table_args__ = (
        _reason_with_time(),
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
    # Not in the interchange format: imported records have none.
    category: Mapped[AidCategory | None] = mapped_column(
        enum_column_type(AidCategory, "aid_category"), nullable=True
    )

    person: Mapped[Person] = relationship()


class NaturalAttrition(DeskRecord, StampedInvalidation, Provenance, TrackedMixin, Base):
    WRITE = Capability.ENTER_ATTRITION
    __tablename__ = "natural_attrition"
    __table_args__ = (
        _reason_with_time(),
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

    person: Mapped[Person] = relationship()


class EmployedTotal(DeskRecord, StampedInvalidation, Provenance, TrackedMixin, Base):
    """期末从业人员总数 as reported by statistics and market regulation, with its deduction."""

    WRITE = Capability.ENTER_TOTALS
    __tablename__ = "employed_totals"
    __table_args__ = (
        _reason_with_time(),
        UniqueConstraint("division_code", "as_of"),
        CheckConstraint("employed_total >= 0 AND deduction >= 0", name="non_negative"),
        Index("ix_employed_totals_as_of", "as_of", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = _division_fk()
    as_of: Mapped[dt.date] = mapped_column(Date)
    employed_total: Mapped[int] = mapped_column(Integer)
    deduction: Mapped[int] = mapped_column(Integer, default=0)


class Employer(TrackedMixin, Base):
    """The name last given at the desk for a unified social credit code, to fill it in next
    time; registrations keep their own copy of the name as it was then."""

    __tablename__ = "employers"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
