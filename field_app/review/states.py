"""A household's status in a survey round and the transitions between statuses.

Imports nothing from the application: operations, models (CHECK constraints) and tests all
read this table, and every page and message names a status or event by the labels here.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class SurveyStatus(enum.StrEnum):
    NOT_SURVEYED = "not_surveyed"  # 未调查
    ENTERED = "entered"  # 已录入
    SUBMITTED = "submitted"  # 已提交
    RETURNED = "returned"  # 已退回
    APPROVED = "approved"  # 已审核


class SurveyEvent(enum.StrEnum):
    EDIT = "edit"  # the cadre changes the household, a member, a spell or a training
    SUBMIT = "submit"  # the cadre submits it for review
    APPROVE = "approve"  # the township approves it
    RETURN = "return"  # the township returns it with reasons


TRANSITIONS: dict[tuple[SurveyStatus, SurveyEvent], SurveyStatus] = {
    (SurveyStatus.NOT_SURVEYED, SurveyEvent.EDIT): SurveyStatus.ENTERED,
    (SurveyStatus.ENTERED, SurveyEvent.EDIT): SurveyStatus.ENTERED,
    # A returned household stays returned while it is corrected, so its reasons stay shown.
    (SurveyStatus.RETURNED, SurveyEvent.EDIT): SurveyStatus.RETURNED,
    (SurveyStatus.ENTERED, SurveyEvent.SUBMIT): SurveyStatus.SUBMITTED,
    (SurveyStatus.RETURNED, SurveyEvent.SUBMIT): SurveyStatus.SUBMITTED,
    (SurveyStatus.SUBMITTED, SurveyEvent.APPROVE): SurveyStatus.APPROVED,
    (SurveyStatus.SUBMITTED, SurveyEvent.RETURN): SurveyStatus.RETURNED,
    # An error found after approval: the township sends the household back.
    (SurveyStatus.APPROVED, SurveyEvent.RETURN): SurveyStatus.RETURNED,
}

# The cadre may change a household in these statuses; submitted and approved are read-only.
EDITABLE = frozenset({SurveyStatus.NOT_SURVEYED, SurveyStatus.ENTERED, SurveyStatus.RETURNED})
# Statuses a reviewer has decided (the reviewer and time are set exactly in these).
REVIEWED = frozenset({SurveyStatus.APPROVED, SurveyStatus.RETURNED})
# Statuses that have been submitted at least once (the submitter and time are set).
SUBMITTED_ONCE = frozenset({SurveyStatus.SUBMITTED, SurveyStatus.APPROVED, SurveyStatus.RETURNED})


STATUSES = {
    SurveyStatus.NOT_SURVEYED: _l("未调查"),
    SurveyStatus.ENTERED: _l("已录入"),
    SurveyStatus.SUBMITTED: _l("已提交"),
    SurveyStatus.RETURNED: _l("已退回"),
    SurveyStatus.APPROVED: _l("已审核"),
}
EVENTS = {
    SurveyEvent.EDIT: _l("修改"),
    SurveyEvent.SUBMIT: _l("提交审核"),
    SurveyEvent.APPROVE: _l("审核通过"),
    SurveyEvent.RETURN: _l("退回"),
}


def next_status(status: SurveyStatus, event: SurveyEvent) -> SurveyStatus | None:
    return TRANSITIONS.get((status, event))
