"""The township's review (乡镇审核): villages with their submitted households, and each
household's page with approve and return-with-reasons."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from field_app.accounts.capabilities import Capability
from field_app.core.forms import handle_form
from field_app.core.permissions import get_or_404, require_can
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.households.models import HouseholdMember
from field_app.review import forms, operations, queries as review_queries
from field_app.review.states import STATUSES, SurveyStatus
from field_app.surveys import labels, queries
from field_app.surveys.roster import household_json

bp = Blueprint("review", __name__, url_prefix="/review")
reviewers = require_can(Capability.REVIEW_HOUSEHOLDS)


def _round():
    return queries.open_round(db.session, current_user.division_code)


@bp.get("/")
@reviewers
def index():
    round_ = _round()
    progress = (queries.progress(db.session, round_, current_user.division_code,
                                            current_user) if round_ else [])
    return render_template("review/index.html", round=round_, progress=progress,
                           statuses=STATUSES)


@bp.get("/villages/<code>")
@reviewers
def village(code: str):
    division = get_or_404(db.session.get(Division, code),
                          lambda d: current_user.can(Capability.REVIEW_HOUSEHOLDS, at=d.code))
    round_ = _round()
    rows = queries.households_by_status(db.session, round_, code) if round_ else []
    heads = queries.head_names(db.session, [household.id for household, _survey in rows])
    return render_template("review/village.html", village=division, round=round_, rows=rows,
                           heads=heads, statuses=STATUSES, SurveyStatus=SurveyStatus)


def _members(survey) -> list[HouseholdMember]:
    return list(db.session.scalars(select(HouseholdMember)
                                   .where(HouseholdMember.household_id == survey.household_id)
                                   .order_by(HouseholdMember.id)))


@bp.route("/households/<int:survey_id>", methods=["GET", "POST"])
@reviewers
def household(survey_id: int):
    survey = review_queries.get_survey_or_404(db.session, survey_id, current_user)
    members = _members(survey)
    approve_form, return_form = forms.ApproveForm(), forms.return_form(members)
    page = lambda: _household_page(survey, members, approve_form, return_form)  # noqa: E731
    back = lambda _result: url_for("review.village", code=survey.village_code)  # noqa: E731
    if approve_form.approve.data:
        return handle_form(approve_form, lambda: operations.approve_household(
            db.session, survey, actor=current_user), template=page, success=back,
            message=_l("已审核通过"))
    if return_form.send_back.data:
        return handle_form(return_form, lambda: operations.return_household(
            db.session, survey, actor=current_user, reason=return_form.reason.data,
            member_reasons=forms.member_reasons(return_form, members)), template=page,
            success=back, message=_l("已退回，村级采集员手机上会显示原因"))
    return page()


def _household_page(survey, members, approve_form, return_form) -> str:
    view = household_json(db.session, survey.household, survey.round,
                          scope=current_user.division_code)
    return render_template("review/household.html", survey=survey, view=view,
                           village=db.session.get(Division, survey.village_code),
                           members=list(zip(members, view["members"])), approve_form=approve_form,
                           return_form=return_form, statuses=STATUSES,
                           L=labels, SurveyStatus=SurveyStatus)
