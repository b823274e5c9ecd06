"""Rules 2 (natural_attrition), 3 (urban_new_employment) and 5 (hard_to_employ_employed)."""
from __future__ import annotations

import pytest

from tests.indicators.support import BANNER, COMMUNITY, OTHER_VILLAGE, A, B, ONE_DAY, d, days

MID = d("2024-06-01")


# --- rule 2 ----------------------------------------------------------------------------

@pytest.mark.parametrize(("occurred_on", "expected"), [
    pytest.param(A - ONE_DAY, 0, id="day-before-the-period"),
    pytest.param(A, 1, id="first-day"),
    pytest.param(B, 1, id="last-day"),
    pytest.param(B + ONE_DAY, 0, id="day-after-the-period"),
])
def test_attrition_counts_when_it_occurred_in_the_period(make, indicators, occurred_on,
                                                         expected):
    make.attrition(make.person(), occurred_on)
    assert indicators(BANNER, A, B)["natural_attrition"] == expected


@pytest.mark.parametrize(("division", "expected"), [(COMMUNITY, 1), (OTHER_VILLAGE, 0)])
def test_attrition_counts_only_in_d(make, indicators, division, expected):
    make.attrition(make.person(), MID, division=division)
    assert indicators(BANNER, A, B)["natural_attrition"] == expected


@pytest.mark.parametrize("birth", [d("1940-03-03"), d("1964-06-01"), d("2012-09-09")])
def test_attrition_asks_no_age(make, indicators, birth):
    make.attrition(make.person(birth), MID)
    assert indicators(BANNER, A, B)["natural_attrition"] == 1


# --- rule 3 ----------------------------------------------------------------------------

@pytest.mark.parametrize(("employed", "departed", "expected"), [
    (3, 1, 2),
    (1, 1, 0),
    (1, 3, -2),
    (0, 2, -2),
])
def test_urban_new_employment_is_gross_less_attrition_and_may_be_negative(
        make, indicators, employed, departed, expected):
    for _ in range(employed):
        make.employment(make.person(), MID)
    for _ in range(departed):
        make.attrition(make.person(), MID)
    values = indicators(BANNER, A, B)
    assert (values["new_employment_gross"], values["natural_attrition"],
            values["urban_new_employment"]) == (employed, departed, expected)


def test_attrition_of_a_person_newly_employed_still_subtracts(make, indicators):
    person = make.person()
    make.employment(person, d("2024-02-01"))
    make.attrition(person, d("2024-08-01"))
    assert indicators(BANNER, A, B)["urban_new_employment"] == 0


# --- rule 5 ----------------------------------------------------------------------------

def aid_exit(make, *, exited_on=MID, exit_reason="unit_employment", aid_division=COMMUNITY,
             registered_on=None, registration=True, **registration_fields):
    """A person who left employment aid, and (by default) their employment registration."""
    person = make.person()
    make.aid(person, d("2022-01-01"), exited_on=exited_on, exit_reason=exit_reason,
             division=aid_division)
    if registration:
        start = registration_fields.pop("start", MID)
        make.employment(person, start, registered_on=registered_on or exited_on or MID,
                        **registration_fields)
    return person


def hard_to_employ(indicators):
    return indicators(BANNER, A, B)["hard_to_employ_employed"]


@pytest.mark.parametrize(("exit_reason", "expected"), [
    ("unit_employment", 1),
    ("self_employment", 1),
    ("flexible_employment", 1),
    ("other", 0),
    (None, 0),
])
def test_aid_exit_counts_only_for_an_exit_into_employment(make, indicators, exit_reason,
                                                          expected):
    aid_exit(make, exit_reason=exit_reason)
    assert hard_to_employ(indicators) == expected


@pytest.mark.parametrize(("exited_on", "expected"), [
    pytest.param(A - ONE_DAY, 0, id="day-before-the-period"),
    pytest.param(A, 1, id="first-day"),
    pytest.param(B, 1, id="last-day"),
    pytest.param(B + ONE_DAY, 0, id="day-after-the-period"),
])
def test_aid_exit_counts_when_it_happened_in_the_period(make, indicators, exited_on,
                                                        expected):
    aid_exit(make, exited_on=exited_on)
    assert hard_to_employ(indicators) == expected


def test_person_still_in_aid_is_not_counted(make, indicators):
    aid_exit(make, exited_on=None, exit_reason=None)
    assert hard_to_employ(indicators) == 0


@pytest.mark.parametrize(("division", "expected"), [(COMMUNITY, 1), (OTHER_VILLAGE, 0)])
def test_aid_exit_counts_only_when_the_aid_record_is_in_d(make, indicators, division,
                                                         expected):
    aid_exit(make, aid_division=division)
    assert hard_to_employ(indicators) == expected


@pytest.mark.parametrize(("registration", "expected"), [(True, 1), (False, 0)])
def test_aid_exit_needs_an_employment_registration(make, indicators, registration,
                                                   expected):
    aid_exit(make, registration=registration)
    assert hard_to_employ(indicators) == expected


@pytest.mark.parametrize(("valid", "expected"), [(True, 1), (False, 0)])
def test_aid_exit_needs_a_valid_employment_registration(make, indicators, valid, expected):
    aid_exit(make, valid=valid)
    assert hard_to_employ(indicators) == expected


@pytest.mark.parametrize(("registered_on", "expected"), [
    pytest.param(MID - ONE_DAY, 0, id="registered-the-day-before-the-exit"),
    pytest.param(MID, 1, id="registered-on-the-exit-day"),
    pytest.param(B + days(400), 1, id="registered-after-the-period"),
])
def test_aid_exit_needs_a_registration_made_on_or_after_the_exit(make, indicators,
                                                                 registered_on, expected):
    aid_exit(make, exited_on=MID, registered_on=registered_on)
    assert hard_to_employ(indicators) == expected


@pytest.mark.parametrize("registration_fields", [
    pytest.param({"division": OTHER_VILLAGE}, id="registration-outside-d"),
    pytest.param({"start": d("2010-04-01")}, id="registration-started-long-ago"),
    pytest.param({"formal_transfer": True, "employment_type": "unit"},
                 id="registration-not-new-employment"),
])
def test_any_valid_registration_made_on_or_after_the_exit_backs_it(make, indicators,
                                                                   registration_fields):
    aid_exit(make, **registration_fields)
    assert hard_to_employ(indicators) == 1


@pytest.mark.parametrize(("same_person", "expected"), [(True, 1), (False, 0)])
def test_aid_exit_is_backed_only_by_the_same_persons_registration(make, indicators,
                                                                 same_person, expected):
    person = aid_exit(make, registration=False)
    make.employment(person if same_person else make.person(), MID)
    assert hard_to_employ(indicators) == expected
