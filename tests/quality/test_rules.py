"""Every rule of the catalogue: records that trigger it, and records just beside the edge
that do not."""
from __future__ import annotations

import datetime as dt
import math
import random
import statistics

from geoalchemy2 import WKTElement

from field_app.extensions import db
from field_app.households.models import Household
from field_app.quality.rules import RULES
from field_app.review.models import HouseholdSurvey
from field_app.surveys.models import SurveyRound
from tests.factories import uscc_for

D = dt.date
VILLAGE = "152201100201"
DESK = "152201001001"


def _keys(found):
    return {(r["file"], r["key"]) for f in found.values() for r in f.records}


def _subjects_of(found, file, ids):
    return {f"{file}:{i}" for i in ids} & set(found)


def test_catalogue_codes_are_unique_and_each_rule_has_a_description():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes)) >= 17
    assert all(str(rule.description) for rule in RULES)


# --- blanks ---------------------------------------------------------------------------------

def test_spell_without_destination_in_the_period_is_found(make, findings):
    person = make.rural_person()
    blank = make.spell(person, D(2026, 3, 1), destination=None)
    make.spell(person, D(2025, 1, 1), D(2025, 12, 31), destination=None)  # before the period
    other = make.rural_person()
    make.spell(other, D(2026, 3, 1))
    found = findings("Q-BLANK-SPELL-DEST")
    assert set(found) == {str(blank.id)}
    assert found[str(blank.id)].records[0]["key"] == f"{person.id_number}|2026-03-01|non_agri"


def test_spell_without_industry_is_found_and_one_with_it_is_not(make, findings):
    person = make.rural_person()
    blank = make.spell(person, D(2026, 3, 1))
    blank.industry = None
    make.spell(person, D(2026, 5, 1))
    make.spell(person, D(2027, 1, 1)).industry = None  # after the period
    db.session.flush()
    assert set(findings("Q-BLANK-SPELL-INDUSTRY")) == {str(blank.id)}


def test_training_without_institution_is_found(make, findings):
    person = make.rural_person()
    blank = make.training(person, D(2026, 4, 10))
    blank.institution = "  "
    make.training(person, D(2026, 5, 10))
    late = make.training(person, D(2027, 1, 20), start=D(2027, 1, 1))
    late.institution = None
    db.session.flush()
    found = findings("Q-BLANK-TRAINING-INST")
    assert set(found) == {str(blank.id)}
    assert found[str(blank.id)].records[0]["file"] == "trainings"


def test_household_without_location_is_found(make, findings):
    bare = make.household(VILLAGE)
    located = make.household(VILLAGE)
    located.location = WKTElement("POINT(122.0 46.0)", srid=4326)
    db.session.flush()
    found = findings("Q-BLANK-HOUSEHOLD-LOC")
    assert str(bare.id) in found and str(located.id) not in found
    assert found[str(bare.id)].records == [
        {"file": "households", "key": bare.code, "id": bare.id, "division": VILLAGE}]


# --- household structure --------------------------------------------------------------------

def test_household_without_head_is_found(make, findings):
    headless = make.household(VILLAGE)
    make.member(make.person(), headless, relation="spouse")
    headed = make.household(VILLAGE)
    make.member(make.person(), headed, relation="head")
    make.member(make.person(), headed, relation="child")
    found = findings("Q-HEAD-MISSING")
    assert str(headless.id) in found and str(headed.id) not in found
    assert found[str(headless.id)].params["n1"] == 1


def test_household_with_two_heads_is_found_with_both_heads(make, findings):
    double = make.household(VILLAGE)
    first, second = make.person(), make.person()
    make.member(first, double)
    make.member(second, double)
    single = make.household(VILLAGE)
    make.member(make.person(), single)
    found = findings("Q-HEAD-MULTIPLE")
    assert set(found) == {str(double.id)}
    assert [r["file"] for r in found[str(double.id)].records] == [
        "households", "household_members", "household_members"]
    assert {r["key"] for r in found[str(double.id)].records[1:]} == {first.id_number,
                                                                     second.id_number}


# --- time -----------------------------------------------------------------------------------

def test_spells_sharing_a_day_overlap_and_adjacent_spells_do_not(make, findings):
    person = make.rural_person()
    a = make.spell(person, D(2026, 1, 1), D(2026, 3, 1))
    b = make.spell(person, D(2026, 3, 1), kind="primary_after_land_transfer")
    neighbour = make.rural_person()
    make.spell(neighbour, D(2026, 1, 1), D(2026, 2, 28))
    make.spell(neighbour, D(2026, 3, 1))
    found = findings("Q-SPELL-OVERLAP")
    assert set(found) == {f"{a.id}-{b.id}"}
    assert [r["key"] for r in found[f"{a.id}-{b.id}"].records] == [
        f"{person.id_number}|2026-01-01|non_agri",
        f"{person.id_number}|2026-03-01|primary_after_land_transfer"]


