"""Names of the job states, for pages and the status JSON."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from field_app.jobs.models import JobState

STATES = {
    JobState.QUEUED: _l("排队中"),
    JobState.RUNNING: _l("进行中"),
    JobState.SUCCEEDED: _l("已完成"),
    JobState.FAILED: _l("失败"),
}
