"""Rule 6 (registered_unemployed): persons still registered unemployed at the period end."""
from __future__ import annotations

import pytest

from tests.indicators.support import BANNER, COMMUNITY, OTHER_VILLAGE, A, B, ONE_DAY, d


def unemployed(indicators, a=A, b=B):
    return indicators(BANNER, a, b)["registered_unemployed"]


@pytest.mark.parametrize(("valid", "expected"), [(True, 1), (False, 0)])
def test_only_a_valid_unemployment_registration_counts(make, indicators, valid, expected):
    make.unemployment(make.person(), d("2024-03-01"), valid=valid)
    assert unemployed(indicators) == expected


@pytest.mark.parametrize(("division", "expected"), [(COMMUNITY, 1), (OTHER_VILLAGE, 0)])
def test_unemployment_registration_counts_only_in_d(make, indicators, division, expected):
    make.unemployment(make.person(), d("2024-03-01"), division=division)
    assert unemployed(indicators) == expected


@pytest.mark.parametrize(("registered_on", "expected"), [
    pytest.param(d("2015-04-01"), 1, id="years-before-the-period"),
    pytest.param(A - ONE_DAY, 1, id="day-before-the-period"),
    pytest.param(B, 1, id="last-day"),
    pytest.param(B + ONE_DAY, 0, id="day-after-the-period"),
])
def test_registration_counts_when_made_on_or_before_the_period_end(make, indicators,
                                                                   registered_on, expected):
    make.unemployment(make.person(), registered_on)
    assert unemployed(indicators) == expected


@pytest.mark.parametrize(("cancelled_on", "expected"), [
    pytest.param(None, 1, id="not-cancelled"),
    pytest.param(A - ONE_DAY, 0, id="cancelled-before-the-period"),
    pytest.param(d("2024-07-01"), 0, id="cancelled-within-the-period"),
    pytest.param(B, 0, id="cancelled-on-the-last-day"),
    pytest.param(B + ONE_DAY, 1, id="cancelled-the-day-after"),
])
def test_registration_counts_while_not_cancelled_by_the_period_end(make, indicators,
                                                                   cancelled_on, expected):
    make.unemployment(make.person(), d("2023-06-01"), cancelled_on=cancelled_on)
    assert unemployed(indicators) == expected


@pytest.mark.parametrize(("b", "expected"), [
    pytest.param(d("2024-05-31"), 1, id="59-at-period-end"),
    pytest.param(d("2024-06-01"), 0, id="60-at-period-end"),
])
def test_unemployed_man_leaves_the_count_at_60_even_if_registered_younger(make, indicators,
                                                                           b, expected):
    make.unemployment(make.person(d("1964-06-01"), "male"), d("2020-01-10"))
    assert unemployed(indicators, b=b) == expected


@pytest.mark.parametrize(("b", "expected"), [
    pytest.param(d("2024-05-31"), 0, id="15-at-period-end"),
    pytest.param(d("2024-06-01"), 1, id="16-at-period-end"),
])
def test_unemployed_youth_counts_once_16_at_the_period_end(make, indicators, b, expected):
    make.unemployment(make.person(d("2008-06-01"), "female"), d("2024-01-10"))
    assert unemployed(indicators, b=b) == expected


def test_unemployed_person_with_two_open_registrations_counts_once(make, indicators):
    person = make.person()
    make.unemployment(person, d("2024-01-10"))
    make.unemployment(person, d("2024-05-10"), division=COMMUNITY)
    assert unemployed(indicators) == 1
