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
from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.households.models import HouseholdMember, Person
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
    reviewers_ = review_queries.user_names(db.session, [s.reviewed_by_id for _h, s in rows])
    return render_template("review/village.html", village=division, round=round_, rows=rows,
                           heads=heads, reviewers=reviewers_, statuses=STATUSES,
                           SurveyStatus=SurveyStatus)


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
    page = lambda **extra: _household_page(  # noqa: E731
        survey, members, approve_form, return_form, **extra)
    back = lambda _result: url_for("review.village", code=survey.village_code)  # noqa: E731
    if approve_form.approve.data:
        if approve_form.confirmed.data != "1":  # the first press asks; nothing is written
            return page(confirming=True)
        return handle_form(approve_form, lambda: operations.approve_household(
            db.session, survey, actor=current_user), template=page, success=back,
            message=_l("已审核通过"))
    if return_form.send_back.data:
        return handle_form(return_form, lambda: operations.return_household(
            db.session, survey, actor=current_user, reason=return_form.reason.data,
            member_reasons=forms.member_reasons(return_form, members)), template=page,
            success=back, message=_l("已退回，村级采集员手机上会显示原因"))
    return page()


def _household_page(survey, members, approve_form, return_form, confirming=False) -> str:
    view = household_json(db.session, survey.household, survey.round,
                          scope=current_user.division_code)
    since = review_queries.last_return(db.session, survey)
    changes = review_queries.changes_since(db.session, survey, since) if since else []
    return render_template("review/household.html", survey=survey, view=view,
                           village=db.session.get(Division, survey.village_code),
                           members=list(zip(members, view["members"])), approve_form=approve_form,
                           return_form=return_form, statuses=STATUSES, confirming=confirming,
                           returns=review_queries.returns_of(db.session, survey),
                           changes=_shown_changes(changes), since=since,
                           names=review_queries.user_names(
                               db.session, (survey.submitted_by_id, survey.reviewed_by_id)),
                           L=labels, SurveyStatus=SurveyStatus)


# Columns shown by another name than their field label, and how their values read.
_EXTRA_FIELDS = {"household": {"location": _l("位置"), "location_accuracy": _l("定位精度（米）")}}


def _value(column: str, value) -> str:
    if value is None or value == "":
        return "—"
    if column == "location":
        return str(_l("已定位"))
    if column == "id_number":
        return mask_id_number(value)
    if column == "phone":
        return mask_phone(value)
    if isinstance(value, bool):
        return str(_l("是") if value else _l("否"))
    enum = labels.ENUMS.get(column)
    if enum is not None:
        return str(enum.get(value, value))
    return str(value)


def _shown_changes(changes) -> list[dict]:
    """The changes as the page says them: who or what, added/changed/removed, and each
    labelled field's value before and after (ID and phone numbers masked)."""
    people = dict(db.session.execute(select(Person.id, Person.name).where(
        Person.id.in_({c.person_id for c in changes if c.person_id}))).all()) if changes else {}
    shown = []
    for change in changes:
        names = labels.FIELDS[change.entity] | _EXTRA_FIELDS.get(change.entity, {})
        fields = [(str(names[column]), _value(column, before), _value(column, after))
                  for column, before, after in change.fields if column in names]
        if not fields and change.action == "update":
            continue
        if change.action != "update":
            fields = fields[:4]  # a record added or removed: named by its first fields
        shown.append({"entity": change.entity, "action": change.action,
                      "person": people.get(change.person_id, ""), "fields": fields})
    return shown
