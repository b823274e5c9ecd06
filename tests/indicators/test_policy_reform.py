"""Policy ``reform-2025``: the retirement-age reform by birth month, from 2025-01-01.

The schedule's edges: the first cohorts (men born January 1965, women January 1970: one
month more), the steps of four months, the last cohorts (men from September 1976, women
from September 1981: 36 months more), birthdays on the 29th-31st of a month whose target
month is shorter, and dates before the reform, where nothing changes.
"""
from __future__ import annotations

import calendar
import datetime as dt

import pytest
from sqlalchemy import literal, select

from field_app.extensions import db
from field_app.households.models import Person
from field_app.indicators import Policy
from field_app.indicators.policy import NOTICE_2019, REFORM_2025
from field_app.indicators.rules import working_age
from tests.indicators.support import BANNER, d

REFORM = Policy.named(REFORM_2025)
NOTICE = Policy.named(NOTICE_2019)
ONE_DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(("birth", "male", "retires"), [
    pytest.param(d("1964-12-31"), True, d("2024-12-31"), id="man-born-before-the-first-cohort"),
    pytest.param(d("1965-01-15"), True, d("2025-02-15"), id="first-male-cohort-one-month"),
    pytest.param(d("1965-04-30"), True, d("2025-05-30"), id="fourth-month-still-one-month"),
    pytest.param(d("1965-05-01"), True, d("2025-07-01"), id="fifth-month-two-months"),
    pytest.param(d("1976-08-31"), True, d("2039-07-31"), id="last-male-cohort-before-the-cap"),
    pytest.param(d("1976-09-01"), True, d("2039-09-01"), id="first-male-cohort-at-63"),
    pytest.param(d("1990-03-10"), True, d("2053-03-10"), id="later-man-at-63"),
    pytest.param(d("1969-12-31"), False, d("2024-12-31"), id="woman-born-before-the-first-cohort"),
    pytest.param(d("1970-01-31"), False, d("2025-02-28"), id="first-female-cohort-31st-to-february"),
    pytest.param(d("1970-03-31"), False, d("2025-04-30"), id="31st-to-a-30-day-month"),
    pytest.param(d("1965-11-29"), True, d("2026-02-28"), id="29th-to-a-common-february"),
    pytest.param(d("1967-06-30"), True, d("2028-02-29"), id="30th-to-a-leap-february"),
    pytest.param(d("1981-08-31"), False, d("2039-07-31"), id="last-female-cohort-before-the-cap"),
    pytest.param(d("1981-09-30"), False, d("2039-09-30"), id="first-female-cohort-at-58"),
])
def test_retirement_dates_follow_the_schedule(birth, male, retires):
    assert REFORM.retirement_date(birth, male, retires) == retires


def test_a_29th_reaching_a_leap_february_keeps_its_day():
    # Which 29ths reach a February is the schedule's business: find them rather than
    # hand-compute one, then check the leap-year ones keep the 29th.
    hits = [(b, REFORM.retirement_date(b, True, dt.date(2030, 1, 1)))
            for b in (dt.date(y, m, 29) for y in range(1965, 1982) for m in range(1, 13)
                      if m != 2)]
    leap = [(b, r) for b, r in hits if r.month == 2 and r.day == 29]
    assert leap, "the schedule reaches a leap February for some 29th"
    assert all(calendar.isleap(r.year) for _, r in leap)
    common = [(b, r) for b, r in hits if r.month == 2 and not calendar.isleap(r.year)]
    assert common and all(r.day == 28 for _, r in common)


def test_the_reform_changes_nothing_before_it_is_in_force():
    for birth, male in ((d("1965-01-15"), True), (d("1970-01-31"), False)):
        on = dt.date(2024, 12, 31)
        assert REFORM.retirement_date(birth, male, on) == NOTICE.retirement_date(birth, male, on)


def _persons(make, births):
    people = [make.person(birth, "male" if male else "female") for birth, male in births]
    db.session.flush()
    return people


def _working(policy, person_ids, on, *, as_column: bool):
    p = Person.__table__
    day = literal(on) if as_column else on
    query = select(p.c.id).where(p.c.id.in_(person_ids), working_age(p, day, policy))
    return set(db.session.scalars(query))


SWEEP = [(dt.date(y, m, day), male)
         for y in (1964, 1965, 1968, 1970, 1972, 1976, 1977, 1981, 1982)
         for m in (1, 2, 4, 8, 9, 12) for day in (1, 28, 29, 30, 31)
         for male in (True, False)
         if day <= calendar.monthrange(y, m)[1]]


@pytest.mark.parametrize("as_column", [False, True], ids=["date", "date-column"])
def test_sql_agrees_with_the_schedule_the_day_before_and_the_day_of_retirement(
        app_ctx, make, as_column):
    people = _persons(make, SWEEP)
    by_day: dict[dt.date, set[int]] = {}
    for person, (birth, male) in zip(people, SWEEP):
        retires = REFORM.retirement_date(birth, male, dt.date(2030, 1, 1))
        if retires < REFORM.reform.in_force:
            continue
        by_day.setdefault(retires - ONE_DAY, set()).add(("in", person.id))
        by_day.setdefault(retires, set()).add(("out", person.id))
    assert len(by_day) > 40
    for on, expectations in by_day.items():
        ids = [pid for _, pid in expectations]
        working = _working(REFORM, ids, on, as_column=as_column)
        for state, pid in expectations:
            assert (pid in working) == (state == "in"), (on, state, pid)


@pytest.mark.parametrize("policy", [NOTICE, REFORM], ids=[NOTICE_2019, REFORM_2025])
def test_before_2025_both_policies_count_alike(make, indicators, policy):
    man = make.person(d("1964-06-15"), "male")  # 60 on 2024-06-15
    make.unemployment(man, d("2024-01-10"))
    assert indicators(BANNER, d("2024-01-01"), d("2024-06-14"), policy)["registered_unemployed"] == 1
    assert indicators(BANNER, d("2024-01-01"), d("2024-06-15"), policy)["registered_unemployed"] == 0


def test_a_man_of_the_first_cohort_counts_one_month_longer_under_the_reform(make, indicators):
    man = make.person(d("1965-01-15"), "male")
    make.unemployment(man, d("2024-06-01"))
    period = (d("2025-02-01"), d("2025-02-14"))
    assert indicators(BANNER, *period, NOTICE)["registered_unemployed"] == 0
    assert indicators(BANNER, *period, REFORM)["registered_unemployed"] == 1
    assert indicators(BANNER, d("2025-02-01"), d("2025-02-15"), REFORM)["registered_unemployed"] == 0


def test_employment_start_ages_use_the_reform_by_registration_date(make, indicators):
    woman = make.person(d("1981-09-30"), "female")  # 58 on 2039-09-30 under the reform
    make.employment(woman, d("2039-09-29"))
    year = (d("2039-01-01"), d("2039-12-31"))
    assert indicators(BANNER, *year, REFORM)["new_employment_gross"] == 1
    assert indicators(BANNER, *year, NOTICE)["new_employment_gross"] == 0


def test_an_unknown_policy_name_is_refused():
    with pytest.raises(ValueError, match="unknown policy"):
        Policy.named("reform-2030")
