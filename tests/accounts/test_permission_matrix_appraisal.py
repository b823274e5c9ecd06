"""The permission matrix of issue 14's appraisal (考核) and the league's and region's survey
progress: who reads the scoreboard (VIEW_APPRAISAL, its subtree), who issues, closes and
reopens rectification notices (ISSUE_RECTIFICATION, the office directly above), who answers
them (SUBMIT_REPORTS, the division told), who reads a county's rounds (VIEW_ROUNDS); every
role, inside and outside its subtree; outside is 404 and never named."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.appraisal.models import NoticeState
from field_app.core.clock import clock
from field_app.extensions import db
from tests.accounts.test_permission_matrix import EXTRA_TREE, INSIDE, OUTSIDE, Route, _send
from tests.accounts.test_permission_matrix_survey import ROUND_READERS
from tests.appraisal.helpers import add_notice
from tests.factories import DIVISION_FOR_ROLE

R = Role
APPRAISERS = frozenset({R.COUNTY_STATISTICIAN, R.COUNTY_LEADER, R.LEAGUE_STATISTICIAN,
                        R.REGION_STATISTICIAN, R.LEAGUE_ADMIN, R.REGION_ADMIN})
ISSUERS = frozenset({R.COUNTY_STATISTICIAN, R.LEAGUE_STATISTICIAN, R.REGION_STATISTICIAN})
ANSWERERS = frozenset({R.TOWNSHIP_REVIEWER, R.COUNTY_STATISTICIAN, R.LEAGUE_STATISTICIAN})
NOTICE_READERS = APPRAISERS | ISSUERS | ANSWERERS

APPRAISAL_MATRIX = [
    Route("appraisal.index", "GET", "/appraisal/", NOTICE_READERS, 302, outside=None),
    Route("appraisal.board", "GET", "/appraisal/{own}?period=2026-11", APPRAISERS, 200),
    Route("appraisal.notices", "GET", "/appraisal/notices?division={own}", NOTICE_READERS, 200),
    Route("appraisal.notice", "GET", "/appraisal/notices/{own_notice}", NOTICE_READERS, 200),
    Route("appraisal.answer", "POST", "/appraisal/notices/{own_notice}/answer", ANSWERERS, 302,
          data={"answer-answer": "已更正"}),
    Route("appraisal.new_notice", "GET", "/appraisal/{child}/notices/new", ISSUERS, 200),
    Route("appraisal.new_notice", "POST", "/appraisal/{child}/notices/new", ISSUERS, 302,
          data={"issue": "请更正", "deadline": "2026-12-31"}),
    Route("appraisal.close", "POST", "/appraisal/notices/{child_notice}/close", ISSUERS, 302),
    Route("appraisal.reopen", "POST", "/appraisal/notices/{child_notice}/reopen", ISSUERS, 302,
          data={"reopen-reason": "不完整"}),
    Route("survey.county_rounds", "GET", "/survey/counties/{county}", ROUND_READERS, 200),
]
assert APPRAISERS == holders(Capability.VIEW_APPRAISAL)
assert ISSUERS == holders(Capability.ISSUE_RECTIFICATION)
assert ANSWERERS == holders(Capability.SUBMIT_REPORTS)

# For each level of a role's division: a division beside it (outside), a child of it and of
# that outside one, and the county to read the rounds of (inside, outside).
PLACES = {
    "152201100201": {"beside": "152202100201", "child": None, "beside_child": None,
                     "county": ("152201000000", "152202000000")},
    "152201100000": {"beside": "152202100000", "child": "152201100201",
                     "beside_child": "152202100201", "county": ("152201000000", "152202000000")},
    "152201000000": {"beside": "152202000000", "child": "152201100000",
                     "beside_child": "152202100000", "county": ("152201000000", "152202000000")},
    "152200000000": {"beside": "150100000000", "child": "152201000000",
                     "beside_child": "150102000000", "county": ("152201000000", "150102000000")},
    "150000000000": {"beside": "140000000000", "child": "152200000000",
                     "beside_child": "140100000000", "county": ("152201000000", "140105000000")},
}
PARENTS = {"152201100201": "152201100000", "152201100000": "152201000000",
           "152201000000": "152200000000", "152200000000": "150000000000",
           "150000000000": None, "152202100201": "152202100000", "152202100000": "152202000000",
           "152202000000": "152200000000", "150100000000": "150000000000",
           "140000000000": None, "150102000000": "150100000000", "140100000000": "140000000000"}
MARK = "外辖区通知"  # the issue text of every outside notice: never shown


@pytest.fixture
def places(make):
    """``{role: {INSIDE: values, OUTSIDE: values}}`` built lazily per role."""
    clock.set(dt.datetime(2026, 12, 10, 9, 0))
    for code, name, parent in EXTRA_TREE:
        make.division(code, name, parent)
    db.session.flush()

    def build(role):
        own = DIVISION_FOR_ROLE[role]
        place = PLACES[own]
        sides = {}
        for where, division, child in ((INSIDE, own, place["child"]),
                                       (OUTSIDE, place["beside"], place["beside_child"])):
            issue = MARK if where == OUTSIDE else "请核实本期报表数"
            parent = PARENTS[division]
            own_notice = add_notice(division, parent or division, issue=issue)
            child_notice = (add_notice(child, division, NoticeState.ANSWERED, issue=issue)
                            if child else own_notice)
            sides[where] = {"own": division, "child": child or division,
                            "own_notice": str(own_notice.id),
                            "child_notice": str(child_notice.id),
                            "county": place["county"][0 if where == INSIDE else 1]}
        db.session.commit()
        return sides

    return build


CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in APPRAISAL_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_appraisal_routes_answer_only_their_roles_inside_their_subtree(client, places,
                                                                      login_as, route, role,
                                                                      where):
    sides = places(role)
    login_as(role)
    response = _send(client, route, sides[where])
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where), body[:300]
    assert MARK not in body
