"""The permission matrix of the figure explanations (/divisions/<code>/explain/...): the
holders of ``explain_figures`` read the persons behind a figure of their subtree, masked;
everyone else, and everything outside, is 404 and names no one. ``test_permission_matrix``
counts these rows in its coverage test."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.core.identifiers import mask_id_number
from field_app.extensions import db
from tests.accounts.test_permission_matrix import EXTRA_TREE, INSIDE, OUTSIDE, Route

EXPLAINERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN, Role.COUNTY_LEADER,
                        Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN})

# (where the role signs in, inside, outside): inside is the community the person is employed
# in, outside the other banner's village or a division of another league or region.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201001001", "152201001001", "152202100201"),
    Role.TOWNSHIP_REVIEWER: ("152201001000", "152201001001", "152202100201"),
    Role.COUNTY_STATISTICIAN: ("152201000000", "152201001001", "152202100201"),
    Role.COUNTY_LEADER: ("152201000000", "152201001001", "152202100201"),
    Role.COUNTY_ADMIN: ("152201000000", "152201001001", "152202100201"),
    Role.LEAGUE_STATISTICIAN: ("152200000000", "152201001001", "150102000000"),
    Role.REGION_STATISTICIAN: ("150000000000", "152201001001", "140105000000"),
    Role.LEAGUE_ADMIN: ("152200000000", "152201001001", "150102000000"),
    Role.REGION_ADMIN: ("150000000000", "152201001001", "140105000000"),
    Role.AUDITOR: ("152200000000", "152201001001", "150102000000"),
}

EXPLAIN_MATRIX = [
    Route("statistics.explain", "GET",
          "/divisions/{division}/explain/new_employment_gross?period=2026", EXPLAINERS, 200,
          shows="name"),
    Route("statistics.explain_difference", "GET",
          "/divisions/{division}/explain/new_employment_gross/diff?period=2026&against=2025",
          EXPLAINERS, 200, shows="name"),
]
FIGURE_ROUTE = Route("statistics.explain", "GET",
                     "/divisions/{division}/explain/employed_total?period=2026", EXPLAINERS,
                     200)


def test_the_matrix_expects_the_roles_the_capability_table_grants():
    assert holders(Capability.EXPLAIN_FIGURES) == EXPLAINERS


@pytest.fixture
def explain_sides(make):
    """``explain_sides(role)``: one person employed in 2026 on each side, committed."""

    def build(role: Role) -> dict[str, dict[str, str]]:
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        sides = {}
        for where, code in zip((INSIDE, OUTSIDE), SIDES[role][1:]):
            person = make.person(dt.date(1990, 1, 1), name=f"{where}某某")
            make.employment(person, dt.date(2026, 3, 1), division=code)
            sides[where] = {"division": code, "name": person.name,
                            "id_number": person.id_number}
        db.session.commit()
        return sides

    return build


CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in EXPLAIN_MATRIX + [FIGURE_ROUTE] for role in Role
         for where in (INSIDE, OUTSIDE)]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_explainers_read_the_persons_of_their_subtree_only_and_masked(
        client, explain_sides, login_as, route, role, where):
    sides = explain_sides(role)
    login_as(role, SIDES[role][0])
    side = sides[where]
    response = client.get(route.url.format(**side))
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where)
    for marker in (sides[OUTSIDE]["name"], sides[OUTSIDE]["id_number"],
                   mask_id_number(sides[OUTSIDE]["id_number"])):
        assert marker not in body
    assert side["id_number"] not in body  # never in full on the web
    if route.shows and role in route.allowed and where == INSIDE:
        assert side["name"] in body
        assert mask_id_number(side["id_number"]) in body


@pytest.mark.parametrize("route", EXPLAIN_MATRIX + [FIGURE_ROUTE], ids=str)
def test_signed_out_visitor_is_sent_to_sign_in(client, explain_sides, route):
    side = explain_sides(Role.REGION_ADMIN)[INSIDE]
    response = client.get(route.url.format(**side))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert side["name"] not in response.get_data(as_text=True)
