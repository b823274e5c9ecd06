"""Review reads, scoped to the reviewer's township."""
from __future__ import annotations

from sqlalchemy.orm import Session

from field_app.core.errors import OutOfScope
from field_app.surveys.models import HouseholdSurvey, can_review


def get_survey_or_404(session: Session, survey_id: int, user) -> HouseholdSurvey:
    survey = session.get(HouseholdSurvey, survey_id)
    if survey is None or not can_review(user, survey.village_code):
        raise OutOfScope("未找到 / not found")
    return survey
