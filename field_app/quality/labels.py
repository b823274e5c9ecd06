"""Names of the quality package's statuses, severities, files and triggers (one catalogue)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from field_app.quality.models import FindingStatus, ScanTrigger, Severity

SEVERITIES = {Severity.ERROR: _l("错误"), Severity.WARNING: _l("警告")}
STATUSES = {FindingStatus.OPEN: _l("待处理"), FindingStatus.FIXED: _l("已更正"),
            FindingStatus.EXPLAINED: _l("已说明")}
TRIGGERS = {ScanTrigger.WEB: _l("网页"), ScanTrigger.COMMAND: _l("命令行"),
            ScanTrigger.PRE_REPORT: _l("报送前自动检查")}
FILES = {
    "transfer_spells": _l("转移就业经历"),
    "trainings": _l("培训"),
    "households": _l("户"),
    "household_members": _l("户成员"),
    "employment_registrations": _l("就业登记"),
    "unemployment_registrations": _l("失业登记"),
}
NO_DIVISION = _l("区划代码不存在")
