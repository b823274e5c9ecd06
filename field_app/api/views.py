"""JSON resources; no logic of their own."""
from __future__ import annotations

import datetime as dt

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from field_app.api.blueprint import bp
from field_app.core.context import current_policy
from field_app.core.errors import ValidationFailed
from field_app.divisions.queries import get_division_or_404
from field_app.core.periods import PeriodError, check_span, parse_period
from field_app.extensions import db
from field_app.indicators.service import division_indicators, to_json



def _period_from_args() -> tuple[dt.date, dt.date]:
    args = request.args
    try:
        if args.get("period"):
            return parse_period(args["period"])
        return check_span(dt.date.fromisoformat(args["from"]), dt.date.fromisoformat(args["to"]))
    except (KeyError, ValueError, PeriodError) as error:
        raise ValidationFailed(
            _("期间参数错误：请给出 period，或 from 与 to（YYYY-MM-DD）"),
            {"period": [str(error)]},
        ) from None


@bp.get("/divisions/<code>/indicators")
def indicators(code: str):
    start, end = _period_from_args()
    if start > end:
        raise ValidationFailed(_("起始日期晚于截止日期"))
    get_division_or_404(db.session, code, current_user)
    report = division_indicators(db.session.connection(), code, start, end, current_policy())
    return jsonify(to_json(report))

