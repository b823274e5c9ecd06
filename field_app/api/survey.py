"""The survey app's JSON resources (contract: docs/survey-sync.md); no logic of their own."""
from __future__ import annotations

import hashlib

import orjson
from flask import Response, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.errors import ValidationFailed
from field_app.core.permissions import require
from field_app.divisions.models import Division
from field_app.extensions import csrf, db
from field_app.surveys import queries, sync
from field_app.surveys.models import can_collect
from field_app.surveys.roster import households_json, round_json, where_text
from field_app.surveys.schemas import BatchSchema

from field_app.api.views import bp

SERVER = "field_app"  # every answer names the server: a Wi-Fi portal's 200 is not an answer
collectors = require(lambda user: can_collect(user, user.division_code))


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
        "households": households_json(db.session, queries.village_households(db.session,
                                                                            village.code), round_),
    })
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.get("/survey/person")
@collectors
def survey_person():
    number = (request.args.get("id_number") or "").strip().upper()
    person = queries.person_by_id_number(db.session, number)
    if person is None:
        return jsonify(server=SERVER, known=False, linkable=True, name_masked=None, where=[])
    known = queries.where_known(db.session, [person.id])[person.id]
    # The look-up reaches beyond the village (信息共享): who asked about whom is logged.
    audit(db.session, "survey_person_lookup", target_type="persons", target_id=person.id)
    db.session.commit()
    return jsonify(server=SERVER, known=True,
                   linkable=queries.membership_of(db.session, person) is None,
                   name_masked=person.name[:1] + "*" * (len(person.name) - 1),
                   where=where_text(known))


@bp.post("/survey/sync")
@collectors
def survey_sync():
    csrf.protect()
    try:
        batch = BatchSchema().load(request.get_json(silent=True) or {})
    except ValidationError as error:
        raise ValidationFailed("同步数据格式不正确 / malformed sync batch",
                               {k: [str(m) for m in v] for k, v in error.messages.items()}
                               if isinstance(error.messages, dict) else {}) from None
    results = sync.apply_batch(db.session, batch["changes"], actor=current_user)
    db.session.commit()
    return jsonify(server=SERVER, results=results)
