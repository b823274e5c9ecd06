"""Policy values that the notice fixes today and reforms move.

Two named working-age policies (``shared/spec/indicators.md``, "Working-age policy
versions"): ``notice-2019``, the bounds of 内人社办发〔2019〕112号 (16, men under 60, women
under 55), and ``reform-2025``, the statutory retirement-age reform of 2024 in force from
2025-01-01, which moves the upper bound by birth month. The deployment chooses one
(``FIELD_APP_POLICY``); every report names the one it used.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from field_app.indicators.labels import N_

NOTICE_2019 = "notice-2019"
REFORM_2025 = "reform-2025"
POLICY_NAMES = (NOTICE_2019, REFORM_2025)
# Which surveyed households the rural rules (9 to 12) count: every synced household, as the
# spec has it, or only those whose survey the township has approved (已审核).
SYNCED = "synced"
APPROVED = "approved"
SURVEY_BASES = (SYNCED, APPROVED)
# msgids (see indicators.labels), translated where they are shown.
POLICY_LABELS = {
    NOTICE_2019: N_("内人社办发〔2019〕112号（男60岁、女55岁）"),
    REFORM_2025: N_("渐进式延迟法定退休年龄（2025年起）"),
}


@dataclasses.dataclass(frozen=True)
class RetirementReform:
    """The reform's schedule: from ``in_force``, a man born in or after ``male_base`` (a
    woman: ``female_base``) retires ``min(cap, k // step + 1)`` months later than the old
    age, ``k`` being the whole months from the base month to the birth month."""

    in_force: dt.date = dt.date(2025, 1, 1)
    male_base: dt.date = dt.date(1965, 1, 1)
    female_base: dt.date = dt.date(1970, 1, 1)
    step_months: int = 4
    cap_months: int = 36


@dataclasses.dataclass(frozen=True)
class Policy:
    """Bounds of the statutory rules; defaults are those of 内人社办发〔2019〕112号.

    Working age is ``min_age <= age < max_age`` with the upper bound by sex (the legal
    retirement age: a man is out on his 60th birthday). With ``reform`` set, dates on or
    after ``reform.in_force`` use the reformed retirement date instead of ``max_age``.
    """

    min_age: int = 16
    male_max_age: int = 60
    female_max_age: int = 55
    new_generation_born_from: dt.date = dt.date(1980, 1, 1)
    stable_days: int = 180
    name: str = NOTICE_2019
    reform: RetirementReform | None = None
    survey_basis: str = SYNCED

    def __post_init__(self) -> None:
        if not 0 <= self.min_age < min(self.male_max_age, self.female_max_age):
            raise ValueError("working-age bounds must satisfy 0 <= min_age < max ages")
        if self.stable_days < 1:
            raise ValueError("stable_days must be positive")
        if self.name not in POLICY_NAMES:
            raise ValueError(f"unknown policy {self.name!r}; known: {', '.join(POLICY_NAMES)}")
        if self.survey_basis not in SURVEY_BASES:
            raise ValueError(f"unknown survey basis {self.survey_basis!r}; known: "
                             f"{', '.join(SURVEY_BASES)}")
        if (self.name == REFORM_2025) != (self.reform is not None):
            raise ValueError("policy reform-2025 and only it carries the reform schedule")

    @classmethod
    def named(cls, name: str, **bounds) -> Policy:
        """The policy called ``name`` with optional overrides of the other bounds."""
        if name not in POLICY_NAMES:
            # A configuration fault, read by the operator at start-up, like config.py's.
            raise ValueError(f"unknown policy {name!r}; known: {', '.join(POLICY_NAMES)}")
        reform = RetirementReform() if name == REFORM_2025 else None
        return cls(name=name, reform=reform, **bounds)

    @property
    def label(self) -> str:
        return POLICY_LABELS[self.name]

    def reform_months(self, birth: dt.date, male: bool) -> int | None:
        """Months the reform adds to the old retirement age, None when no reform applies."""
        if self.reform is None:
            return None
        base = self.reform.male_base if male else self.reform.female_base
        k = (birth.year - base.year) * 12 + birth.month - base.month
        if k < 0:
            return 0
        return min(self.reform.cap_months, k // self.reform.step_months + 1)

    def retirement_date(self, birth: dt.date, male: bool, on: dt.date) -> dt.date:
        """The first day on which a person born ``birth`` is past working age, as the policy
        applies on the date ``on`` (the reference for the SQL of ``rules.working_age``)."""
        years = self.male_max_age if male else self.female_max_age
        extra = self.reform_months(birth, male)
        if extra is None or on < self.reform.in_force:
            try:
                return birth.replace(year=birth.year + years)
            except ValueError:  # 29 February: the anniversary is 1 March in common years
                return dt.date(birth.year + years, 3, 1)
        months = birth.year * 12 + birth.month - 1 + years * 12 + extra
        year, month = divmod(months, 12)
        month += 1
        return dt.date(year, month, min(birth.day, calendar.monthrange(year, month)[1]))


def policy_from(config: Mapping[str, Any]) -> Policy:
    """The policy the configuration names (``POLICY``), with its ``POLICY_*`` overrides."""
    return Policy.named(
        str(config["POLICY"]),
        min_age=int(config["POLICY_MIN_AGE"]),
        male_max_age=int(config["POLICY_MALE_MAX_AGE"]),
        female_max_age=int(config["POLICY_FEMALE_MAX_AGE"]),
        new_generation_born_from=dt.date.fromisoformat(
            str(config["POLICY_NEW_GENERATION_BORN_FROM"])),
        stable_days=int(config["POLICY_STABLE_DAYS"]),
        survey_basis=str(config.get("SURVEY_BASIS", SYNCED)),
    )
