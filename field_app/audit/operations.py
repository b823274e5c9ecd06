"""Writing audit events: explicitly for sign-ins and bulk paths, automatically for ORM writes."""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Select, event, func, insert, inspect, literal, select
from sqlalchemy.orm import Session

from field_app.audit import spread
from field_app.audit.actor import Actor, get_actor
from field_app.audit.masking import ShownEvent, shown
from field_app.audit.models import AuditEvent, AuditEventDivision
from field_app.core.clock import clock
from field_app.core.db import TrackedMixin
from field_app.core.sql import insert_rows, streams_rows

# Values never copied into the log; so is any column whose name says it holds a secret
# (a TOTP seed, hashed recovery codes), so that a secret added later is not logged
# before someone remembers this list.
SECRET_COLUMNS = {"password_hash"}
_SECRET_MARKS = ("secret", "_hash", "recovery", "token")


def _secret(key: str) -> bool:
    return key in SECRET_COLUMNS or any(mark in key for mark in _SECRET_MARKS)


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


def _attach(conn: Connection, event_ids: Iterable[int], extras: Iterable[Iterable[str]],
            own: Iterable[str | None]) -> None:
    """File events under their further divisions (their own one left out)."""
    rows = [{"event_id": event_id, "division_code": code}
            for event_id, codes, division in zip(event_ids, extras, own)
            for code in sorted(set(codes) - {division})]
    if rows:
        conn.execute(insert(AuditEventDivision.__table__), rows)


def record(session: Session, action: str, *, actor: Actor | None = None,
           also: Iterable[str] = (), **fields) -> None:
    """Append one event now (sign-ins, imports, anything not an ORM row change); ``also``
    names further divisions whose auditors see it."""
    row = _event_row(actor or get_actor(session), action, **fields)
    conn = session.connection()
    result = conn.execute(insert(AuditEvent.__table__), row)
    also = set(also)
    if also:
        _attach(conn, [result.inserted_primary_key[0]], [also], [row["division_code"]])


def record_many(conn: Connection, rows: list[dict[str, Any]], *, actor: Actor,
                **shared: Any) -> None:
    """Append events for bulk writes (one per row an import inserts or changes) in one bulk
    insert. Every row holds ``action``, ``target_id``, ``division_code``, ``before`` and
    ``after``; ``shared`` columns (``target_type``, ``note``) and the actor and time are the
    same for all and are converted once."""
    constants = {"at": clock.now(), "actor_id": actor.user_id, "actor_name": actor.username,
                 "ip": actor.ip} | shared
    # Only changed rows can belong to further divisions (see ``spread.bulk_extras``); a
    # first import of a million new rows costs one pass over the rows in Python here.
    extras = spread.bulk_extras(conn, rows, shared.get("target_type"))
    e = AuditEvent.__table__
    last = conn.execute(select(func.max(e.c.id))).scalar() if extras else None
    insert_rows(conn, AuditEvent.__table__, rows, constants)
    if not extras:
        return
    # COPY returns no ids: the events just written are found again by who and when.
    written = select(e.c.id, e.c.target_type, e.c.target_id, e.c.division_code).where(
        e.c.action == "update", e.c.at == constants["at"],
        e.c.actor_name == constants["actor_name"])
    if last is not None:
        written = written.where(e.c.id > last)
    found = [row for row in conn.execute(written) if (row[1], row[2]) in extras]
    _attach(conn, [row[0] for row in found], [extras[(row[1], row[2])] for row in found],
            [row[3] for row in found])


