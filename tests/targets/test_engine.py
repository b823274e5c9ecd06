"""The engine's additions: the employed total's as-of date, review coverage and the
"approved" survey basis of the rural figures."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import update

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.indicators import Policy, employed_total_basis, review_coverage
from field_app.indicators.policy import policy_from
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus

BANNER, TOWNSHIP, VILLAGE = "152201000000", "152201100000", "152201100201"
A, B = dt.date(2026, 1, 1), dt.date(2026, 9, 30)
APPROVED = Policy(survey_basis="approved")


def approve(make, household_id: int, status=SurveyStatus.APPROVED) -> None:
    reviewer = make.user("township_reviewer")
    now = clock.now()
    db.session.execute(update(HouseholdSurvey).where(HouseholdSurvey.household_id == household_id)
                       .values(status=status, submitted_at=now, submitted_by_id=reviewer.id,
                               reviewed_at=now, reviewed_by_id=reviewer.id))


def two_transfer_households(make):
    """Two surveyed households of the village, each with a transferred worker and a
    trainee; the first approved in the 2026 round, the second only entered."""
    households = []
    for _ in range(2):
        household = make.household(VILLAGE)
        worker, trainee = make.person(), make.person(dt.date(1985, 3, 1), "female")
        make.member(worker, household)
        make.member(trainee, household, relation="spouse")
        make.spell(worker, dt.date(2026, 3, 1))
        make.training(trainee, dt.date(2026, 5, 20))
        households.append(household)
    make.survey_round(BANNER, 2026)
    approve(make, households[0].id)
    db.session.flush()
    return households


def test_with_the_default_basis_every_synced_household_counts(make, indicators):
    two_transfer_households(make)
    values = indicators(BANNER, A, B)
    assert (values["rural_transfer"], values["rural_training"]) == (2, 2)
    assert indicators(BANNER, A, B, Policy(survey_basis="synced")) == values


def test_with_the_approved_basis_an_unreviewed_households_persons_drop_out(make, indicators):
    two_transfer_households(make)
    values = indicators(BANNER, A, B, APPROVED)
    assert (values["rural_transfer"], values["new_generation_transfer"],
            values["rural_training"]) == (1, 1, 1)
    # The urban figures do not rest on the survey and do not move.
    assert values["registered_unemployed"] == indicators(BANNER, A, B)["registered_unemployed"]


def test_a_household_returned_after_approval_is_no_longer_counted(make, indicators):
    households = two_transfer_households(make)
    approve(make, households[0].id, SurveyStatus.RETURNED)
    assert indicators(BANNER, A, B, APPROVED)["rural_transfer"] == 0


def test_only_the_latest_round_up_to_the_periods_year_decides(make, indicators):
    households = two_transfer_households(make)
    # The 2026 round approved the first household; a 2027 round (not yet reviewed) does
    # not matter for a 2026 period.
    from field_app.surveys.models import SurveyRound
    db.session.execute(update(SurveyRound).values(closed_at=clock.now(),
                                                  closed_by_id=make.user("county_statistician").id))
    make.survey_round(BANNER, 2027)
    db.session.flush()
    assert indicators(BANNER, A, B, APPROVED)["rural_transfer"] == 1
    assert indicators(BANNER, dt.date(2027, 1, 1), dt.date(2027, 3, 31),
                      APPROVED)["rural_transfer"] == 0
    assert households


def test_coverage_counts_the_households_behind_the_rural_figures(make, app_ctx):
    two_transfer_households(make)
    make.rural_person(village=VILLAGE)  # a household with nobody counted: not behind a figure
    db.session.flush()
    coverage = review_coverage(db.session.connection(), BANNER, A, B)
    assert (coverage.households, coverage.approved, str(coverage.share)) == (2, 1, "50.0")
    assert coverage.basis == "synced"
    # On the approved basis the households behind the spec's figures are still two.
    approved = review_coverage(db.session.connection(), TOWNSHIP, A, B, APPROVED)
    assert (approved.households, approved.approved, approved.basis) == (2, 1, "approved")
    assert review_coverage(db.session.connection(), "152202000000", A, B).share is None


def test_the_setting_chooses_the_basis(app):
    config = dict(app.config, SURVEY_BASIS="approved")
    assert policy_from(config).survey_basis == "approved"
    assert policy_from(app.config).survey_basis == "synced"
    assert dataclasses.replace(policy_from(config), survey_basis="synced") == policy_from(app.config)


def test_the_employed_total_says_which_date_it_is_as_of(make, app_ctx):
    connection = db.session.connection
    make.employed_total(TOWNSHIP, B, 500)
    make.employed_total("152201001000", dt.date(2026, 6, 30), 300)
    db.session.flush()
    basis = employed_total_basis(connection(), TOWNSHIP, B)
    assert (basis.value, basis.as_of, basis.children_sum) == (500, B, False)
    # Rule 7 step 3: the latest figure of the year before b.
    recent = employed_total_basis(connection(), "152201001000", B)
    assert (recent.value, recent.as_of) == (300, dt.date(2026, 6, 30))
    # Step 2: every child has a value, the banner none of its own: 下级合计.
    summed = employed_total_basis(connection(), BANNER, B)
    assert (summed.value, summed.as_of, summed.children_sum) == (800, None, True)
    empty = employed_total_basis(connection(), "152202000000", B)
    assert (empty.value, empty.as_of, empty.children_sum) == (None, None, False)
