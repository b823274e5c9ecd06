"""Names of the appraisal's columns, timeliness, accuracy and notice states, in the reader's
language."""
from flask_babel import lazy_gettext as _l

from field_app.appraisal.models import NoticeEvent, NoticeState

# Timeliness of a child's report for the period (及时性).
ON_TIME = "on_time"
LATE = "late"
NOT_YET = "not_yet"
OVERDUE = "overdue"
NOT_DUE = "not_due"  # the level reports to nobody (a village)
TIMELINESS = {
    ON_TIME: _l("按时报送"),
    LATE: _l("逾期报送"),
    NOT_YET: _l("未报（未到期）"),
    OVERDUE: _l("逾期未报"),
    NOT_DUE: _l("无需报送"),
}

# Accuracy against the reported figures (准确性, ±5%).
NO_FIGURES = "no_figures"
WITHIN = "within"
OUTSIDE = "outside"
ACCURACY = {
    NO_FIGURES: _l("无报表数"),
    WITHIN: _l("均在±5%以内"),
    OUTSIDE: _l("超出±5%"),
}

STATES = {
    NoticeState.OPEN: _l("待整改"),
    NoticeState.ANSWERED: _l("已答复"),
    NoticeState.CLOSED: _l("已销号"),
}
EVENTS = {
    NoticeEvent.ANSWER: _l("答复"),
    NoticeEvent.CLOSE: _l("销号"),
    NoticeEvent.REOPEN: _l("退回重改"),
}