def record_inserted(conn: Connection, rows: Select, *, actor: Actor, action: str = "create",
                    listed: Callable[[], list[dict[str, Any]]] | None = None,
                    **shared: Any) -> None:
    """Append one event per row of ``rows``, built by the database itself: ``rows``
    selects the columns ``target_id``, ``division_code`` and ``after`` (a JSON object,
    ``core.sql.json_object``) of the rows a bulk write has just inserted. ``shared``
    columns (``target_type``, ``note``), the actor and the time are the same for all, as
    in ``record_many``.

    For the million new rows of a first import, the events' JSON is then made by the
    database, in one ``INSERT ... SELECT``, rather than serialised and bound row by row in
    Python. A new row belongs to its own division alone (``spread.bulk_extras``): no
    further divisions to attach.

    Where the bulk writer streams its rows to the server (``core.sql.streams_rows``:
    PostgreSQL's COPY), the server stores each batch while Python makes the next, and an
    ``INSERT ... SELECT`` would be the server's work alone, after the data's: there the
    events come from ``listed()`` (the same events as ``record_many`` rows), if given.
    """
    if listed is not None and streams_rows(conn):
        record_many(conn, listed(), actor=actor, **shared)
        return
    e = AuditEvent.__table__
    constants = {"at": clock.now(), "actor_id": actor.user_id, "actor_name": actor.username,
                 "ip": actor.ip, "action": action} | shared
    source = rows.subquery("written")
    fixed = [literal(value, e.c[name].type).label(name) for name, value in constants.items()]
    statement = insert(e).from_select(
        [*constants, "target_id", "division_code", "after"],
        select(*fixed, source.c.target_id, source.c.division_code, source.c.after))
    conn.execute(statement)


def _columns(obj) -> dict[str, Any]:
    state = inspect(obj)
    return {
        attr.key: ("***" if _secret(attr.key) else plain(getattr(obj, attr.key)))
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
            secret = _secret(attr.key)
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
    rows, written = [], []
    for obj in session.new:
        if not _audited(obj):
            continue
        rows.append({"action": "create", "target_type": obj.__tablename__,
                     "target_id": _target_id(obj), "division": _division_of(obj),
                     "after": _columns(obj)})
        written.append(obj)
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changes(obj)
        if before or after:
            rows.append({"action": "update", "target_type": obj.__tablename__,
                         "target_id": _target_id(obj), "division": _division_of(obj),
                         "before": before, "after": after})
            written.append(obj)
    for obj in session.deleted:
        if not _audited(obj):
            continue
        rows.append({"action": "delete", "target_type": obj.__tablename__,
                     "target_id": _target_id(obj), "division": _division_of(obj),
                     "before": _columns(obj)})
        written.append(obj)
    if not rows:
        return
    now = clock.now()
    conn = session.connection()
    events = [_event_row(actor, row.pop("action"), at=now, **row) for row in rows]
    extras = [codes - {event["division_code"]}
              for codes, event in zip(spread.flush_extras(conn, written), events)]
    if not any(extras):
        conn.execute(insert(AuditEvent.__table__), events)
        return
    table = AuditEvent.__table__
    ids = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                       events).scalars().all()
    _attach(conn, ids, extras, [event["division_code"] for event in events])


# --- reading the log, itself audited ---------------------------------------------------

def record_log_read(session: Session, *, exported: bool, note: str) -> None:
    """One event per page of the log shown (``audit_view``) or export made
    (``audit_export``), filed under the reader's division, the filters as note. Reading
    the log shows masked values only, so no reveal is involved."""
    record(session, "audit_export" if exported else "audit_view", target_type="audit_events",
           note=note[:200] or None)


def reveal_event(session: Session, event: AuditEvent, *, also: Iterable[str]) -> ShownEvent:
    """``event`` in full, unmasked, after writing the ``audit_reveal`` event that says who
    looked: filed where the revealed event is (its division and ``also``, its further
    divisions), so the auditors who see the event see who revealed it.

    The caller has loaded ``event`` through the reader's scope and checked
    ``Capability.REVEAL_AUDIT`` (auditors only: administrators read the log masked). Every
    reveal is itself an event, so the auditors of that division see who looked.
    """
    record(session, "audit_reveal", target_type="audit_events", target_id=event.id,
           division=event.division_code, also=also)
    return shown(event, full=True)


def install(session_class) -> None:
    """Attach the hooks that stamp authors and log every ORM insert, update and delete.

    Idempotent: every ``create_app`` calls it on the same global session.
    """
    for name, hook in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
