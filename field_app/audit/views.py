"""Browsing, filtering and exporting the audit log (auditors and administrators)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from field_app.audit.queries import AuditFilter, audit_query
from field_app.core.permissions import require
from field_app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
audit_readers = require(lambda user: user.can_read_audit())
PAGE_SIZE = 50


def _criteria() -> AuditFilter:
    def day(name):
        try:
            return dt.date.fromisoformat(request.args[name])
        except (KeyError, ValueError):
            return None

    text = {name: (request.args.get(name) or "").strip() or None
            for name in ("actor", "division", "target_type", "target_id", "action")}
    return AuditFilter(**text, since=day("since"), until=day("until"))


@bp.get("/")
@audit_readers
def index():
    criteria = _criteria()
    page = max(request.args.get("page", 1, type=int), 1)
    events = db.session.scalars(
        audit_query(current_user, criteria).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("audit/index.html", events=events[:PAGE_SIZE], criteria=criteria,
                           page=page, has_next=len(events) > PAGE_SIZE)


@bp.get("/export.csv")
@audit_readers
def export():
    """The filtered log as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["时间 at", "操作人 actor", "地址 ip", "操作 action", "对象 target_type",
                     "编号 target_id", "区划 division", "修改前 before", "修改后 after",
                     "说明 note"])
    for e in db.session.scalars(audit_query(current_user, _criteria())):
        writer.writerow([e.at.isoformat(sep=" ", timespec="seconds"), e.actor_name, e.ip or "",
                         e.action, e.target_type or "", e.target_id or "", e.division_code or "",
                         json.dumps(e.before, ensure_ascii=False) if e.before else "",
                         json.dumps(e.after, ensure_ascii=False) if e.after else "",
                         e.note or ""])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
