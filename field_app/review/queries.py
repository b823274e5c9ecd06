"""Review reads, scoped to the reviewer's township."""
from __future__ import annotations

from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.core.errors import OutOfScope
from field_app.review.models import HouseholdSurvey


def get_survey_or_404(session: Session, survey_id: int, user) -> HouseholdSurvey:
    survey = session.get(HouseholdSurvey, survey_id)
    if survey is None or not user.can(Capability.REVIEW_HOUSEHOLDS, at=survey.village_code):
        raise OutOfScope()
    return survey
