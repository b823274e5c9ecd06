"""Writes of the appraisal: issuing, answering, closing and reopening rectification notices
(限期改正). Each step checks who may take it and from which state, writes and flushes; the
session hooks log every change. Never commits, never reads ``current_user``."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from field_app.appraisal.models import (
    NoticeEvent,
    NoticeState,
    RectificationNotice,
    can_issue,
    next_state,
)
from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from field_app.divisions.models import Division
from field_app.reporting.calendar import Period

MAX_DAYS = 366  # a deadline more than a year away is a typing mistake


def _text(value: str | None, field: str, message) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, {field: [message]})
    return text


def _deadline(deadline: dt.date | None, today: dt.date) -> dt.date:
    if deadline is None:
        raise ValidationFailed(_l("请填写整改期限"), {"deadline": [_l("请填写整改期限")]})
    if deadline < today:
        message = _l("整改期限不能早于今天（%(today)s）", today=today.isoformat())
        raise ValidationFailed(message, {"deadline": [message]})
    if deadline > today + dt.timedelta(days=MAX_DAYS):
        message = _l("整改期限不能超过一年")
        raise ValidationFailed(message, {"deadline": [message]})
    return deadline


def _step(notice: RectificationNotice, event: NoticeEvent) -> NoticeState:
    target = next_state(notice.state, event)
    if target is None:
        raise InvalidTransition(_l("该通知当前状态不允许此操作"))
    return target


def issue_notice(session: Session, division: Division, *, actor, issue: str,
                 deadline: dt.date | None, period: Period | None = None) -> RectificationNotice:
    """A notice to ``division`` from the actor's office, its parent (ISSUE_RECTIFICATION)."""
    if not can_issue(actor, division.code, division.parent_code):
        raise NotAllowed(_l("只能向直属下级下发整改通知"))
    today = clock.today()
    notice = RectificationNotice(
        division_code=division.code, issuer_code=division.parent_code,
        period_start=period.start if period else None, period_end=period.end if period else None,
        issue=_text(issue, "issue", _l("请填写需要整改的问题")),
        issued_on=today, deadline=_deadline(deadline, today), issued_by_id=actor.id,
        state=NoticeState.OPEN, reopen_count=0)
    session.add(notice)
    session.flush()
    return notice


def answer_notice(session: Session, notice: RectificationNotice, *, actor, answer: str) -> None:
    """The division's account of what it corrected (SUBMIT_REPORTS at the division)."""
    target = _step(notice, NoticeEvent.ANSWER)
    if not notice.can_answer(actor):
        raise NotAllowed(_l("只有被通知单位可以答复"))
    notice.answer = _text(answer, "answer", _l("请填写整改情况"))
    notice.answered_at = clock.now()
    notice.answered_by_id = actor.id
    notice.state = target
    session.flush()


def close_notice(session: Session, notice: RectificationNotice, *, actor) -> None:
    """The issuing office accepts the answer: the notice is closed (销号)."""
    target = _step(notice, NoticeEvent.CLOSE)
    if not notice.can_decide(actor):
        raise NotAllowed(_l("只有下发通知的单位可以销号"))
    notice.state = target
    notice.closed_at = clock.now()
    notice.closed_by_id = actor.id
    session.flush()


def reopen_notice(session: Session, notice: RectificationNotice, *, actor, reason: str,
                  deadline: dt.date | None = None) -> None:
    """The issuing office finds the answer insufficient: open again, with the reason and,
    where given, a new deadline. The answer is cleared (the audit log keeps it)."""
    target = _step(notice, NoticeEvent.REOPEN)
    if not notice.can_decide(actor):
        raise NotAllowed(_l("只有下发通知的单位可以退回重改"))
    notice.reopen_reason = _text(reason, "reason", _l("请填写退回理由"))
    if deadline is not None:
        notice.deadline = _deadline(deadline, clock.today())
    notice.state = target
    notice.answer = None
    notice.answered_at = None
    notice.answered_by_id = None
    notice.reopen_count = (notice.reopen_count or 0) + 1
    session.flush()
