"""Scoped reads of the checks' desk pages: the hire reviews, the payees without an open
unemployment registration, and the batches. Every read is limited to the reader's
jurisdiction; a single record outside it is 404 (``core.permissions.get_or_404``)."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.channels.catalogue import ChannelSpec
from field_app.channels.models import BenefitPayee, ChannelBatch, HireReview, HireReviewState
from field_app.core.codes import level_of, subtree_bounds
from field_app.core.permissions import get_or_404, in_scope
from field_app.divisions.models import Division
from field_app.households.models import Person
from field_app.registrations.models import EmploymentRegistration, UnemploymentRegistration

E, U = EmploymentRegistration, UnemploymentRegistration
SETTLED_SHOWN = 50
BATCHES_SHOWN = 100


def _readable(user) -> bool:
    return user.can(Capability.READ_DESK)


# --- hire reviews ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ReviewRow:
    review: HireReview
    hire: EmploymentRegistration
    registration: UnemploymentRegistration
    person: Person
    decided_by: str | None


def _reviews(user):
    decider = aliased(User)
    return (select(HireReview, E, U, Person, decider.username)
            .join(E, E.id == HireReview.employment_registration_id)
            .join(U, U.id == HireReview.unemployment_registration_id)
            .join(Person, Person.id == U.person_id)
            .outerjoin(decider, decider.id == HireReview.decided_by_id)
            .where(in_scope(HireReview.division_code, user)))


def open_reviews(session: Session, user) -> list[ReviewRow]:
    """The reviews waiting for the desk of a division in the user's jurisdiction, oldest
    hire first."""
    if not _readable(user):
        return []
    query = (_reviews(user).where(HireReview.state == HireReviewState.OPEN)
             .order_by(E.start_date, HireReview.id))
    return [ReviewRow(*row) for row in session.execute(query)]


def settled_reviews(session: Session, user, limit: int = SETTLED_SHOWN) -> list[ReviewRow]:
    """The latest settled reviews (ended by the import, confirmed or kept by the desk)."""
    if not _readable(user):
        return []
    query = (_reviews(user).where(HireReview.state != HireReviewState.OPEN)
             .order_by(func.coalesce(HireReview.decided_at, HireReview.created_at).desc(),
                       HireReview.id.desc())
             .limit(limit))
    return [ReviewRow(*row) for row in session.execute(query)]


def get_review_or_404(session: Session, review_id: int, user, *, settle: bool = False):
    """A review of the user's jurisdiction; with ``settle``, one the user may settle (the
    unemployment registration's write capability at its division), or 404."""
    return get_or_404(session.get(HireReview, review_id), lambda review: (
        UnemploymentRegistration.can_create(user, review.division_code) if settle
        else user.can(Capability.READ_DESK, at=review.division_code)))


# --- payees -------------------------------------------------------------------------------

def latest_payee_month(session: Session, user) -> dt.date | None:
    return session.scalar(select(func.max(BenefitPayee.month))
                          .where(in_scope(BenefitPayee.division_code, user)))


def get_payee_or_404(session: Session, payee_id: int, user) -> BenefitPayee:
    """A payee the user's desk may register (the unemployment registration's write
    capability at the payee's division), or 404."""
    return get_or_404(session.get(BenefitPayee, payee_id), lambda payee:
                      UnemploymentRegistration.can_create(user, payee.division_code))


# --- batches ------------------------------------------------------------------------------

def batches(session: Session, user, limit: int = BATCHES_SHOWN):
    """The latest batches of the user's jurisdiction with their uploaders' names."""
    if not _readable(user):
        return []
    return session.execute(
        select(ChannelBatch, User.username)
        .outerjoin(User, User.id == ChannelBatch.uploaded_by_id)
        .where(in_scope(ChannelBatch.division_code, user))
        .order_by(ChannelBatch.uploaded_at.desc(), ChannelBatch.id.desc()).limit(limit)).all()


def get_batch_or_404(session: Session, batch_id: int, user) -> ChannelBatch:
    return get_or_404(session.get(ChannelBatch, batch_id), lambda batch:
                      user.can(Capability.READ_DESK, at=batch.division_code))


def batch_reviews(session: Session, batch: ChannelBatch, user) -> dict[str, int]:
    """How the batch's hires were settled, by state, counting only reviews of the user's
    jurisdiction (another county's registrations are not the reader's to see)."""
    rows = session.execute(select(HireReview.state, func.count())
                           .where(HireReview.channel_batch_id == batch.id,
                                  in_scope(HireReview.division_code, user))
                           .group_by(HireReview.state)).all()
    return {str(state.value if hasattr(state, "value") else state): n for state, n in rows}


def with_examples_in(session: Session, spec: ChannelSpec, division_code: str) -> ChannelSpec:
    """``spec`` with each division column's example taken from ``division_code``'s own
    subtree, at the level of the catalogue's example (a village for a person's division,
    the division itself for a county figure), so that the example row of a downloaded
    template passes the uploader's jurisdiction check."""
    fields = []
    for field in spec.fields:
        if field.kind == "division" and field.example:
            low, high = subtree_bounds(division_code)
            level = level_of(field.example)
            if level_of(division_code) >= level:
                example = division_code
            else:
                example = session.scalar(
                    select(Division.code).where(Division.code.between(low, high),
                                                Division.level == level)
                    .order_by(Division.code).limit(1)) or division_code
            field = dataclasses.replace(field, example=example)
        fields.append(field)
    return dataclasses.replace(spec, fields=tuple(fields))
