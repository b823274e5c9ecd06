"""The civil-service hire check (核实其原就业状态): a new civil-service or public-institution
hire whose person was registered unemployed on the day of hire counts as 就业转失业 → 再就业
(rule 4 of the indicators), and the unemployment registration ends on that day — by the
import itself where the uploader may end it, otherwise by the desk of its division.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from field_app.audit.actor import Actor, actor_for
from field_app.audit.operations import record as audit
from field_app.channels.models import ChannelBatch, HireReview, HireReviewState
from field_app.core.clock import clock
from field_app.core.codes import in_subtree
from field_app.core.errors import InvalidTransition, OutOfScope
from field_app.locks.checks import active_locks, covering
from field_app.registrations.models import (
    CancelReason,
    EmploymentRegistration,
    EmploymentType,
    PersonCategory,
    UnemploymentRegistration,
)

E, U = EmploymentRegistration, UnemploymentRegistration
REVIEW_STATES = {
    HireReviewState.ENDED.value: _l("导入时已注销"),
    HireReviewState.OPEN.value: _l("待核实"),
    HireReviewState.CONFIRMED.value: _l("已确认终止"),
    HireReviewState.DISMISSED.value: _l("已保留"),
}


def open_on_hire_day():
    """SQL: the unemployment registration ``U`` was open on the hire ``E``'s first day."""
    return and_(U.person_id == E.person_id, U.valid, U.registered_on <= E.start_date,
                or_(U.cancelled_on.is_(None), U.cancelled_on > E.start_date))


def _pending(batch: ChannelBatch):
    """The batch's unit hires paired with each unemployment registration open on the day
    of hire that no review holds yet (set-based: one statement for the batch)."""
    reviewed = exists().where(HireReview.employment_registration_id == E.id,
                              HireReview.unemployment_registration_id == U.id)
    return (select(E, U)
            .join(U, open_on_hire_day())
            .where(E.channel_batch_id == batch.id, E.employment_type == EmploymentType.UNIT,
                   E.valid, ~reviewed)
            .order_by(E.id, U.id))


def _reviewed_hires(batch: ChannelBatch):
    """The batch's hires reviewed before (a re-upload changed them, and with them their
    category, back to the file's) that are no longer 就业转失业."""
    return (select(E)
            .where(E.channel_batch_id == batch.id, E.employment_type == EmploymentType.UNIT,
                   E.valid, E.person_category != PersonCategory.UNEMPLOYED_REEMPLOYED,
                   exists().where(HireReview.employment_registration_id == E.id))
            .order_by(E.id))


def _count_as_reemployed(hire: EmploymentRegistration, locks) -> None:
    # The import inserted or changed the hire just now, so its period is open; a hire
    # locked since (a batch settled again later) keeps its category.
    if hire.person_category != PersonCategory.UNEMPLOYED_REEMPLOYED and not covering(
            locks, [hire.division_code], [hire.start_date, hire.end_date, hire.registered_on]):
        hire.person_category = PersonCategory.UNEMPLOYED_REEMPLOYED


def _as_actor(actor) -> Actor:
    return actor if isinstance(actor, Actor) else actor_for(actor)


def _end(registration: UnemploymentRegistration, day: dt.date) -> None:
    registration.cancelled_on = day
    registration.cancel_reason = CancelReason.EMPLOYED


def settle_hires(session: Session, batch: ChannelBatch, *, actor) -> dict[str, int]:
    """Settle the hires of ``batch`` (the unit employment registrations it inserted or
    changed) against the unemployment registrations open on their day of hire.

    Every such hire becomes 就业转失业 (``unemployed_reemployed``). An unemployment
    registration inside the batch's division and outside every locked period is cancelled on
    the day of hire for employment (review ``ended``); any other one (another county's, or
    a locked period's) gets an ``open`` review for its own division's desk. Writes go
    through the ORM, so the session hooks audit each; one further event sums the batch up
    for the auditors of the batch's division and of every division given a review.
    Idempotent: pairs that already have a review, and registrations already ended, are
    left alone; a reviewed hire that a re-upload set back to the file's category is
    就业转失业 again. Returns ``{"ended": n, "listed": m}``; flushes, never commits."""
    pairs = session.execute(_pending(batch)).all()
    again = session.scalars(_reviewed_hires(batch)).all()
    counts = {"ended": 0, "listed": 0}
    if not pairs and not again:
        return counts
    locks = active_locks(session.connection())
    for hire in again:
        _count_as_reemployed(hire, locks)
    desks: set[str] = set()
    for hire, registration in pairs:
        _count_as_reemployed(hire, locks)
        endable = (in_subtree(registration.division_code, batch.division_code)
                   and not covering(locks, [registration.division_code],
                                    [registration.cancelled_on, hire.start_date]))
        if endable:
            _end(registration, hire.start_date)
            state = HireReviewState.ENDED
        else:
            state = HireReviewState.OPEN
            desks.add(registration.division_code)
        counts["ended" if endable else "listed"] += 1
        session.add(HireReview(employment_registration_id=hire.id,
                               unemployment_registration_id=registration.id,
                               division_code=registration.division_code, state=state,
                               channel_batch_id=batch.id))
    session.flush()
    if not pairs:
        return counts
    audit(session, "channel_hires_settled", actor=_as_actor(actor), target_type="channel_batches",
          target_id=batch.id, division=batch.division_code, also=desks, after=dict(counts))
    return counts


def can_settle(review: HireReview, user) -> bool:
    """The desk of the registration's division settles an open review."""
    return UnemploymentRegistration.can_create(user, review.division_code)


def _settleable(review: HireReview, actor) -> None:
    if not can_settle(review, actor):
        raise OutOfScope()
    if review.state != HireReviewState.OPEN:
        raise InvalidTransition(_l("该核实事项已处理"))


def _decide(session: Session, review: HireReview, *, actor, state: HireReviewState,
            note: str | None) -> None:
    """Settle the review. The session hooks file its change under the registration's
    division; one further event tells the uploader's division how its hire was settled."""
    review.state = state
    review.decided_by_id = actor.id
    review.decided_at = clock.now()
    review.note = note
    uploader_division = session.scalar(select(ChannelBatch.division_code)
                                       .where(ChannelBatch.id == review.channel_batch_id))
    audit(session, "channel_hire_settled", target_type="hire_reviews", target_id=review.id,
          division=review.division_code, also={uploader_division} - {None},
          after={"state": state.value, "note": note})


def confirm_hire(session: Session, review: HireReview, *, actor) -> None:
    """确认终止: the desk ends the unemployment registration on the day of hire (employed).
    A registration no longer open on that day (cancelled or invalidated meanwhile) cannot be
    ended again: refused, the desk keeps it with a reason instead."""
    _settleable(review, actor)
    hire = session.get(E, review.employment_registration_id)
    registration = session.get(U, review.unemployment_registration_id)
    if not (registration.valid and (registration.cancelled_on is None
                                    or registration.cancelled_on > hire.start_date)):
        raise InvalidTransition(_l("该失业登记在入职之日已不处于登记状态，请选择保留并说明原因"))
    _decide(session, review, actor=actor, state=HireReviewState.CONFIRMED, note=None)
    _end(registration, hire.start_date)
    session.flush()


def dismiss_hire(session: Session, review: HireReview, *, actor, note: str) -> None:
    """保留: the desk keeps the unemployment registration, saying why."""
    _settleable(review, actor)
    _decide(session, review, actor=actor, state=HireReviewState.DISMISSED, note=note)
    session.flush()
