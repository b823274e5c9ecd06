"""The survey app's JSON resources (contract: docs/survey-sync.md); no logic of their own."""
from __future__ import annotations

import hashlib
import re

import orjson
from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.errors import ValidationFailed
from field_app.core.permissions import require_can
from field_app.divisions.models import Division
from field_app.extensions import csrf, db, limiter
from field_app.households.scope import divisions_of, person_maintained_within
from field_app.surveys import queries, sync
from field_app.surveys.roster import households_json, round_json, where_text
from field_app.surveys.schemas import (
    MAX_DEPTH,
    BatchSchema,
    depth_of,
    error_messages,
)

from field_app.api.blueprint import bp

SERVER = "field_app"  # every answer names the server: a Wi-Fi portal's 200 is not an answer
collectors = require_can(Capability.COLLECT_SURVEY)
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")


def _village():
    return db.session.get(Division, current_user.division_code)


@bp.get("/survey/session")
@collectors
def survey_session():
    village = _village()
    return jsonify(server=SERVER, csrf_token=generate_csrf(), today=clock.today().isoformat(),
                   round=round_json(queries.open_round(db.session, village.code)),
                   user={"username": current_user.username,
                         "display_name": current_user.display_name,
                         "village_code": village.code, "village_name": village.name})


@bp.get("/survey/roster")
@collectors
def survey_roster():
    village = _village()
    round_ = queries.open_round(db.session, village.code)
    body = orjson.dumps({
        "server": SERVER, "round": round_json(round_),
        "village": {"code": village.code, "name": village.name},
        "households": households_json(
            db.session, queries.village_households(db.session, village.code), round_,
            scope=current_user.division_code),
    })
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def _per_user() -> str:
    """The rate-limit key of person look-ups: the signed-in account, wherever it asks from."""
    return f"user:{current_user.get_id()}"


def _too_many() -> str:
    return _("查询过于频繁，请稍后再试")


@bp.get("/survey/person")
@collectors
@limiter.limit("60/minute", key_func=_per_user, error_message=_too_many)
def survey_person():
    """信息共享 for the member form: whether the system knows an ID number, and whether the
    person can join a household. Nothing the collector did not type comes back from
    outside their village: the name only masked and only for a person maintained there,
    places only there. Limited per account and logged, as it reaches beyond the village."""
    number = (request.args.get("id_number") or "").strip().upper()
    person = (queries.person_by_id_number(db.session, number)
              if _ID_NUMBER.fullmatch(number) else None)
    if person is None:
        return jsonify(server=SERVER, known=False, linkable=True, name_masked=None, where=[])
    scope = current_user.division_code
    within = person_maintained_within(db.session, person.id, scope)
    known = queries.where_known(db.session, [person.id], scope)[person.id]
    linkable = queries.membership_of(db.session, person) is None
    masked = person.name[:1] + "*" * (len(person.name) - 1) if within else None
    # Filed also under every division holding a record of the person: their auditors see
    # who looked the person up from outside.
    audit(db.session, "survey_person_lookup", target_type="persons", target_id=person.id,
          also=divisions_of(db.session, person.id))
    return jsonify(server=SERVER, known=True, linkable=linkable, name_masked=masked,
                   where=where_text(known))


def _batch() -> dict:
    """The sync body as a batch, or 422: JSON that is not an object, that nests deeper
    than ``MAX_DEPTH`` (orjson itself stops at 1024 levels, where the standard library's
    parser exhausts Python's stack), or that the batch schema refuses."""
    try:
        body = orjson.loads(request.get_data(cache=False))
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict) or depth_of(body, MAX_DEPTH) > MAX_DEPTH:
        raise ValidationFailed(_("同步数据格式不正确"), {"changes": [_("应为一组修改")]})
    try:
        return BatchSchema().load(body)
    except ValidationError as error:
        raise ValidationFailed(_("同步数据格式不正确"),
                               error_messages(error.messages)) from None


@bp.post("/survey/sync")
@collectors
def survey_sync():
    csrf.protect()  # the body's size was bounded before any hook (core.security.BODY_LIMITS)
    batch = _batch()
    results = sync.apply_batch(db.session, batch["changes"], actor=current_user)
    return jsonify(server=SERVER, results=results)
