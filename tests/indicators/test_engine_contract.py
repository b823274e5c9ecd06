"""The engine's output: exactly the twelve keys, integers and a two-place rate, ``None``
for empty values; and its refusal of a period that ends before it starts."""
from __future__ import annotations

from decimal import Decimal

import pytest

from field_app.indicators import INDICATOR_KEYS
from tests.indicators.support import BANNER, COMMUNITY, A, B, ONE_DAY, d

SPEC_KEYS = [
    "new_employment_gross", "natural_attrition", "urban_new_employment",
    "reemployment_of_unemployed", "hard_to_employ_employed", "registered_unemployed",
    "employed_total", "registered_unemployment_rate", "rural_transfer",
    "new_generation_transfer", "stable_transfer_180d", "rural_training",
]


def test_engine_returns_exactly_the_twelve_keys_of_the_spec(make, indicators):
    assert list(INDICATOR_KEYS) == SPEC_KEYS
    assert list(indicators(BANNER, A, B)) == SPEC_KEYS


def test_without_records_counts_are_zero_and_the_figures_empty(make, indicators):
    values = indicators(BANNER, A, B)
    assert values == dict.fromkeys(SPEC_KEYS, 0) | {
        "employed_total": None, "registered_unemployment_rate": None}
    assert all(type(values[key]) is int for key in SPEC_KEYS
               if key not in ("employed_total", "registered_unemployment_rate"))


def test_counts_are_integers_and_the_rate_a_two_place_decimal(make, indicators):
    person = make.rural_person()
    make.employment(person, d("2024-06-01"))
    make.unemployment(make.person(), d("2024-06-01"))
    make.employed_total(COMMUNITY, B, 7)
    values = indicators(COMMUNITY, A, B)
    rate = values.pop("registered_unemployment_rate")
    assert all(type(value) is int for value in values.values())
    assert rate == Decimal("12.50") and rate.as_tuple().exponent == -2


@pytest.mark.parametrize(("a", "b"), [
    pytest.param(B, A, id="reversed-year"),
    pytest.param(A + ONE_DAY, A, id="one-day-reversed"),
])
def test_period_ending_before_it_starts_is_refused(make, indicators, a, b):
    with pytest.raises(ValueError):
        indicators(BANNER, a, b)


def test_period_of_one_day_is_accepted(make, indicators):
    make.employment(make.person(), A)
    assert indicators(BANNER, A, A)["new_employment_gross"] == 1
