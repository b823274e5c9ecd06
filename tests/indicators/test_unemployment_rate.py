"""Rule 8 (registered_unemployment_rate): unemployed / (employed_total + unemployed) * 100,
half-up to two decimals; empty without employed_total or with a zero denominator."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.indicators.support import COMMUNITY, A, B, d


def rate(make, indicators, unemployed, figure):
    """The rate for COMMUNITY with ``unemployed`` persons and ``figure`` = (total,
    deduction) as of the period end, or no figure when ``None``."""
    for _ in range(unemployed):
        make.unemployment(make.person(), d("2024-03-01"), division=COMMUNITY)
    if figure is not None:
        make.employed_total(COMMUNITY, B, *figure)
    return indicators(COMMUNITY, A, B)["registered_unemployment_rate"]


@pytest.mark.parametrize(("unemployed", "figure", "expected"), [
    pytest.param(1, (31, 0), "3.13", id="3.125-rounds-up"),
    pytest.param(1, (159, 0), "0.63", id="0.625-rounds-up"),
    pytest.param(3, (397, 0), "0.75", id="exact"),
    pytest.param(1, (2, 0), "33.33", id="a-third-rounds-down"),
    pytest.param(2, (1, 0), "66.67", id="two-thirds-rounds-up"),
    pytest.param(1, (0, 0), "100.00", id="nobody-employed"),
    pytest.param(0, (10, 0), "0.00", id="nobody-unemployed"),
])
def test_rate_is_a_percentage_rounded_half_up_to_two_places(make, indicators, unemployed,
                                                            figure, expected):
    value = rate(make, indicators, unemployed, figure)
    assert isinstance(value, Decimal)
    assert str(value) == expected


@pytest.mark.parametrize(("figure", "expected"), [
    pytest.param((31, 0), "3.13", id="without-deduction"),
    pytest.param((35, 4), "3.13", id="deduction-taken-off-the-total"),
    pytest.param((35, 0), "2.78", id="same-total-without-its-deduction"),
])
def test_rate_uses_the_employed_total_after_its_deduction(make, indicators, figure,
                                                          expected):
    assert str(rate(make, indicators, 1, figure)) == expected


@pytest.mark.parametrize(("unemployed", "figure", "expected"), [
    pytest.param(1, None, None, id="employed-total-empty"),
    pytest.param(0, None, None, id="employed-total-empty-and-nobody-unemployed"),
    pytest.param(0, (0, 0), None, id="denominator-zero"),
    pytest.param(0, (5, 5), None, id="denominator-zero-after-deduction"),
    pytest.param(0, (1, 0), Decimal("0.00"), id="denominator-one"),
])
def test_rate_is_empty_without_employed_total_or_with_a_zero_denominator(
        make, indicators, unemployed, figure, expected):
    assert rate(make, indicators, unemployed, figure) == expected
