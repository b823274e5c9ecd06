"""Browsing, filtering and exporting the audit log (auditors and administrators), masked;
an auditor may reveal one event in full. Every page shown, export made and reveal is
itself an audit event."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from field_app.audit import operations, queries
from field_app.audit.filters import LogRequest, error_lines, parse_args
from field_app.audit.masking import shown
from field_app.accounts.capabilities import Capability
from field_app.core.permissions import require_can
from field_app.core.text import spreadsheet_cell
from field_app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
audit_readers = require_can(Capability.READ_AUDIT)
PAGE_SIZE = 50
CSV_HEADER = ["时间 at", "操作人 actor", "地址 ip", "操作 action", "对象 target_type",
              "编号 target_id", "区划 division", "修改前 before", "修改后 after", "说明 note"]


def _refused(asked: LogRequest):
    return render_template("audit/index.html", events=[], criteria=asked.criteria, page=1,
                           has_next=False, errors=error_lines(asked.errors)), 422


@bp.get("/")
@audit_readers
def index():
    asked = parse_args(request.args)
    if asked.errors:
        return _refused(asked)
    found = db.session.scalars(queries.audit_query(current_user, asked.criteria)
                               .limit(PAGE_SIZE + 1).offset((asked.page - 1) * PAGE_SIZE)).all()
    events = [shown(e) for e in found[:PAGE_SIZE]]
    operations.record_log_read(db.session, exported=False, note=asked.note())
    return render_template("audit/index.html", events=events, criteria=asked.criteria,
                           page=asked.page, has_next=len(found) > PAGE_SIZE,
                           may_reveal=current_user.can(Capability.REVEAL_AUDIT))


@bp.post("/<int:event_id>/reveal")
@require_can(Capability.REVEAL_AUDIT)
def reveal(event_id: int):
    """One event in full, for an auditor whose log shows it (``Capability.REVEAL_AUDIT``)."""
    event = queries.get_event_or_404(db.session, event_id, current_user)
    full = operations.reveal_event(db.session, event,
                                   also=queries.further_divisions(db.session, event.id))
    return render_template("audit/event.html", event=full)


def _cells(e) -> list:
    values = [e.at.isoformat(sep=" ", timespec="seconds"), e.actor_name, e.ip or "",
              e.action, e.target_type or "", e.target_id or "", e.division_code or "",
              json.dumps(e.before, ensure_ascii=False) if e.before else "",
              json.dumps(e.after, ensure_ascii=False) if e.after else "", e.note or ""]
    return [spreadsheet_cell(value) for value in values]


@bp.get("/export.csv")
@audit_readers
def export():
    """The filtered log as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese),
    masked as the page is, every cell neutralised against formulas."""
    asked = parse_args(request.args)
    if asked.errors:
        return _refused(asked)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    rows = 0
    for event in db.session.scalars(queries.audit_query(current_user, asked.criteria)):
        writer.writerow(_cells(shown(event)))
        rows += 1
    operations.record_log_read(db.session, exported=True, note=asked.note(rows=rows))
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
