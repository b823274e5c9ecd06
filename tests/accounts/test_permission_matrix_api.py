"""The permission matrix of the API clients' pages and of the API v1.

The pages: the league and region administrators (MANAGE_API_CLIENTS) list, register, rotate
and revoke the clients of their subtree; a client outside it is 404 and stays as it was;
every other role gets 404. The API v1: a session cookie authenticates nothing there (401
for every role: only a token does, tests/api_v1); its document and page are public."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.partners.models import ApiClient
from field_app.partners.operations import create_client
from tests.accounts.test_permission_matrix import (
    ALL,
    EXTRA_TREE,
    INSIDE,
    OUTSIDE,
    OWN,
    SUBTREES,
    Route,
)

PARTNER_ADMINS = frozenset({Role.LEAGUE_ADMIN, Role.REGION_ADMIN})
NEW = {"name": "人社厅系统", "division_code": "{division}", "scopes": "indicators:read",
       "expires_on": "2027-01-31", "rate_per_minute": "60"}

PARTNER_MATRIX = [
    Route("partners.index", "GET", "/partners/", PARTNER_ADMINS, 200, outside=None),
    Route("partners.new", "GET", "/partners/new", PARTNER_ADMINS, 200, outside=None),
    Route("partners.new", "POST", "/partners/new", PARTNER_ADMINS, 200, outside=422, data=NEW),
    Route("partners.rotate", "POST", "/partners/{client}/rotate", PARTNER_ADMINS, 200),
    Route("partners.revoke", "POST", "/partners/{client}/revoke", PARTNER_ADMINS, 302),
]
# Token-authenticated: 401 to any session, whatever its role.
API_MATRIX = [
    Route(f"api_v1.{name}", method, url, ALL, 401, outside=None)
    for name, method, url in [
        ("me", "GET", "/api/v1/me"),
        ("divisions", "GET", "/api/v1/divisions"),
        ("indicators", "GET", "/api/v1/indicators?division=152201000000&period=2026"),
        ("submissions", "GET", "/api/v1/submissions?division=152201000000&period=2026"),
        ("quality_findings", "GET", "/api/v1/quality-findings?division=152201000000"),
        ("registrations", "GET", "/api/v1/registrations?kind=employment"),
        ("register_employment", "POST", "/api/v1/registrations/employment"),
        ("register_unemployment", "POST", "/api/v1/registrations/unemployment"),
        ("person_status", "POST", "/api/v1/persons/status"),
        ("export_indicators", "GET",
         "/api/v1/exports/indicators.csv?division=152201000000&period=2026"),
        ("export_registrations", "GET", "/api/v1/exports/registrations.csv?kind=employment"),
    ]
] + [
    Route("api-docs.openapi_json", "GET", "/api/v1/openapi.json", ALL, 200, outside=None),
    Route("api_v1_page.docs", "GET", "/api/v1/docs", ALL, 200, outside=None),
]


def test_the_capability_table_grants_exactly_the_matrix_roles():
    assert holders(Capability.MANAGE_API_CLIENTS) == PARTNER_ADMINS


@pytest.mark.parametrize("route", PARTNER_MATRIX + API_MATRIX, ids=str)
def test_each_url_reaches_its_endpoint(app, route):
    adapter = app.url_map.bind("localhost")
    path = route.url.format(client="1").split("?")[0]
    assert adapter.match(path, method=route.method)[0] == route.endpoint


def _client_at(code: str) -> ApiClient:
    client, _token = create_client(db.session, actor=_Root(), name=f"客户端{code}",
                                   division_code=code, scopes=["indicators:read"],
                                   expires_on=clock.today() + dt.timedelta(days=30))
    return client


class _Root:
    """Registers the fixtures' clients anywhere (the operation asks only ``can``)."""

    id = None

    @staticmethod
    def can(capability, at=None):
        return True


def _row(client_id: int):
    table = ApiClient.__table__
    return tuple(db.session.execute(select(table).where(table.c.id == client_id)).one())


CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in PARTNER_MATRIX for role in Role
         for where in ((OWN,) if route.outside is None else (INSIDE, OUTSIDE))]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_administrators_manage_clients_only_inside_their_subtree(client, make, login_as, route,
                                                                 role, where):
    for code, name, parent in EXTRA_TREE:
        make.division(code, name, parent)
    inside, outside = SUBTREES[role]
    code = outside if where == OUTSIDE else inside
    target = _client_at(code)
    db.session.commit()
    before = _row(target.id)
    login_as(role)
    url = route.url.format(client=target.id)
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={k: v.format(division=code)
                                          for k, v in (route.data or {}).items()})
    assert response.status_code == route.expected(role, where), response.get_data(as_text=True)
    changed = _row(target.id) != before
    allowed_write = role in route.allowed and where != OUTSIDE and route.method == "POST"
    assert changed == (allowed_write and route.endpoint != "partners.new")
    if where == OUTSIDE or role not in route.allowed:
        assert target.name not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_a_session_authenticates_nothing_in_the_api(client, login_as, role):
    login_as(role)
    for route in API_MATRIX:
        response = client.open(route.url, method=route.method)
        assert response.status_code == route.expected(role, OWN), route


def test_signed_out_visitor_is_sent_to_sign_in(client, make):
    response = client.get("/partners/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
