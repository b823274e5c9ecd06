"""Policy values that the notice fixes today and reforms may move."""
from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class Policy:
    """Bounds of the statutory rules; defaults are those of 内人社办发〔2019〕112号.

    Working age is ``min_age <= age < max_age`` with the upper bound by sex (the legal
    retirement age: a man is out on his 60th birthday).
    """

    min_age: int = 16
    male_max_age: int = 60
    female_max_age: int = 55
    new_generation_born_from: dt.date = dt.date(1980, 1, 1)
    stable_days: int = 180

    def __post_init__(self) -> None:
        if not 0 <= self.min_age < min(self.male_max_age, self.female_max_age):
            raise ValueError("working-age bounds must satisfy 0 <= min_age < max ages")
        if self.stable_days < 1:
            raise ValueError("stable_days must be positive")
