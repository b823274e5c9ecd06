"""The permission matrix of the maps: a county's choropleth for whoever reads its statistics;
a township's or village's coverage map for the survey's readers (the county's rounds, the
township's review); every role inside and outside its subtree. Outside is 404 and names
nothing outside."""
from __future__ import annotations

import pytest
from geoalchemy2 import WKTElement

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.divisions.models import Division
from field_app.extensions import db
from tests.accounts.test_permission_matrix import INSIDE, OUTSIDE, Route, _send
from tests.factories import DIVISION_FOR_ROLE

# Who reads a county's statistics: its own county's accounts and those above.
FIGURE_READERS = frozenset({Role.COUNTY_STATISTICIAN, Role.COUNTY_LEADER, Role.COUNTY_ADMIN,
                            Role.LEAGUE_STATISTICIAN, Role.LEAGUE_ADMIN,
                            Role.REGION_STATISTICIAN, Role.REGION_ADMIN})
# Who follows the survey below a county: the round's readers and the township's reviewer.
COVERAGE_READERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN,
                              Role.COUNTY_LEADER, Role.LEAGUE_STATISTICIAN,
                              Role.REGION_STATISTICIAN})

MAPS_MATRIX = [
    Route("maps.division", "GET", "/maps/divisions/{county}", FIGURE_READERS, 200),
    Route("maps.division", "GET", "/maps/divisions/{township}", COVERAGE_READERS, 200),
    Route("maps.division", "GET", "/maps/divisions/{village}", COVERAGE_READERS, 200),
]

INSIDE_PLACES = {"county": "152201000000", "township": "152201100000",
                 "village": "152201100201"}
# Outside for an account of a county or below: the other county of the league; for the
# league's and the region's: another province.
NEAR_OUTSIDE = {"county": "152202000000", "township": "152202100000",
                "village": "152202100201", "name": "阿尔山市"}
FAR_OUTSIDE = {"county": "140105000000", "township": "140105001000",
               "village": "140105001001", "name": "小店区"}
FAR_TREE = [("140000000000", "山西省", None), ("140100000000", "太原市", "140000000000"),
            ("140105000000", "小店区", "140100000000"),
            ("140105001000", "小店街道", "140105000000"),
            ("140105001001", "小店社区", "140105001000")]

CASES = [pytest.param(route, role, where, id=f"{route.url}-{role.value}-{where}")
         for route in MAPS_MATRIX for role in Role for where in (INSIDE, OUTSIDE)]


def _outside_for(role: Role) -> dict[str, str]:
    return FAR_OUTSIDE if DIVISION_FOR_ROLE[role] in ("152200000000", "150000000000") \
        else NEAR_OUTSIDE


@pytest.fixture
def map_places(make):
    for code, name, parent in FAR_TREE:
        make.division(code, name, parent)
    for village, lon, lat in (("152201100201", 122.0, 46.0), ("152202100201", 120.0, 47.0),
                              ("140105001001", 112.5, 37.8)):
        household = make.household(village)
        household.location = WKTElement(f"POINT({lon} {lat})", srid=4326)
    for township, x in (("152201001000", 122.0), ("152201100000", 122.2)):
        db.session.get(Division, township).boundary = WKTElement(
            f"MULTIPOLYGON((({x} 46,{x + 0.2} 46,{x + 0.2} 46.2,{x} 46.2,{x} 46)))", srid=4326)
    make.survey_round("152201000000")
    make.survey_round("152202000000")
    db.session.commit()


def test_the_capability_table_grants_the_coverage_readers():
    assert (holders(Capability.VIEW_ROUNDS) | holders(Capability.REVIEW_HOUSEHOLDS)) \
        == COVERAGE_READERS
    assert holders(Capability.READ_STATISTICS) >= FIGURE_READERS


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_maps_answer_only_their_roles_inside_their_subtree(client, map_places, login_as,
                                                          route, role, where):
    login_as(role)
    outside = _outside_for(role)
    response = _send(client, route, INSIDE_PLACES if where == INSIDE else outside)
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where), body[:300]
    assert outside["name"] not in body
    if response.status_code == 200:
        assert '<img src="data:image/svg+xml;base64,' in body  # the map, not only its frame


def test_every_maps_route_is_in_the_matrix(app):
    routed = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("maps.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == {(r.endpoint, r.method) for r in MAPS_MATRIX}


def test_signed_out_visitor_is_sent_to_sign_in(client, make):
    response = client.get("/maps/divisions/152201000000")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
