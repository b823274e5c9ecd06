"""The permission matrix of the route added for issue 15 (5): the county drills from a
round's progress by township into one township's villages, for every role, inside and
outside its subtree."""
from __future__ import annotations

import pytest

from field_app.accounts.roles import Role
from tests.accounts.test_permission_matrix import INSIDE, OUTSIDE, Route, _send
from tests.accounts.test_permission_matrix_survey import (  # noqa: F401
    COUNTY,
    ROUND_READERS,
    survey_sides,
)

WEBFIX2_MATRIX = [
    # Both sides lie in the league's and the region's subtree (issue 14): 200 on each.
    Route("survey.township_progress", "GET", "/survey/rounds/{round}/townships/{township}",
          ROUND_READERS, 200, by_role=dict.fromkeys(ROUND_READERS - COUNTY, 200)),
]

CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in WEBFIX2_MATRIX for role in Role for where in (INSIDE, OUTSIDE)]


@pytest.fixture
def sides(survey_sides):  # noqa: F811
    return {where: side | {"township": side["village"][:9] + "000"}
            for where, side in survey_sides.items()}


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_township_progress_answers_only_the_county_inside(client, sides, login_as, route,
                                                          role, where):
    login_as(role)
    response = _send(client, route, sides[where])
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where), body[:300]
    assert sides[OUTSIDE]["household"] not in body
    if role not in ROUND_READERS - COUNTY:  # the outside village is never named (the
        # league's and the region's own excepted)
        assert "林俗村" not in body
    if response.status_code == 200:
        # the township's village, with its progress
        assert ("葛根庙嘎查" if where == INSIDE else "林俗村") in body
