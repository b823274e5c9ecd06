"""Fixtures of the API v1 tests: ``api_token(division, scopes, ...)`` registers a client as a
region administrator would and returns its token; ``call`` sends a request with it."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.partners.models import SCOPES
from field_app.partners.operations import create_client

COUNTY, OTHER_COUNTY, REGION = "152201000000", "152202000000", "150000000000"
ALL_SCOPES = list(SCOPES)


@pytest.fixture
def api_token(make):
    admin = make.user(Role.REGION_ADMIN)

    def register(division: str = COUNTY, scopes=ALL_SCOPES, *, days: int = 30,
                 rate: int = 1000, name: str = "合作系统"):
        client, token = create_client(db.session, actor=admin, name=name,
                                      division_code=division, scopes=list(scopes),
                                      expires_on=clock.today() + dt.timedelta(days=days),
                                      rate_per_minute=rate)
        db.session.commit()
        register.last = client
        return token

    return register


@pytest.fixture
def call(client):
    def send(method: str, url: str, token: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return client.open(url, method=method, headers=headers, **kwargs)

    return send
