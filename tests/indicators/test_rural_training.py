"""Rule 12 (rural_training): rural persons in D who completed, in the period and of working
age at its end, a training paid from employment funds at a certified institution or from
other fiscal funds."""
from __future__ import annotations

import pytest

from tests.indicators.support import BANNER, GACHA, OTHER_VILLAGE, A, B, ONE_DAY, d, days

MID = d("2024-06-01")


def trained(indicators, a=A, b=B):
    return indicators(BANNER, a, b)["rural_training"]


@pytest.mark.parametrize(("completed", "expected"), [(True, 1), (False, 0)])
def test_only_a_completed_training_counts(make, indicators, completed, expected):
    make.training(make.rural_person(), MID, completed=completed)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("end", "expected"), [
    pytest.param(A - ONE_DAY, 0, id="ended-the-day-before-the-period"),
    pytest.param(A, 1, id="ended-on-the-first-day"),
    pytest.param(B, 1, id="ended-on-the-last-day"),
    pytest.param(B + ONE_DAY, 0, id="ended-the-day-after-the-period"),
])
def test_training_counts_when_it_ended_in_the_period(make, indicators, end, expected):
    make.training(make.rural_person(), end)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("start", "expected"), [
    pytest.param(A - days(60), 1, id="started-before-the-period"),
    pytest.param(d("2024-11-01"), 1, id="started-in-the-period"),
])
def test_the_start_of_a_training_does_not_matter(make, indicators, start, expected):
    make.training(make.rural_person(), d("2024-12-01"), start=start)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("certified", "funding", "expected"), [
    (True, "employment_fund", 1),
    (False, "employment_fund", 0),
    (True, "other_fiscal", 1),
    (False, "other_fiscal", 1),
    (True, "self", 0),
    (False, "self", 0),
    (True, "other", 0),
    (False, "other", 0),
])
def test_training_counts_if_employment_funded_at_a_certified_institution_or_other_fiscal(
        make, indicators, certified, funding, expected):
    make.training(make.rural_person(), MID, certified=certified, funding=funding)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("end", "expected"), [
    pytest.param(d("2024-05-31"), 1, id="59-when-the-training-ended"),
    pytest.param(d("2024-06-01"), 0, id="60-when-the-training-ended"),
])
def test_man_is_counted_by_his_age_when_the_training_ended(make, indicators, end, expected):
    make.training(make.rural_person(d("1964-06-01"), "male"), end)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("end", "expected"), [
    pytest.param(d("2024-05-31"), 1, id="54-when-the-training-ended"),
    pytest.param(d("2024-06-01"), 0, id="55-when-the-training-ended"),
])
def test_woman_is_counted_by_her_age_when_the_training_ended(make, indicators, end,
                                                             expected):
    make.training(make.rural_person(d("1969-06-01"), "female"), end)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("end", "expected"), [
    pytest.param(d("2024-05-31"), 0, id="15-when-the-training-ended"),
    pytest.param(d("2024-06-01"), 1, id="16-when-the-training-ended"),
])
def test_youth_is_counted_by_the_age_when_the_training_ended_not_at_period_end(
        make, indicators, end, expected):
    make.training(make.rural_person(d("2008-06-01"), "male"), end)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("village", "expected"), [(GACHA, 1), (OTHER_VILLAGE, 0)])
def test_only_members_of_a_household_in_d_are_counted(make, indicators, village, expected):
    make.training(make.rural_person(village=village), MID)
    assert trained(indicators) == expected


@pytest.mark.parametrize(("household", "expected"), [(True, 1), (False, 0)])
def test_a_trainee_outside_any_household_is_not_rural_labour(make, indicators, household,
                                                             expected):
    person = make.rural_person() if household else make.person()
    make.training(person, MID)
    assert trained(indicators) == expected


@pytest.mark.parametrize("labour_capacity", ["full", "partial", "none"])
def test_training_asks_nothing_about_labour_capacity_or_transfer(make, indicators,
                                                                 labour_capacity):
    make.training(make.rural_person(labour_capacity=labour_capacity), MID)
    values = indicators(BANNER, A, B)
    assert (values["rural_transfer"], values["rural_training"]) == (0, 1)
