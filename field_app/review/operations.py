"""The review loop: the township approves a submitted household or returns it with reasons
(the cadre's submission is ``surveys.operations.submit_household``). Each step moves the
status by ``review.states``, stamps who and when (the database's CHECKs hold the
invariants) and writes a named audit event besides the row changes the session hooks log."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.errors import OutOfScope, ValidationFailed
from field_app.households.models import HouseholdMember
from field_app.review.models import HouseholdSurvey, ReturnReason
from field_app.review.states import SurveyEvent
from field_app.surveys.operations import move

MAX_REASON = 500


def _reviewable(survey: HouseholdSurvey, actor) -> None:
    if (not actor.can(Capability.REVIEW_HOUSEHOLDS, at=survey.village_code)
            or not survey.round.is_open):
        raise OutOfScope()


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
        raise OutOfScope()
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
