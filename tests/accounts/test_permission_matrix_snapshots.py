"""The permission matrix for the snapshot register: the league and region administrators
see it; every other role gets 404, and its page never reaches them."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.snapshots.models import Snapshot
from tests.accounts.test_permission_matrix import OWN, Route

SNAPSHOT_ROLES = frozenset({Role.LEAGUE_ADMIN, Role.REGION_ADMIN})

# Snapshots cover the whole database and name no person: there is no inside or outside.
SNAPSHOT_MATRIX = [
    Route("snapshots.index", "GET", "/snapshots/", SNAPSHOT_ROLES, 200, outside=None),
]
MANIFEST = "5" * 64

CASES = [pytest.param(route, role, id=f"{route}-{role.value}")
         for route in SNAPSHOT_MATRIX for role in Role]


def test_the_capability_table_grants_exactly_the_matrix_roles():
    assert holders(Capability.VIEW_SNAPSHOTS) == SNAPSHOT_ROLES


@pytest.mark.parametrize("route", SNAPSHOT_MATRIX, ids=str)
def test_each_snapshot_matrix_url_reaches_its_endpoint(app, route):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(route.url, method=route.method)[0] == route.endpoint


@pytest.mark.parametrize(("route", "role"), CASES)
def test_only_administrators_see_the_snapshot_register(client, make, login_as, route, role):
    db.session.add(Snapshot(created_at=dt.datetime(2026, 6, 1, 2, 0), created_by="cli:root",
                            month="2026-05", directory="/var/backups/field_app/2026-05",
                            dialect="postgresql", manifest_sha256=MANIFEST, file_count=14,
                            total_bytes=123_456_789))
    db.session.commit()
    login_as(role)
    response = client.get(route.url)
    assert response.status_code == route.expected(role, OWN)
    body = response.get_data(as_text=True)
    assert (MANIFEST in body) == (role in route.allowed)
    # The menu offers the page to those who may open it, and only to them.
    home = client.get("/divisions/152201000000" if role != Role.AUDITOR else "/audit/")
    assert ('href="/snapshots/"' in home.get_data(as_text=True)) == (role in route.allowed)


def test_signed_out_visitor_is_sent_to_sign_in(client, make):
    response = client.get("/snapshots/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
