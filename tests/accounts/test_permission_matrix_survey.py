"""The permission matrix of the household survey: the collector's app and its API, the
county's rounds and the township's review, for every role, inside and outside its subtree."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from tests.accounts.test_permission_matrix import INSIDE, OUTSIDE, Route, _send

COLLECTOR = frozenset({Role.VILLAGE_COLLECTOR})
REVIEWER = frozenset({Role.TOWNSHIP_REVIEWER})
STATISTICIAN = frozenset({Role.COUNTY_STATISTICIAN})
COUNTY = frozenset({Role.COUNTY_STATISTICIAN, Role.COUNTY_LEADER})
# Issue 14: the league and the region read every county's rounds (VIEW_ROUNDS).
ROUND_READERS = COUNTY | {Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN}

SURVEY_MATRIX = [
    # The collector's own village: no target to be outside of.
    Route("survey.app", "GET", "/survey/", COLLECTOR, 200, outside=None),
    Route("survey.worker", "GET", "/survey/sw.js", COLLECTOR, 200, outside=None),
    Route("api.survey_session", "GET", "/api/survey/session", COLLECTOR, 200, outside=None),
    Route("api.survey_roster", "GET", "/api/survey/roster", COLLECTOR, 200, outside=None),
    Route("api.survey_person", "GET", "/api/survey/person?id_number={household}",
          COLLECTOR, 200, outside=None),
    # Reached, and refused for want of the CSRF header (tests/surveys covers the rest).
    Route("api.survey_sync", "POST", "/api/survey/sync", COLLECTOR, 400, outside=None),
    Route("survey.rounds", "GET", "/survey/rounds", ROUND_READERS, 200, outside=None),
    # A round is open already: refused with a message.
    Route("survey.open_round", "POST", "/survey/rounds", STATISTICIAN, 422, outside=None,
          data={"year": "2027"}),
    Route("survey.close", "POST", "/survey/rounds/{round}/close", STATISTICIAN, 302,
          data={"confirm": "y"}),
    Route("review.index", "GET", "/review/", REVIEWER, 200, outside=None),
    Route("review.village", "GET", "/review/villages/{village}", REVIEWER, 200),
    Route("review.household", "GET", "/review/households/{survey}", REVIEWER, 200),
    Route("review.household", "POST", "/review/households/{survey}", REVIEWER, 302,
          data={"approve": "1", "confirmed": "1"}),
]

# Inside and outside for each role: the survey's places are villages, townships, counties.
PLACES = {
    INSIDE: ("152201000000", "152201100201"),
    OUTSIDE: ("152202000000", "152202100201"),
}


@pytest.fixture
def survey_sides(make):
    sides = {}
    for where, (county, village) in PLACES.items():
        household = make.household(village)
        make.member(make.person(), household)
        round_ = make.survey_round(county)
        survey = db.session.scalar(select(HouseholdSurvey).where(
            HouseholdSurvey.household_id == household.id))
        survey.status = SurveyStatus.SUBMITTED
        survey.submitted_at, survey.submitted_by_id = clock.now(), round_.opened_by_id
        sides[where] = {"round": str(round_.id), "village": village,
                        "survey": str(survey.id), "household": household.code}
    db.session.commit()
    return sides


CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in SURVEY_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_survey_routes_answer_only_their_roles_inside_their_subtree(client, survey_sides,
                                                                    login_as, route, role, where):
    login_as(role)
    response = _send(client, route, survey_sides[where])
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where), body[:300]
    assert survey_sides[OUTSIDE]["household"] not in body


def test_every_survey_route_is_in_the_matrix(app):
    routed = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(("survey.", "review.", "api.survey"))
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    from tests.accounts.test_permission_matrix_webfix import WEBFIX_MATRIX
    from tests.accounts.test_permission_matrix_webfix2 import WEBFIX2_MATRIX
    from tests.accounts.test_permission_matrix_appraisal import APPRAISAL_MATRIX

    assert routed == {(r.endpoint, r.method)
                      for r in SURVEY_MATRIX + WEBFIX_MATRIX + WEBFIX2_MATRIX + APPRAISAL_MATRIX
                      if r.endpoint.startswith(("survey.", "review.", "api.survey"))}