def test_overlap_outside_the_period_is_not_a_finding_of_the_period(make, findings):
    person = make.rural_person()
    make.spell(person, D(2025, 1, 1), D(2025, 6, 1))
    make.spell(person, D(2025, 5, 1), D(2026, 3, 1))
    assert findings("Q-SPELL-OVERLAP") == {}
    assert len(findings("Q-SPELL-OVERLAP", period=(D(2025, 1, 1), D(2025, 12, 31)))) == 1


def test_records_begun_before_the_sixteenth_birthday_are_found(make, findings):
    young = make.person(D(2010, 6, 15))
    make.member(young, make.household(VILLAGE), relation="child")
    early_spell = make.spell(young, D(2026, 6, 14))
    make.spell(young, D(2026, 6, 15), kind="primary_after_land_transfer")
    early_training = make.training(young, D(2026, 6, 20), start=D(2026, 6, 14))
    make.training(young, D(2026, 6, 25), start=D(2026, 6, 15))
    early_job = make.employment(young, D(2026, 6, 14))
    make.employment(young, D(2026, 6, 15), employment_type="public_welfare_post")
    found = findings("Q-UNDER-16")
    assert set(found) == {f"transfer_spells:{early_spell.id}", f"trainings:{early_training.id}",
                          f"employment_registrations:{early_job.id}"}
    assert {f.params["n1"] for f in found.values()} == {15}


# --- registrations --------------------------------------------------------------------------

def test_employment_begun_before_the_unemployment_was_cancelled_is_found(make, findings):
    overlapping, adjacent = make.person(), make.person()
    job = make.employment(overlapping, D(2026, 2, 28))
    idle = make.unemployment(overlapping, D(2026, 1, 10), cancelled_on=D(2026, 3, 1))
    make.employment(adjacent, D(2026, 3, 1))
    make.unemployment(adjacent, D(2026, 1, 10), cancelled_on=D(2026, 3, 1))
    found = findings("Q-EMPLOYED-UNEMPLOYED")
    assert set(found) == {f"{job.id}-{idle.id}"}
    assert [r["key"] for r in found[f"{job.id}-{idle.id}"].records] == [
        job.registration_no, idle.registration_no]


def test_an_invalid_registration_does_not_conflict(make, findings):
    person = make.person()
    make.employment(person, D(2026, 2, 1), valid=False)
    make.unemployment(person, D(2026, 1, 10))
    assert findings("Q-EMPLOYED-UNEMPLOYED") == {}


def test_benefit_on_a_cancelled_or_invalid_registration_is_found(make, findings):
    cancelled = make.unemployment(make.person(), D(2026, 1, 10), cancelled_on=D(2026, 12, 31))
    invalid = make.unemployment(make.person(), D(2026, 1, 10), valid=False)
    still_open = make.unemployment(make.person(), D(2026, 1, 10), cancelled_on=D(2027, 1, 1))
    no_benefit = make.unemployment(make.person(), D(2026, 1, 10), cancelled_on=D(2026, 5, 1))
    for record in (cancelled, invalid, still_open):
        record.receives_benefit = True
    db.session.flush()
    assert no_benefit.receives_benefit is False
    assert set(findings("Q-BENEFIT-CLOSED")) == {str(cancelled.id), str(invalid.id)}


def test_one_credit_code_with_two_names_is_found(make, findings):
    code, other = uscc_for(11), uscc_for(12)
    first = make.employment(make.person(), D(2026, 2, 1), employment_type="unit",
                            employer_uscc=code)
    second = make.employment(make.person(), D(2026, 3, 1), employment_type="unit",
                             employer_uscc=code)
    second.employer_name = "另一个单位"
    spaced = make.employment(make.person(), D(2026, 3, 1), employment_type="unit",
                             employer_uscc=other)
    make.employment(make.person(), D(2026, 4, 1), employment_type="unit", employer_uscc=other)
    spaced.employer_name = " 某单位 "
    db.session.flush()
    found = findings("Q-EMPLOYER-NAMES")
    assert set(found) == {code}
    assert found[code].params == {"n1": 2, "label": code}
    assert {r["key"] for r in found[code].records} == {first.registration_no,
                                                       second.registration_no}


def test_registration_entered_more_than_sixty_days_late_is_found(make, findings):
    late = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 5, 1))  # 61
    make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 4, 30))  # 60
    found = findings("Q-LATE-ENTRY")
    assert set(found) == {str(late.id)}
    assert found[str(late.id)].params["n1"] == 61
    assert findings("Q-LATE-ENTRY", late_entry_days=61) == {}


