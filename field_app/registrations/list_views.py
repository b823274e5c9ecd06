"""Desk lists per jurisdiction, filtered, and their exports (XLSX; interchange data set)."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, render_template, request
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.permissions import require_can
from field_app.extensions import db
from field_app.registrations import exports, queries
from field_app.registrations.lists import (
    KINDS,
    ListFilter,
    batches_of,
    describe,
    display_value,
    division_names,
    interchange_query,
    list_query,
    source_label,
)
from field_app.registrations.blueprint import bp

PAGE_SIZE = 50
# Past this page the offset no longer fits the databases' 64-bit integers; no list is that long.
LAST_PAGE = 1_000_000
FILTER_KEYS = ("type", "status", "division", "source", "batch", "since", "until")


def _kind(name: str):
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def _criteria() -> ListFilter:
    def day(name):
        try:
            return dt.date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    text = {name: (request.args.get(name) or "").strip() or None
            for name in ("type", "status", "division", "source", "batch")}
    return ListFilter(**text, since=day("since"), until=day("until"))


def _filter_args() -> dict[str, str]:
    """The list's own query arguments, for its export and pager links: anything else in the
    query string (``endpoint``, ``_method``, ``kind``…) would be read by ``url_for`` as its
    own parameters."""
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}


@bp.get("/lists/<kind>")
@require_can(Capability.READ_DESK)
def records(kind: str):
    spec, criteria = _kind(kind), _criteria()
    page = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)
    found = db.session.scalars(list_query(spec, current_user, criteria)
                               .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    names = division_names(db.session, current_user)
    batches = batches_of(db.session, found[:PAGE_SIZE]) if spec.has_source else {}
    return render_template(
        "registrations/list.html", kind=spec, kinds=KINDS, records=found[:PAGE_SIZE],
        source=lambda record: source_label(record, batches),
        criteria=criteria, filter_args=_filter_args(), page=page,
        has_next=len(found) > PAGE_SIZE, names=names,
        divisions=queries.division_choices(db.session, current_user),
        cell=lambda record, column: display_value(spec, record, column, names))


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/lists/<kind>/export.xlsx")
@require_can(Capability.READ_DESK)
def export_xlsx(kind: str):
    """The filtered list with Chinese headers; ID and phone numbers masked."""
    spec, criteria = _kind(kind), _criteria()
    found = db.session.scalars(list_query(spec, current_user, criteria)).all()
    names = division_names(db.session, current_user)
    data = exports.to_xlsx(spec, found, names, title=describe(
        spec, criteria, names, current_user, clock.now()))
    return _download(data, exports.XLSX_MIMETYPE, f"{kind}.xlsx")


@bp.get("/lists/<kind>/export.zip")
@require_can(Capability.REGISTER_DESK)
def export_interchange(kind: str):
    """The filtered list as an interchange data set, less the invalidated records it cannot
    mark. It carries full ID numbers (the format requires them), so only desk clerks get
    it, and each export is audited."""
    spec = _kind(kind)
    found = db.session.scalars(interchange_query(spec, current_user, _criteria())).all()
    audit(db.session, "export_full_id", target_type=spec.model.__tablename__,
          note=f"{len(found)} rows; {request.query_string.decode()[:150]}")
    return _download(exports.to_interchange(spec, found), "application/zip", f"{kind}.zip")
