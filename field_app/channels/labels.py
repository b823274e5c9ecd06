"""Names on the channel pages: what each count of an upload is."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from field_app.channels.operations import PAYEES, PERSONS

COUNTS = {
    PERSONS: _l("人员"),
    "natural_attrition.csv": _l("自然减员"),
    "employment_registrations.csv": _l("就业登记"),
    "employed_totals.csv": _l("期末从业人员"),
    PAYEES: _l("失业保险金领取名单"),
}
HIRES = {
    "ended": _l("已终止失业登记（就业转失业人员再就业）"),
    "listed": _l("交窗口核实"),
}
FORMATS = {"csv": "CSV", "xlsx": "XLSX"}