# --- location -------------------------------------------------------------------------------

METRES_PER_DEGREE = 6_371_008.8 * 3.141592653589793 / 180


def _located(make, lon, lat, village=VILLAGE):
    household = make.household(village)
    household.location = WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)
    return household


def _cluster(make):
    for lon, lat in ((122.0, 46.0), (122.0001, 46.0), (121.9999, 46.0), (122.0, 46.0001),
                     (122.0, 45.9999)):
        _located(make, lon, lat)


def test_household_far_from_its_village_is_found(make, findings):
    _cluster(make)
    far = _located(make, 122.0, 46.0 + 2100 / METRES_PER_DEGREE)
    db.session.flush()
    found = findings("Q-LOC-OUTLIER")
    assert set(found) == {str(far.id)}
    assert round(found[str(far.id)].params["n1"]) == 2100


def test_household_just_within_the_distance_floor_is_not_found(make, findings):
    _cluster(make)
    _located(make, 122.0, 46.0 + 1900 / METRES_PER_DEGREE)
    db.session.flush()
    assert findings("Q-LOC-OUTLIER") == {}
    assert len(findings("Q-LOC-OUTLIER", location_min_metres=1800)) == 1


def test_villages_with_few_located_households_are_not_tested(make, findings):
    _cluster(make)
    _located(make, 122.0, 46.1)
    db.session.flush()
    assert len(findings("Q-LOC-OUTLIER")) == 1
    assert findings("Q-LOC-OUTLIER", location_min_households=7) == {}


def _reference_outliers(points, factor, min_metres, min_households):
    """The documented test computed in Python: ``points`` are ``(id, lon, lat)`` of one
    village; the ids flagged."""
    if len(points) < min_households:
        return set()
    mx = statistics.median(x for _, x, _ in points)
    my = statistics.median(y for _, _, y in points)

    def metres(x, y):
        half_dlat, half_dlon = math.radians(my - y) / 2, math.radians(mx - x) / 2
        h = (math.sin(half_dlat) ** 2
             + math.cos(math.radians(y)) * math.cos(math.radians(my)) * math.sin(half_dlon) ** 2)
        return 2 * 6_371_008.8 * math.asin(math.sqrt(min(h, 1.0)))

    d = {i: metres(x, y) for i, x, y in points}
    md = statistics.median(d.values())
    mad = statistics.median(abs(v - md) for v in d.values())
    return {i for i, v in d.items() if v > md + factor * mad and v > min_metres}


def test_location_outliers_follow_the_median_and_mad_of_each_village(make, findings):
    """Two spread villages (one with even, one with odd numbers of households) and a tight
    one, against the definition computed in Python for several factors and floors."""
    rng = random.Random(13)
    villages = {"152201100201": 12, "152202100201": 9, "152201001001": 6}
    points = {code: [] for code in villages}
    for code, n in villages.items():
        spread = 0.0002 if code == "152201001001" else 0.03
        for _ in range(n):
            lon, lat = 122.0 + rng.uniform(-spread, spread), 46.0 + rng.uniform(-spread, spread)
            points[code].append((_located(make, lon, lat, village=code).id, lon, lat))
        points[code].append((_located(make, 122.0 + 12 * spread, 46.0, village=code).id,
                             122.0 + 12 * spread, 46.0))
    db.session.flush()
    cases = [(5.0, 2000.0, 5), (1.0, 2000.0, 5), (0.5, 500.0, 5), (2.0, 0.0, 5),
             (1.0, 500.0, 11)]
    flagged_somewhere = False
    for factor, floor, least in cases:
        wanted = set().union(*(_reference_outliers(p, factor, floor, least)
                               for p in points.values()))
        found = findings("Q-LOC-OUTLIER", location_mad_factor=factor,
                         location_min_metres=floor, location_min_households=least)
        assert {int(subject) for subject in found} == wanted, (factor, floor, least)
        flagged_somewhere |= bool(wanted)
    assert flagged_somewhere


def test_household_outside_its_village_boundary_is_found(make, findings):
    from field_app.divisions.models import Division

    village = db.session.get(Division, VILLAGE)
    village.boundary = WKTElement(
        "MULTIPOLYGON(((121.99 45.99, 122.01 45.99, 122.01 46.01, 121.99 46.01, 121.99 45.99)))",
        srid=4326)
    inside = _located(make, 122.0, 46.0)
    on_line = _located(make, 122.01, 46.0)
    outside = _located(make, 122.0101, 46.0)
    unbounded = _located(make, 0.0, 0.0, village="152202100201")
    db.session.flush()
    found = findings("Q-LOC-OUTSIDE")
    assert set(found) == {str(outside.id)}
    assert not {str(inside.id), str(on_line.id), str(unbounded.id)} & set(found)


