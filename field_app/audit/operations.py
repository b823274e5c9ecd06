"""Writing audit events: explicitly for sign-ins and bulk paths, automatically for ORM writes."""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from sqlalchemy import Connection, event, insert, inspect
from sqlalchemy.orm import Session

from field_app.audit.actor import Actor, get_actor
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.core.db import TrackedMixin
from field_app.core.sql import insert_rows

# Values never copied into the log.
SECRET_COLUMNS = {"password_hash"}


def plain(value: Any) -> Any:
    """A JSON-safe copy of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    data = getattr(value, "data", None)  # geometry elements
    if data is not None:
        return data if isinstance(data, str) else bytes(data).hex()
    return str(value)


def _event_row(actor: Actor, action: str, *, target_type=None, target_id=None, division=None,
               before=None, after=None, note=None, at=None) -> dict[str, Any]:
    return {
        "at": at or clock.now(),
        "actor_id": actor.user_id,
        "actor_name": actor.username,
        "ip": actor.ip,
        "action": action,
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "division_code": division or actor.division_code,
        "before": before,
        "after": after,
        "note": note,
    }


def record(session: Session, action: str, *, actor: Actor | None = None, **fields) -> None:
    """Append one event now (sign-ins, imports, anything not an ORM row change)."""
    session.connection().execute(
        insert(AuditEvent.__table__), [_event_row(actor or get_actor(session), action, **fields)]
    )


def record_many(conn: Connection, rows: list[dict[str, Any]], *, actor: Actor,
                **shared: Any) -> None:
    """Append events for bulk writes (one per row an import inserts or changes) in one bulk
    insert. Every row holds ``action``, ``target_id``, ``division_code``, ``before`` and
    ``after``; ``shared`` columns (``target_type``, ``note``) and the actor and time are the
    same for all and are converted once."""
    constants = {"at": clock.now(), "actor_id": actor.user_id, "actor_name": actor.username,
                 "ip": actor.ip} | shared
    insert_rows(conn, AuditEvent.__table__, rows, constants)


def _columns(obj) -> dict[str, Any]:
    state = inspect(obj)
    return {
        attr.key: ("***" if attr.key in SECRET_COLUMNS else plain(getattr(obj, attr.key)))
        for attr in state.mapper.column_attrs
    }


def _changes(obj) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in ("updated_at", "updated_by_id"):
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            secret = attr.key in SECRET_COLUMNS
            before[attr.key] = "***" if secret else plain(old)
            after[attr.key] = "***" if secret else plain(new)
    return before, after


def _division_of(obj) -> str | None:
    for name in ("division_code", "village_code", "former_division_code"):
        value = getattr(obj, name, None)
        if value:
            return value
    if obj.__tablename__ == "divisions":
        return obj.code
    return None


def _target_id(obj) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key)


def _before_flush(session: Session, flush_context, instances) -> None:
    actor = get_actor(session)
    for obj in session.new:
        if isinstance(obj, TrackedMixin):
            if obj.created_by_id is None:
                obj.created_by_id = actor.user_id
            obj.updated_by_id = actor.user_id
    for obj in session.dirty:
        if isinstance(obj, TrackedMixin) and session.is_modified(obj, include_collections=False):
            obj.updated_by_id = actor.user_id


def _audited(obj) -> bool:
    """Every row change is logged except the log's own rows and tables that declare
    ``__audited__ = False`` (transport records whose effects are logged themselves)."""
    return not isinstance(obj, AuditEvent) and getattr(obj, "__audited__", True)


def _after_flush(session: Session, flush_context) -> None:
    actor = get_actor(session)
    rows = []
    for obj in session.new:
        if not _audited(obj):
            continue
        rows.append({"action": "create", "target_type": obj.__tablename__,
                     "target_id": _target_id(obj), "division": _division_of(obj),
                     "after": _columns(obj)})
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changes(obj)
        if before or after:
            rows.append({"action": "update", "target_type": obj.__tablename__,
                         "target_id": _target_id(obj), "division": _division_of(obj),
                         "before": before, "after": after})
    for obj in session.deleted:
        if not _audited(obj):
            continue
        rows.append({"action": "delete", "target_type": obj.__tablename__,
                     "target_id": _target_id(obj), "division": _division_of(obj),
                     "before": _columns(obj)})
    if rows:
        now = clock.now()
        session.connection().execute(
            insert(AuditEvent.__table__),
            [_event_row(actor, row.pop("action"), at=now, **row) for row in rows],
        )


def install(session_class) -> None:
    """Attach the hooks that stamp authors and log every ORM insert, update and delete.

    Idempotent: every ``create_app`` calls it on the same global session.
    """
    for name, hook in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
