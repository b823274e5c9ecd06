"""Names of the quarterly analysis' states, sections and steps, in the reader's language."""
from flask_babel import lazy_gettext as _l

from field_app.analysis.models import AnalysisStatus

S = AnalysisStatus

NOT_STARTED = "not_started"
STATUS = {
    NOT_STARTED: _l("未编写"),
    S.DRAFT.value: _l("草稿"),
    S.SUBMITTED.value: _l("已报"),
    S.APPROVED.value: _l("已审核"),
    S.RETURNED.value: _l("退回"),
}
LATE = _l("逾期")

SECTION_TITLES = {
    "situation": _l("形势分析"),
    "problems": _l("存在问题"),
    "measures": _l("下步措施"),
}
