"""The permission matrix of the routes added for issue 15: the county's confirmation before
closing a round and its reopening of a closed round, for every role, inside and outside."""
from __future__ import annotations

import pytest

from field_app.accounts.roles import Role
from tests.accounts.test_permission_matrix import INSIDE, OUTSIDE, Route, _send
from tests.accounts.test_permission_matrix_survey import STATISTICIAN, survey_sides  # noqa: F401

WEBFIX_MATRIX = [
    # The confirmation page: what is still open in the round.
    Route("survey.close", "GET", "/survey/rounds/{round}/close", STATISTICIAN, 200),
    # The round is open: refused with a message (tests/surveys covers a closed one).
    Route("survey.reopen", "POST", "/survey/rounds/{round}/reopen", STATISTICIAN, 422,
          data={"reason": "误点结束"}),
]

CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in WEBFIX_MATRIX for role in Role for where in (INSIDE, OUTSIDE)]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_round_routes_answer_only_the_county_statistician_inside(client, survey_sides,  # noqa: F811
                                                                  login_as, route, role, where):
    login_as(role)
    response = _send(client, route, survey_sides[where])
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where), body[:300]
    assert survey_sides[OUTSIDE]["household"] not in body