# --- review ---------------------------------------------------------------------------------

def _approve(make, household: Household, year: int = 2026):
    reviewer = make.user("township_reviewer")
    round_ = db.session.query(SurveyRound).filter_by(county_code="152201000000",
                                                     year=year).one_or_none()
    if round_ is None:
        round_ = SurveyRound(county_code="152201000000", year=year)
        db.session.add(round_)
        db.session.flush()
    now = dt.datetime(2026, 6, 1)
    db.session.add(HouseholdSurvey(round_id=round_.id, household_id=household.id,
                                   village_code=household.village_code, status="approved",
                                   submitted_at=now, submitted_by_id=reviewer.id,
                                   reviewed_at=now, reviewed_by_id=reviewer.id,
                                   return_count=0))
    db.session.flush()


def test_counted_household_not_yet_approved_is_found(make, findings):
    counted = make.rural_person()
    make.spell(counted, D(2026, 3, 1))
    approved = make.rural_person()
    make.spell(approved, D(2026, 3, 1))
    _approve(make, approved.membership.household)
    not_counted = make.rural_person()
    make.spell(not_counted, D(2025, 3, 1), D(2025, 4, 1))
    trained = make.rural_person()
    make.training(trained, D(2026, 5, 1))
    found = findings("Q-UNREVIEWED")
    assert set(found) == {str(counted.membership.household.id),
                          str(trained.membership.household.id)}


# --- fabrication signals --------------------------------------------------------------------

DECEMBER = (D(2026, 12, 1), D(2026, 12, 31))


def _hires(make, days, **kwargs):
    return [make.employment(make.person(), day, **kwargs) for day in days]


def test_last_week_far_above_the_usual_week_is_found(make, findings):
    last = _hires(make, [D(2026, 12, 25), D(2026, 12, 28), D(2026, 12, 31)])
    _hires(make, [D(2026, 12, 24)])  # the week before the last
    found = findings("Q-SURGE-LAST-WEEK", period=DECEMBER, surge_min=3)
    assert set(found) == {"152201001000"}
    assert {r["key"] for r in found["152201001000"].records} == {r.registration_no for r in last}
    assert found["152201001000"].params["n1"] == 3


def test_last_week_below_the_minimum_or_the_factor_is_not_found(make, findings):
    _hires(make, [D(2026, 12, 25), D(2026, 12, 31)])
    assert findings("Q-SURGE-LAST-WEEK", period=DECEMBER, surge_min=3) == {}
    _hires(make, [D(2026, 12, 26)])
    # Twelve earlier weeks with one hire each: a weekly mean of 1, and 3 is not above 3 x 1.
    _hires(make, [D(2026, 12, 24) - dt.timedelta(days=7 * k) for k in range(12)])
    assert findings("Q-SURGE-LAST-WEEK", period=DECEMBER, surge_min=3) == {}
    assert len(findings("Q-SURGE-LAST-WEEK", period=DECEMBER, surge_min=3,
                        surge_factor=2.9)) == 1


def test_employer_with_unusual_hires_in_a_month_is_found(make, findings):
    code = uscc_for(21)
    march = _hires(make, [D(2026, 3, 2), D(2026, 3, 10), D(2026, 3, 31)],
                   employment_type="unit", employer_uscc=code)
    found = findings("Q-SURGE-EMPLOYER", employer_month_min=3)
    assert set(found) == {f"{code}|2026-03"}
    assert {r["key"] for r in found[f"{code}|2026-03"].records} == {r.registration_no
                                                                     for r in march}


def test_employer_hiring_at_its_usual_pace_is_not_found(make, findings):
    code = uscc_for(22)
    _hires(make, [D(2026, 3, 2), D(2026, 3, 10), D(2026, 3, 31)], employment_type="unit",
           employer_uscc=code)
    _hires(make, [D(2025, month, 5) for month in range(3, 13)] + [D(2026, 1, 5), D(2026, 2, 5)],
           employment_type="unit", employer_uscc=code)
    assert findings("Q-SURGE-EMPLOYER", employer_month_min=3) == {}
    assert findings("Q-SURGE-EMPLOYER", employer_month_min=4, employer_month_factor=0.1) == {}
    assert len(findings("Q-SURGE-EMPLOYER", employer_month_min=3,
                        employer_month_factor=2.9)) == 1


def test_rules_see_only_the_division_subtree(make, findings):
    person = make.person()
    make.employment(person, D(2026, 3, 1), registered_on=D(2026, 6, 1), division=DESK)
    assert len(findings("Q-LATE-ENTRY", division="152201000000")) == 1
    assert findings("Q-LATE-ENTRY", division="152202000000") == {}
