"""Reads of the audit log, always within the reader's jurisdiction.

An event lies in a subtree when its own division does or one of its further divisions
(``audit_event_divisions``: the other divisions a shared person's records lie in, the old
division of a moved record) does.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session

from field_app.audit.models import AuditEvent, AuditEventDivision
from field_app.core.errors import OutOfScope
from field_app.core.codes import Level, level_of, subtree_bounds

MAX_EVENT_ID = 2**31 - 1


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None  # username, exact
    division: str | None = None  # a division code: that subtree
    target_type: str | None = None
    target_id: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters that are set, as query-string arguments (for links and notes)."""
        return {field.name: str(value) for field in dataclasses.fields(self)
                if (value := getattr(self, field.name)) is not None}


def in_subtree(code: str, *, unfiled: bool = False) -> ColumnElement[bool]:
    """SQL condition: the event lies in ``code``'s subtree, by its own division or a
    further one (with ``unfiled``, events tied to no division count too).

    The further divisions come from an uncorrelated subquery, which PostgreSQL hashes once:
    about the cost of the own-division test alone (a correlated EXISTS, or one UNION of
    ids, took four times as long over 400,000 events)."""
    e, d = AuditEvent, AuditEventDivision
    low, high = subtree_bounds(code)
    own = e.division_code.between(low, high)
    if unfiled:
        own = or_(own, e.division_code.is_(None))
    further = select(d.event_id).where(d.division_code.between(low, high))
    return or_(own, e.id.in_(further))


def visible_to(reader) -> ColumnElement[bool]:
    """SQL condition: ``reader`` may see the event. Events tied to no division (sign-in
    attempts with unknown usernames) belong to the whole system: the region's readers see
    them."""
    code = getattr(reader, "division_code", None)
    if not code:
        return false()
    return in_subtree(code, unfiled=level_of(code) == Level.REGION)


def audit_query(reader, criteria: AuditFilter) -> Select:
    """Events in the reader's subtree matching ``criteria``, newest first."""
    e = AuditEvent
    query = select(e).where(visible_to(reader)).order_by(e.at.desc(), e.id.desc())
    if criteria.actor:
        query = query.where(e.actor_name == criteria.actor)
    if criteria.division:
        query = query.where(in_subtree(criteria.division))
    if criteria.target_type:
        query = query.where(e.target_type == criteria.target_type)
    if criteria.target_id:
        query = query.where(e.target_id == criteria.target_id)
    if criteria.action:
        query = query.where(e.action == criteria.action)
    if criteria.since:
        query = query.where(e.at >= dt.datetime.combine(criteria.since, dt.time()))
    if criteria.until and criteria.until < dt.date.max:
        query = query.where(e.at < dt.datetime.combine(criteria.until + dt.timedelta(days=1),
                                                       dt.time()))
    return query


def get_event_or_404(session: Session, event_id: int, reader) -> AuditEvent:
    """The event if ``reader``'s log shows it; 404 otherwise (never 403)."""
    if not 0 < event_id <= MAX_EVENT_ID:  # a larger number is no event, and PostgreSQL's
        raise OutOfScope()  # integer would refuse it with an error
    event = session.scalar(select(AuditEvent).where(AuditEvent.id == event_id,
                                                    visible_to(reader)))
    if event is None:
        raise OutOfScope()
    return event


def further_divisions(session: Session, event_id: int) -> list[str]:
    """The divisions an event belongs to besides its own."""
    return list(session.scalars(select(AuditEventDivision.division_code)
                                .where(AuditEventDivision.event_id == event_id)
                                .order_by(AuditEventDivision.division_code)))
