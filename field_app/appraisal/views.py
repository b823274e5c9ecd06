"""The appraisal pages (考核): the scoreboard of the divisions below an office for a period,
and rectification notices (限期改正) with their steps. Every division and notice is loaded
through a scoped helper: outside the jurisdiction is 404."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.accounts.session import current_account_policy
from field_app.appraisal import forms, labels, operations, queries
from field_app.appraisal.models import can_issue
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope
from field_app.core.forms import handle_form
from field_app.core.periods import PeriodError
from field_app.core.permissions import require, require_can
from field_app.divisions.models import Division
from field_app.divisions.queries import ancestors_of
from field_app.extensions import db
from field_app.reporting.calendar import (
    Period,
    PeriodKind,
    period_containing,
    previous,
    recent_periods,
)

bp = Blueprint("appraisal", __name__, url_prefix="/appraisal")
appraisers = require_can(Capability.VIEW_APPRAISAL)
readers = require(lambda user: queries.reads_notices(user))
issuers = require_can(Capability.ISSUE_RECTIFICATION)
answerers = require_can(Capability.SUBMIT_REPORTS)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a period outside is a typing mistake (and past 9999's end)


def _period() -> tuple[Period, str | None]:
    """The ``period`` argument (a month, quarter or year), by default last month; one that
    cannot be read falls back to the default, with the reason shown."""
    default = previous(period_containing(clock.today(), PeriodKind.MONTH))
    text = (request.args.get("period") or "").strip()
    if not text:
        return default, None
    try:
        period = Period.parse(text)
    except PeriodError as error:
        return default, str(error)
    if not FIRST_YEAR <= period.start.year <= period.end.year <= LAST_YEAR:
        return default, str(_l("考核期间的年份应在%(first)s至%(last)s之间", first=FIRST_YEAR,
                               last=LAST_YEAR))
    return period, None


@bp.get("/")
@readers
def index():
    if current_user.can(Capability.VIEW_APPRAISAL, at=current_user.division_code):
        return redirect(url_for(".board", code=current_user.division_code))
    return redirect(url_for(".notices"))


@bp.get("/<code>")
@appraisers
def board(code: str):
    division = queries.get_board_division_or_404(db.session, code, current_user)
    period, period_error = _period()
    rows = queries.scoreboard(db.session, current_app.config, division, period,
                              policy=current_policy(), account_policy=current_account_policy(),
                              now=clock.now())
    user = current_user
    return render_template(
        "appraisal/board.html", division=division, period=period, period_error=period_error,
        rows=rows, labels=labels,
        periods=recent_periods(clock.today(), [k.value for k in PeriodKind]),
        ancestors=[a for a in ancestors_of(db.session, division)
                   if user.can(Capability.VIEW_APPRAISAL, at=a.code)],
        may_issue=lambda child: can_issue(user, child.code, child.parent_code))


@bp.route("/<code>/notices/new", methods=["GET", "POST"])
@issuers
def new_notice(code: str):
    division = queries.get_notice_division_or_404(db.session, code, current_user)
    if not can_issue(current_user, division.code, division.parent_code):
        raise OutOfScope()
    form = forms.NoticeForm(period=request.args.get("period") or None)
    return handle_form(form, lambda: operations.issue_notice(
        db.session, division, actor=current_user, issue=form.issue.data,
        deadline=form.deadline.data, period=form.parsed_period()),
        template="appraisal/new_notice.html", division=division,
        success=lambda notice: url_for(".notice", notice_id=notice.id),
        message=_l("已下发整改通知"))


@bp.get("/notices")
@readers
def notices():
    division = queries.get_notice_division_or_404(
        db.session, request.args.get("division") or current_user.division_code, current_user)
    rows = queries.notices_under(db.session, division.code)
    return render_template("appraisal/notices.html", division=division, rows=rows,
                           labels=labels, today=clock.today())


def _notice_page(notice, **overrides):
    page_forms = {"answer": forms.AnswerForm(prefix="answer"),
                  "close": forms.CloseForm(prefix="close"),
                  "reopen": forms.ReopenForm(prefix="reopen"), **overrides}
    people = queries.user_names(db.session, (notice.issued_by_id, notice.answered_by_id,
                                             notice.closed_by_id))
    return render_template("appraisal/notice.html", notice=notice, forms=page_forms,
                           labels=labels, people=people, today=clock.today(),
                           division=db.session.get(Division, notice.division_code),
                           may_answer=notice.can_answer(current_user),
                           may_decide=notice.can_decide(current_user))


@bp.get("/notices/<int:notice_id>")
@readers
def notice(notice_id: int):
    return _notice_page(queries.get_notice_or_404(db.session, notice_id, current_user))


def _step(notice_id: int, name: str, form, operate, message):
    notice_ = queries.get_notice_or_404(db.session, notice_id, current_user)
    return handle_form(form, lambda: operate(notice_),
                       template=lambda: _notice_page(notice_, **{name: form}),
                       success=lambda _result: url_for(".notice", notice_id=notice_id),
                       message=message)


@bp.post("/notices/<int:notice_id>/answer")
@answerers
def answer(notice_id: int):
    form = forms.AnswerForm(prefix="answer")
    return _step(notice_id, "answer", form, lambda n: operations.answer_notice(
        db.session, n, actor=current_user, answer=form.answer.data), _l("已提交整改情况"))


@bp.post("/notices/<int:notice_id>/close")
@issuers
def close(notice_id: int):
    form = forms.CloseForm(prefix="close")
    return _step(notice_id, "close", form, lambda n: operations.close_notice(
        db.session, n, actor=current_user), _l("整改通知已销号"))


@bp.post("/notices/<int:notice_id>/reopen")
@issuers
def reopen(notice_id: int):
    form = forms.ReopenForm(prefix="reopen")
    return _step(notice_id, "reopen", form, lambda n: operations.reopen_notice(
        db.session, n, actor=current_user, reason=form.reason.data, deadline=form.deadline.data),
        _l("已退回重改"))
