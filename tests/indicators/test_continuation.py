"""Rule 1, clause 6: a registration that continues one running over the new year is not new.

The registration r under test starts on 1 June 2024 in the period 2024; r2 is the same
person's earlier registration. r2 starts before 2024, so r2 itself never counts, except
where a test says otherwise.
"""
from __future__ import annotations

import pytest

from tests.factories import uscc_for
from tests.indicators.support import BANNER, OTHER_VILLAGE, A, B, d

R_START = d("2024-06-01")
R2_START = d("2023-03-01")


def gross(indicators, a=A, b=B):
    return indicators(BANNER, a, b)["new_employment_gross"]


@pytest.mark.parametrize(("r2_end", "expected"), [
    pytest.param(None, 0, id="r2-ongoing"),
    pytest.param(d("2024-03-01"), 0, id="r2-ended-after-new-year"),
    pytest.param(d("2023-12-31"), 0, id="r2-ended-on-31-december"),
    pytest.param(d("2023-12-30"), 1, id="r2-ended-on-30-december"),
])
def test_registration_continues_one_still_running_on_31_december_before(make, indicators,
                                                                        r2_end, expected):
    person = make.person()
    make.employment(person, R2_START, end=r2_end)
    make.employment(person, R_START)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("r2_start", "expected"), [
    pytest.param(d("2023-12-31"), 0, id="r2-began-31-december"),
    pytest.param(d("2024-01-01"), 1, id="r2-began-1-january"),
])
def test_only_a_registration_begun_before_1_january_makes_a_continuation(
        make, indicators, r2_start, expected):
    person = make.person()
    # r2 lies outside D so that only r can be counted.
    make.employment(person, r2_start, division=OTHER_VILLAGE)
    make.employment(person, R_START)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("r2_valid", "expected"), [(True, 0), (False, 1)])
def test_only_a_valid_registration_makes_a_continuation(make, indicators, r2_valid,
                                                        expected):
    person = make.person()
    make.employment(person, R2_START, valid=r2_valid)
    make.employment(person, R_START)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("r2_type", "r_type", "expected"), [
    ("flexible", "flexible", 0),
    ("unit", "flexible", 1),
    ("unit", "unit", 0),
    ("individual_business", "unit", 1),
    ("individual_business", "individual_business", 0),
    ("flexible", "individual_business", 1),
])
def test_only_a_registration_of_the_same_employment_type_makes_a_continuation(
        make, indicators, r2_type, r_type, expected):
    person = make.person()
    uscc = uscc_for(7)
    make.employment(person, R2_START, employment_type=r2_type, employer_uscc=uscc)
    make.employment(person, R_START, employment_type=r_type, employer_uscc=uscc)
    assert gross(indicators) == expected


@pytest.mark.parametrize("employment_type", ["unit", "individual_business"])
@pytest.mark.parametrize(("r2_seed", "expected"), [
    pytest.param(1, 0, id="same-employer"),
    pytest.param(2, 1, id="other-employer"),
])
def test_unit_and_business_registrations_continue_only_with_the_same_employer(
        make, indicators, employment_type, r2_seed, expected):
    person = make.person()
    make.employment(person, R2_START, employment_type=employment_type,
                    employer_uscc=uscc_for(r2_seed))
    make.employment(person, R_START, employment_type=employment_type,
                    employer_uscc=uscc_for(1))
    assert gross(indicators) == expected


@pytest.mark.parametrize(("employment_type", "expected"), [
    ("flexible", 0),
    ("unit", 1),
])
def test_flexible_employment_continues_whatever_the_employer(make, indicators,
                                                             employment_type, expected):
    person = make.person()
    make.employment(person, R2_START, employment_type=employment_type,
                    employer_uscc=uscc_for(1))
    make.employment(person, R_START, employment_type=employment_type,
                    employer_uscc=uscc_for(2))
    assert gross(indicators) == expected


@pytest.mark.parametrize(("employment_type", "expected"), [
    ("public_welfare_post", 1),
    ("flexible", 0),
])
def test_public_welfare_post_is_never_a_continuation(make, indicators, employment_type,
                                                    expected):
    person = make.person()
    make.employment(person, R2_START, employment_type=employment_type)
    make.employment(person, R_START, employment_type=employment_type)
    assert gross(indicators) == expected


@pytest.mark.parametrize(("r2_end", "expected"), [
    pytest.param(d("2023-12-31"), 0, id="r2-ran-into-r's-year"),
    pytest.param(d("2023-12-30"), 1, id="r2-ended-before-r's-year"),
])
def test_the_new_year_is_that_of_the_registration_not_of_the_period(make, indicators,
                                                                    r2_end, expected):
    person = make.person()
    make.employment(person, d("2023-02-01"), end=r2_end)
    make.employment(person, d("2024-03-01"))
    assert gross(indicators, a=d("2023-06-01"), b=d("2024-06-30")) == expected


@pytest.mark.parametrize("r2_trait", [
    pytest.param({"division": OTHER_VILLAGE}, id="r2-in-another-division"),
    pytest.param({"formal_transfer": True}, id="r2-a-formal-transfer"),
    pytest.param({"category": "unemployed_reemployed"}, id="r2-of-another-category"),
    pytest.param({"start": d("1999-01-01")}, id="r2-begun-long-ago"),
])
def test_any_valid_earlier_registration_of_the_same_type_makes_a_continuation(
        make, indicators, r2_trait):
    person = make.person()
    make.employment(person, **({"start": R2_START} | r2_trait))
    make.employment(person, R_START)
    assert gross(indicators) == 0


@pytest.mark.parametrize(("same_person", "expected"), [(True, 0), (False, 1)])
def test_only_the_same_persons_registration_makes_a_continuation(make, indicators,
                                                                same_person, expected):
    person = make.person()
    make.employment(person if same_person else make.person(), R2_START)
    make.employment(person, R_START)
    assert gross(indicators) == expected
