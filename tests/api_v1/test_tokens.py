"""Tokens: stored hashed, refused when expired, revoked or rotated away; scopes give 403,
the subtree gives 404, and neither changes anything."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.partners.models import ApiClient
from field_app.partners.operations import revoke_client, rotate_client
from field_app.registrations.models import EmploymentRegistration
from tests.api_v1.conftest import COUNTY, OTHER_COUNTY
from tests.factories import make_id_number

SHAPE = {"code", "status", "message", "errors"}


def _employment(division: str = "152201001001", **extra) -> dict:
    return {"id_number": make_id_number(dt.date(1990, 5, 17)), "name": "王小明",
            "division_code": division, "employment_type": "flexible",
            "start_date": "2026-03-02", "registered_on": "2026-03-03",
            "person_category": "new_entrant", **extra}


def _registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(EmploymentRegistration))


def test_the_token_is_stored_only_as_its_hash(api_token):
    token = api_token()
    client = db.session.scalar(select(ApiClient))
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([getattr(client, c.key) for c in ApiClient.__table__.columns])
    # The audit row of its creation masks the secret columns.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target_type == "api_clients"))
    assert event.after["token_hash"] == "***" and event.after["token_prefix"] == "***"


def test_a_valid_token_is_accepted_and_a_wrong_one_refused(call, api_token):
    token = api_token()
    assert call("GET", "/api/v1/me", token).status_code == 200
    for bad in (None, token[:-1] + ("A" if token[-1] != "A" else "B"), "fa_" + "x" * 43):
        response = call("GET", "/api/v1/me", bad)
        assert response.status_code == 401
        assert set(response.get_json()) == SHAPE
        assert response.get_json()["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(call, api_token):
    token = api_token(days=1)
    assert call("GET", "/api/v1/me", token).status_code == 200
    clock.set(clock.now() + dt.timedelta(days=3))
    response = call("GET", "/api/v1/me", token)
    assert response.status_code == 401 and "过期" in response.get_json()["message"]


def test_a_revoked_token_is_refused(call, api_token, make):
    token = api_token()
    client = api_token.last
    admin = make.user("region_admin")
    revoke_client(db.session.merge(client), actor=admin)
    db.session.commit()
    assert call("GET", "/api/v1/me", token).status_code == 401


def test_a_rotated_token_replaces_the_old_one(call, api_token, make):
    old = api_token()
    admin = make.user("region_admin")
    new = rotate_client(db.session, db.session.merge(api_token.last), actor=admin)
    db.session.commit()
    assert call("GET", "/api/v1/me", old).status_code == 401
    assert call("GET", "/api/v1/me", new).status_code == 200


def test_a_missing_scope_is_403_and_writes_nothing(call, api_token):
    token = api_token(scopes=["indicators:read"])
    response = call("POST", "/api/v1/registrations/employment", token, json=_employment())
    assert response.status_code == 403
    assert set(response.get_json()) == SHAPE and "registrations:write" in response.get_json()["message"]
    assert call("GET", "/api/v1/registrations?kind=employment", token).status_code == 403
    assert _registrations() == 0


def test_outside_the_subtree_is_404_and_writes_nothing(call, api_token):
    token = api_token(COUNTY)
    response = call("POST", "/api/v1/registrations/employment", token,
                    json=_employment("152202100201"))
    assert response.status_code == 404 and set(response.get_json()) == SHAPE
    assert _registrations() == 0
    for url in (f"/api/v1/indicators?division={OTHER_COUNTY}&period=2026",
                f"/api/v1/divisions?root={OTHER_COUNTY}",
                f"/api/v1/submissions?division={OTHER_COUNTY}&period=2026-03",
                f"/api/v1/quality-findings?division={OTHER_COUNTY}",
                f"/api/v1/exports/indicators.csv?division={OTHER_COUNTY}&period=2026"):
        response = call("GET", url, token)
        assert response.status_code == 404, url
        assert "阿尔山" not in response.get_data(as_text=True)


def test_the_client_rate_limit_answers_429_in_the_error_shape(call, api_token):
    token = api_token(rate=2)
    assert [call("GET", "/api/v1/me", token).status_code for _ in range(2)] == [200, 200]
    response = call("GET", "/api/v1/me", token)
    assert response.status_code == 429
    assert set(response.get_json()) == SHAPE and response.get_json()["status"] == 429
    # Another client is counted apart.
    assert call("GET", "/api/v1/me", api_token(rate=2)).status_code == 200


def test_person_checks_have_their_own_lower_limit(app, call, api_token):
    token = api_token()
    limit = int(app.config["API_PERSON_CHECK_RATE"].split()[0])
    body = {"id_number": make_id_number(dt.date(1990, 5, 17))}
    codes = [call("POST", "/api/v1/persons/status", token, json=body).status_code
             for _ in range(limit + 1)]
    assert codes[:limit] == [200] * limit and codes[-1] == 429


def test_every_call_is_audited_with_the_client(call, api_token):
    token = api_token()
    client_id = api_token.last.id
    call("GET", "/api/v1/me", token)
    call("GET", f"/api/v1/indicators?division={OTHER_COUNTY}&period=2026", token)  # 404
    call("GET", "/api/v1/me")  # no token
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.target_id, AuditEvent.note,
                                     AuditEvent.actor_name)
                              .where(AuditEvent.action.in_(["api_call", "api_refused"]))
                              .order_by(AuditEvent.id)).all()
    assert [(r.action, r.target_id, r.note) for r in rows] == [
        ("api_call", str(client_id), "GET /api/v1/me 200"),
        ("api_call", str(client_id), "GET /api/v1/indicators 404"),
        ("api_refused", None, "GET /api/v1/me 401"),
    ]
    assert rows[0].actor_name == f"api:{client_id}"


def test_token_guessing_is_throttled_per_address_and_stops_filling_the_log(app, call, make):
    limit = int(app.config["API_REFUSED_RATE"].split()[0])
    codes = [call("GET", "/api/v1/me", "fa_guess").status_code for _ in range(limit + 2)]
    assert codes == [401] * limit + [429, 429]
    refused = db.session.scalar(select(func.count()).where(AuditEvent.action == "api_refused"))
    assert refused == limit
