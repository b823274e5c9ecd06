"""Rule 1 (new_employment_gross), clauses 1-5, and rule 4 (reemployment_of_unemployed)."""
from __future__ import annotations

import pytest

from tests.indicators.support import BANNER, COMMUNITY, OTHER_VILLAGE, A, B, ONE_DAY, d

MID = d("2024-06-01")


def gross(indicators, division=BANNER, a=A, b=B):
    return indicators(division, a, b)["new_employment_gross"]


@pytest.mark.parametrize(("valid", "expected"), [(True, 1), (False, 0)])
def test_only_a_valid_registration_counts(make, indicators, valid, expected):
    make.employment(make.person(), MID, valid=valid)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("start", "expected"), [
    pytest.param(A - ONE_DAY, 0, id="day-before-period"),
    pytest.param(A, 1, id="first-day"),
    pytest.param(B, 1, id="last-day"),
    pytest.param(B + ONE_DAY, 0, id="day-after-period"),
])
def test_registration_counts_when_its_start_date_lies_in_the_period(make, indicators, start,
                                                                     expected):
    make.employment(make.person(), start)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("start", "registered_on", "expected"), [
    pytest.param(MID, B + ONE_DAY, 1, id="started-in-period-registered-after"),
    pytest.param(A - ONE_DAY, MID, 0, id="started-before-period-registered-in-it"),
])
def test_the_start_date_not_the_registration_date_places_a_registration_in_the_period(
        make, indicators, start, registered_on, expected):
    make.employment(make.person(), start, registered_on=registered_on)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("division", "expected"), [(COMMUNITY, 1), (OTHER_VILLAGE, 0)])
def test_registration_counts_only_when_its_division_is_in_d(make, indicators, division,
                                                           expected):
    make.employment(make.person(), MID, division=division)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("formal_transfer", "expected"), [(False, 1), (True, 0)])
def test_formal_transfer_from_a_state_employer_is_not_new_employment(make, indicators,
                                                                     formal_transfer, expected):
    make.employment(make.person(), MID, employment_type="unit",
                    formal_transfer=formal_transfer)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("start", "expected"), [
    pytest.param(d("2024-05-31"), 1, id="59-at-start-60-at-period-end"),
    pytest.param(d("2024-06-01"), 0, id="60-at-start"),
])
def test_man_is_counted_by_his_age_on_the_start_date_not_at_period_end(make, indicators,
                                                                        start, expected):
    make.employment(make.person(d("1964-06-01"), "male"), start)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("start", "expected"), [
    pytest.param(d("2024-05-31"), 0, id="15-at-start-16-at-period-end"),
    pytest.param(d("2024-06-01"), 1, id="16-at-start"),
])
def test_youth_is_counted_by_the_age_on_the_start_date_not_at_period_end(make, indicators,
                                                                          start, expected):
    make.employment(make.person(d("2008-06-01"), "female"), start)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("birth", "sex", "start", "expected"), [
    pytest.param(d("1969-06-01"), "female", d("2024-05-31"), 1, id="woman-54-at-start"),
    pytest.param(d("1969-06-01"), "female", d("2024-06-01"), 0, id="woman-55-at-start"),
])
def test_woman_is_counted_by_her_age_on_the_start_date(make, indicators, birth, sex, start,
                                                       expected):
    make.employment(make.person(birth, sex), start)
    assert gross(indicators) == expected


@pytest.mark.parametrize("employment_type",
                         ["unit", "individual_business", "flexible", "public_welfare_post"])
def test_every_employment_type_counts(make, indicators, employment_type):
    make.employment(make.person(), MID, employment_type=employment_type)
    assert gross(indicators) == 1


# --- rule 4 ----------------------------------------------------------------------------

@pytest.mark.parametrize(("category", "expected"), [
    ("unemployed_reemployed", 1),
    ("new_entrant", 0),
    ("other", 0),
])
def test_reemployment_counts_registrations_of_the_unemployed_reemployed_category(
        make, indicators, category, expected):
    make.employment(make.person(), MID, category=category)
    values = indicators(BANNER, A, B)
    assert (values["new_employment_gross"], values["reemployment_of_unemployed"]) == (
        1, expected)


def _invalid(make, person):
    make.employment(person, MID, category="unemployed_reemployed", valid=False)


def _outside_period(make, person):
    make.employment(person, B + ONE_DAY, category="unemployed_reemployed")


def _outside_division(make, person):
    make.employment(person, MID, category="unemployed_reemployed", division=OTHER_VILLAGE)


def _formal_transfer(make, person):
    make.employment(person, MID, employment_type="unit", category="unemployed_reemployed",
                    formal_transfer=True)


def _continuation(make, person):
    make.employment(person, d("2023-03-01"), category="new_entrant", division=OTHER_VILLAGE)
    make.employment(person, MID, category="unemployed_reemployed")


def _qualifying(make, person):
    make.employment(person, MID, category="unemployed_reemployed")


@pytest.mark.parametrize(("registration", "expected"), [
    (_qualifying, 1),
    (_invalid, 0),
    (_outside_period, 0),
    (_outside_division, 0),
    (_formal_transfer, 0),
    (_continuation, 0),
])
def test_reemployment_needs_the_registration_to_qualify_as_in_rule_1(make, indicators,
                                                                     registration, expected):
    registration(make, make.person())
    assert indicators(BANNER, A, B)["reemployment_of_unemployed"] == expected


@pytest.mark.parametrize(("second_qualifies", "expected"), [(True, 1), (False, 0)])
def test_reemployment_asks_the_category_of_the_qualifying_registration_itself(
        make, indicators, second_qualifies, expected):
    person = make.person()
    make.employment(person, d("2024-03-01"), category="new_entrant")
    make.employment(person, d("2024-09-01"), employment_type="public_welfare_post",
                    category="unemployed_reemployed", valid=second_qualifies)
    values = indicators(BANNER, A, B)
    assert (values["new_employment_gross"], values["reemployment_of_unemployed"]) == (
        1, expected)
