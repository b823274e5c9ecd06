"""The review loop: the cadre submits a household, the township approves it or returns it
with reasons. Each step moves the status by ``review.states``, stamps who and when (the
database's CHECKs hold the invariants) and writes a named audit event besides the row
changes the session hooks log."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.errors import OutOfScope, ValidationFailed
from field_app.households.models import Household, HouseholdMember, Relation
from field_app.review.models import ReturnReason
from field_app.review.states import SurveyEvent
from field_app.surveys.models import HouseholdSurvey, can_collect, can_review
from field_app.surveys.operations import move, require_open_round, survey_for

MAX_REASON = 500


def _check_complete(session: Session, household: Household) -> None:
    """What a household must have before review: members, and exactly one head (户主)."""
    relations = list(session.scalars(select(HouseholdMember.relation)
                                     .where(HouseholdMember.household_id == household.id)))
    if not relations:
        raise ValidationFailed(_("该户还没有成员，不能提交"),
                               {"members": [_l("至少录入一名成员")]})
    heads = sum(1 for r in relations if r == Relation.HEAD)
    if heads != 1:
        raise ValidationFailed(_("每户应有且只有一名户主（现有%(n)d名）", n=heads),
                               {"relation": [_l("每户应有且只有一名户主")]})


def submit_household(session: Session, household: Household, *, actor) -> HouseholdSurvey:
    """The cadre submits the household for the township's review (已录入/已退回 → 已提交)."""
    if not can_collect(actor, household.village_code):
        raise OutOfScope("未找到 / not found")
    survey = survey_for(session, household, require_open_round(session, household.village_code))
    _check_complete(session, household)
    move(survey, SurveyEvent.SUBMIT)
    survey.submitted_at = clock.now()
    survey.submitted_by_id = actor.id
    survey.reviewed_at = None
    survey.reviewed_by_id = None
    session.flush()
    audit(session, "household_submit", target_type="households", target_id=household.id,
          division=household.village_code)
    return survey


def _reviewable(survey: HouseholdSurvey, actor) -> None:
    if not can_review(actor, survey.village_code) or not survey.round.is_open:
        raise OutOfScope("未找到 / not found")


def approve_household(session: Session, survey: HouseholdSurvey, *, actor) -> None:
    """已提交 → 已审核: the household becomes read-only for the cadre."""
    _reviewable(survey, actor)
    move(survey, SurveyEvent.APPROVE)
    survey.reviewed_at = clock.now()
    survey.reviewed_by_id = actor.id
    session.flush()
    audit(session, "household_approve", target_type="households", target_id=survey.household_id,
          division=survey.village_code)


def return_household(session: Session, survey: HouseholdSurvey, *, actor,
                     reason: str | None, member_reasons: dict[int, str]) -> None:
    """已提交 (or 已审核) → 已退回 with a reason for the household and/or for members; at
    least one reason is required, and the cadre's phone shows them."""
    _reviewable(survey, actor)
    reasons = {None: (reason or "").strip()} | {
        member_id: (text or "").strip() for member_id, text in member_reasons.items()}
    reasons = {key: text for key, text in reasons.items() if text}
    if not reasons:
        raise ValidationFailed(_("退回时请写明原因"),
                               {"reason": [_l("请填写退回原因")]})
    if any(len(text) > MAX_REASON for text in reasons.values()):
        raise ValidationFailed(_("退回原因不超过500字"),
                               {"reason": [_l("退回原因不超过500字")]})
    members = set(session.scalars(select(HouseholdMember.id).where(
        HouseholdMember.household_id == survey.household_id)))
    if any(key is not None and key not in members for key in reasons):
        raise OutOfScope("未找到 / not found")
    move(survey, SurveyEvent.RETURN)
    survey.reviewed_at = clock.now()
    survey.reviewed_by_id = actor.id
    survey.return_count += 1
    for member_id, text in reasons.items():
        session.add(ReturnReason(survey_id=survey.id, return_no=survey.return_count,
                                 member_id=member_id, reason=text))
    session.flush()
    audit(session, "household_return", target_type="households", target_id=survey.household_id,
          division=survey.village_code, after={"reasons": len(reasons)})
