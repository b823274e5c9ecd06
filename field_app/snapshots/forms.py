"""The request for a snapshot made from the web: which month's figures it keeps."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Regexp

from field_app.core.forms import SafeForm
from field_app.snapshots.operations import MONTH_RE


class SnapshotForm(SafeForm):
    month = StringField(_l("指标月份"), validators=[
        DataRequired(message=_l("必填")),
        Regexp(MONTH_RE, message=_l("月份应写作YYYY-MM，如 2026-05"))])
    make = SubmitField(_l("制作快照"))
