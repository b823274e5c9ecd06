"""The permission matrix of the targets pages: who sets targets (the level directly above),
who enters reported figures (statisticians, their subtree), who reads the reconciliation
(every statistics reader, its subtree); outside is 404."""
from __future__ import annotations

import pytest

from field_app.accounts.roles import Role
from field_app.extensions import db
from tests.accounts.test_permission_matrix import ALL, EXTRA_TREE, INSIDE, OUTSIDE, STATISTICS, Route

SETTERS = frozenset({Role.COUNTY_STATISTICIAN, Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN})
REPORTERS = SETTERS
# (inside, outside) for each role: a division in its subtree and the nearest one beside it.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201100201", "152201001001"),
    Role.TOWNSHIP_REVIEWER: ("152201100201", "152201001000"),
    Role.COUNTY_STATISTICIAN: ("152201100000", "152202000000"),
    Role.COUNTY_LEADER: ("152201100000", "152202000000"),
    Role.COUNTY_ADMIN: ("152201100000", "152202000000"),
    Role.LEAGUE_STATISTICIAN: ("152202000000", "150102000000"),
    Role.LEAGUE_ADMIN: ("152202000000", "150102000000"),
    Role.REGION_STATISTICIAN: ("150102000000", "140105000000"),
    Role.REGION_ADMIN: ("150102000000", "140105000000"),
    Role.AUDITOR: ("152201000000", "150102000000"),
}
# The routes without a division in the URL work on the account's own division: "outside"
# has no meaning there (None).
TARGETS_MATRIX = [
    Route("targets.annual", "GET", "/targets/annual?year=2026", SETTERS, 200, outside=None),
    Route("targets.annual", "POST", "/targets/annual?year=2026", SETTERS, 302, outside=None,
          data={}),
    Route("targets.annual_template", "GET", "/targets/annual/template.xlsx", SETTERS, 200,
          outside=None),
    Route("targets.annual_import", "POST", "/targets/annual/import", SETTERS, 422,
          outside=None, data={}),
    Route("targets.reported", "GET", "/targets/reported/{division}", REPORTERS, 200),
    Route("targets.reported", "POST", "/targets/reported/{division}", REPORTERS, 302,
          data={"new_employment_gross": "5"}),
    Route("targets.reported_template", "GET", "/targets/reported/{division}/template.xlsx",
          REPORTERS, 200),
    Route("targets.reported_import", "POST", "/targets/reported/import", REPORTERS, 422,
          outside=None, data={}),
    Route("targets.reconciliation", "GET", "/targets/reconciliation/{division}", STATISTICS,
          200),
]
assert ALL >= SETTERS

CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in TARGETS_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_targets_routes_answer_each_role_inside_and_outside(client, make, login_as, route, role,
                                                            where):
    for code, name, parent in EXTRA_TREE:
        make.division(code, name, parent)
    db.session.commit()
    login_as(role)
    division = SIDES[role][0 if where == INSIDE else 1]
    url = route.url.format(division=division)
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=route.data or {})
    expected = route.expected(role, where) if route.outside is not None else (
        route.status if role in route.allowed else 404)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]


def test_the_capabilities_are_held_by_exactly_these_roles():
    from field_app.accounts.capabilities import Capability, holders

    assert holders(Capability.SET_TARGETS) == SETTERS
    assert holders(Capability.ENTER_REPORTED_FIGURES) == REPORTERS
