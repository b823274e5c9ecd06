"""Shared set-ups of rectification notices for tests outside this package (the form pipeline
and the permission matrix)."""
from __future__ import annotations

import datetime as dt

from field_app.appraisal.models import NoticeState, RectificationNotice
from field_app.core.clock import clock
from field_app.extensions import db


def add_notice(division: str, issuer: str, state: NoticeState = NoticeState.OPEN, *,
               issue: str = "请核实本期报表数", days: int = 10) -> RectificationNotice:
    """A notice from ``issuer`` to ``division`` in ``state``, flushed."""
    answered = state != NoticeState.OPEN
    notice = RectificationNotice(
        division_code=division, issuer_code=issuer, issue=issue, issued_on=clock.today(),
        deadline=clock.today() + dt.timedelta(days=days), state=state, reopen_count=0,
        answer="已更正" if answered else None, answered_at=clock.now() if answered else None,
        closed_at=clock.now() if state == NoticeState.CLOSED else None)
    db.session.add(notice)
    db.session.flush()
    return notice


def step_url(ctx, step: str) -> str:
    """For the form pipeline: a notice from the league to the banner ready for ``step``
    (answer: open; reopen: answered), with the one who takes the step signed in."""
    state = NoticeState.OPEN if step == "answer" else NoticeState.ANSWERED
    notice = add_notice("152201000000", "152200000000", state)
    if step == "answer":
        ctx.login_as("county_statistician", "152201000000")
    else:
        ctx.login_as("league_statistician", "152200000000")
    return f"/appraisal/notices/{notice.id}/{step}"
