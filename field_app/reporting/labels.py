"""Names of the reporting chain's states and steps, in the reader's language."""
from flask_babel import lazy_gettext as _l

from field_app.reporting.models import SubmissionStatus

S = SubmissionStatus

# The board's statuses (未报 / 已报 / 退回 / 已审核 / 逾期), plus a reopened version.
NOT_SUBMITTED = "not_submitted"
OVERDUE = "overdue"
BOARD_STATUS = {
    NOT_SUBMITTED: _l("未报"),
    OVERDUE: _l("逾期"),
    S.SUBMITTED.value: _l("已报"),
    S.RETURNED.value: _l("退回"),
    S.APPROVED.value: _l("已审核"),
    S.REOPENED.value: _l("更正中"),
}

RECORD_LABELS = {
    "employment_registrations": _l("期内就业登记"),
    "unemployment_registrations": _l("期末有效失业登记"),
    "employment_aid": _l("期内有效就业援助认定"),
    "natural_attrition": _l("期内自然减员"),
    "employed_totals": _l("期末从业人员数记录"),
    "transfer_spells": _l("期内转移就业经历"),
    "trainings": _l("期内结业培训"),
}

ACTIONS = {
    "submission_submit": _l("报送"),
    "submission_sign_off": _l("签发"),
    "submission_scan": _l("上传签章扫描件"),
    "submission_approve": _l("审核通过"),
    "submission_return": _l("退回"),
    "submission_correction": _l("申请更正"),
}
