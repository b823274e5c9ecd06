"""The permission matrix of the trends page (/divisions/<code>/trends, issue 14): every
reader of a division's statistics sees its trends, inside its subtree only; outside, and
for the auditor, 404 that names nothing outside. ``test_permission_matrix`` counts these
rows in its coverage test."""
from __future__ import annotations

import pytest

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.extensions import db
from tests.accounts.test_permission_matrix import EXTRA_TREE, INSIDE, OUTSIDE, STATISTICS, \
    Route, _send
from tests.factories import DIVISION_FOR_ROLE

TRENDS_MATRIX = [
    Route("statistics.trends", "GET",
          "/divisions/{division}/trends?figure=rural_transfer&kind=month", STATISTICS, 200),
]
# Outside: the other banner of the league for a county's account and below; another league
# of the region for the league's; another province for the region's.
OUTSIDE_OF = {"152200000000": ("150102000000", "新城区"),
              "150000000000": ("140105000000", "小店区")}
NEAR_OUTSIDE = ("152202000000", "阿尔山市")

CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in TRENDS_MATRIX for role in Role for where in (INSIDE, OUTSIDE)]


def test_the_matrix_expects_the_readers_of_statistics():
    assert holders(Capability.READ_STATISTICS) == STATISTICS


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_trends_answer_the_readers_of_statistics_inside_their_subtree(client, make, login_as,
                                                                     route, role, where):
    for code, name, parent in EXTRA_TREE:
        make.division(code, name, parent)
    db.session.commit()
    login_as(role)
    own = DIVISION_FOR_ROLE[role]
    outside, outside_name = OUTSIDE_OF.get(own, NEAR_OUTSIDE)
    response = _send(client, route, {"division": own if where == INSIDE else outside})
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where), body[:300]
    assert outside_name not in body
    if response.status_code == 200:
        assert "data:image/svg+xml;base64," in body and "data-trend-table" in body


def test_every_trends_route_is_in_the_matrix(app):
    routed = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint == "statistics.trends"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == {(r.endpoint, r.method) for r in TRENDS_MATRIX}


def test_signed_out_visitor_is_sent_to_sign_in(client, make):
    response = client.get("/divisions/152201000000/trends")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
