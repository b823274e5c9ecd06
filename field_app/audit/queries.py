"""Reads of the audit log, always within the reader's jurisdiction."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, or_, select

from field_app.audit.models import AuditEvent
from field_app.core.permissions import in_scope
from field_app.divisions.codes import Level, is_code, level_of, subtree_bounds


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None  # username, exact
    division: str | None = None  # a division code: that subtree
    target_type: str | None = None
    target_id: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def audit_query(reader, criteria: AuditFilter) -> Select:
    """Events in the reader's subtree matching ``criteria``, newest first."""
    e = AuditEvent
    visible = in_scope(e.division_code, reader)
    if reader.division_code and level_of(reader.division_code) == Level.REGION:
        # Events tied to no division (sign-in attempts with unknown usernames) belong to
        # the whole system: the region's readers see them.
        visible = or_(visible, e.division_code.is_(None))
    query = select(e).where(visible).order_by(e.at.desc(), e.id.desc())
    if criteria.actor:
        query = query.where(e.actor_name == criteria.actor)
    if criteria.division and is_code(criteria.division):
        low, high = subtree_bounds(criteria.division)
        query = query.where(e.division_code.between(low, high))
    if criteria.target_type:
        query = query.where(e.target_type == criteria.target_type)
    if criteria.target_id:
        query = query.where(e.target_id == criteria.target_id)
    if criteria.action:
        query = query.where(e.action == criteria.action)
    if criteria.since:
        query = query.where(e.at >= dt.datetime.combine(criteria.since, dt.time()))
    if criteria.until:
        query = query.where(e.at < dt.datetime.combine(criteria.until + dt.timedelta(days=1),
                                                       dt.time()))
    return query
