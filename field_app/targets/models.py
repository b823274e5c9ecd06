"""Reported (paper) figures for the ±5% reconciliation and annual targets (年度目标任务).

A reported figure is the figure an office reported on paper for one indicator, division and
period; the system's own figure is the engine's. A target is set for a division's year by
the level above it. Values are decimals: every indicator is a count except the rate.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from field_app.accounts.capabilities import Capability
from field_app.core.db import Base, TrackedMixin
from field_app.core.types import enum_column_type

# The indicator keys of the engine's output (shared/spec/indicators.md, "Output"), spelt out
# here because tables import nothing from the engine; tests hold the two lists together.
REPORTABLE_INDICATORS = (
    "new_employment_gross", "natural_attrition", "urban_new_employment",
    "reemployment_of_unemployed", "hard_to_employ_employed", "registered_unemployed",
    "employed_total", "registered_unemployment_rate", "rural_transfer",
    "new_generation_transfer", "stable_transfer_180d", "rural_training",
)
# The figures an office is given annual targets for: the counts that accumulate over a year.
TARGET_INDICATORS = (
    "urban_new_employment", "reemployment_of_unemployed", "hard_to_employ_employed",
    "rural_transfer", "new_generation_transfer", "rural_training",
)


def _one_of(column: str, keys) -> str:
    return f"{column} IN (%s)" % ", ".join(f"'{key}'" for key in keys)


class FigureSource(enum.StrEnum):
    WEB = "web"  # entered on the page
    IMPORT = "import"  # from the XLSX template


class ReportedFigure(TrackedMixin, Base):
    """The figure ``division_code`` reported on paper for ``indicator`` over the period."""

    __tablename__ = "reported_figures"
    __table_args__ = (
        UniqueConstraint("division_code", "period_start", "period_end", "indicator",
                         name="uq_reported_figures_cell"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint(_one_of("indicator", REPORTABLE_INDICATORS), name="known_indicator"),
        Index("ix_reported_figures_period", "period_end", "division_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    source: Mapped[FigureSource] = mapped_column(enum_column_type(FigureSource, "figure_source"))
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AnnualTarget(TrackedMixin, Base):
    """The target of ``division_code`` for ``indicator`` in ``year``, set by the level above."""

    __tablename__ = "annual_targets"
    __table_args__ = (
        UniqueConstraint("division_code", "year", "indicator", name="uq_annual_targets_cell"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("value >= 0", name="value_non_negative"),
        CheckConstraint(_one_of("indicator", TARGET_INDICATORS), name="known_indicator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), ForeignKey("divisions.code"))
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))


def can_set_target(user, division_code: str, parent_code: str | None) -> bool:
    """A division's target is set by the level directly above it: the holder of
    SET_TARGETS whose own division is the division's parent."""
    return (parent_code is not None and parent_code == getattr(user, "division_code", None)
            and user.can(Capability.SET_TARGETS, at=division_code))
