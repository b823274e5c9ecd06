"""Applying a batch of changes from a phone's outbox, each exactly once.

Every change runs in its own savepoint: a change that is refused (bad field, conflict,
wrong status) leaves nothing behind, and later changes of the batch still apply. The
answer to each change is stored with its client UUID in the same transaction as the change,
so a resend — the phone never heard the answer — gets the same answer and changes nothing.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from field_app.accounts.capabilities import Capability
from field_app.core.clock import clock
from field_app.core.errors import Conflict, DomainError, OutOfScope, ValidationFailed
from field_app.households.models import Household
from field_app.surveys import operations, queries
from field_app.surveys.models import SyncChange
from field_app.surveys.roster import household_json
from field_app.surveys.schemas import ChangeSchema, error_messages

_change_schema = ChangeSchema()


def _household_for(session: Session, change: dict, actor) -> Household | None:
    household = queries.by_ref(session, Household, change["household_ref"])
    if household is not None and not actor.can(Capability.COLLECT_SURVEY,
                                                at=household.village_code):
        raise OutOfScope()
    return household


def _require_applied(session: Session, after: list, actor) -> None:
    """A submission goes through only when every change of the household the phone made
    before it has been applied: one refused and not yet corrected or discarded would leave
    the reviewer approving what the cadre believes she changed."""
    if not after:
        return
    uuids = [str(u) for u in after]
    statuses = dict(session.execute(select(SyncChange.uuid, SyncChange.status).where(
        SyncChange.uuid.in_(uuids), SyncChange.user_id == actor.id)).all())
    if any(statuses.get(u) != "applied" for u in uuids):
        raise ValidationFailed(
            _("本户还有未被接受的修改，不能提交：请先在“待发送记录”中修改或放弃它，再提交"),
            {"household": [_l("本户还有未被接受的修改")]})


def _apply(session: Session, change: dict, actor) -> tuple[Household, str | None, int | None]:
    """Apply the change; returns its household, a notice for the cadre, and the version the
    change gave its target (None for a removal)."""
    op, ref, base, data = (change["op"], change["target_ref"], change["base_version"],
                           change["data"])
    if op == "household.save":
        household = operations.save_household(session, actor=actor, ref=ref, base_version=base,
                                              data=data)
        return household, None, household.version
    household = _household_for(session, change, actor)
    if household is None:
        raise Conflict(_("该户不存在或已被删除"))
    notice, version = None, None
    entity, _dot, verb = op.partition(".")
    if op == "household.submit":
        _require_applied(session, change["after"], actor)
        operations.submit_household(session, household, actor=actor)
        version = household.version
    elif op == "household.confirm":
        operations.confirm_household(session, household, actor=actor)
        version = household.version
    elif op == "member.save":
        member, notice = operations.save_member(session, household, actor=actor, ref=ref,
                                                base_version=base, data=data)
        version = member.version
    elif op == "member.remove":
        operations.remove_member(session, household, actor=actor, ref=ref, base_version=base)
    elif verb == "save":
        version = operations.save_detail(session, household, entity, actor=actor, ref=ref,
                                         base_version=base, data=data).version
    else:
        operations.remove_detail(session, household, entity, actor=actor, ref=ref,
                                 base_version=base, data=data)
    return household, notice, version


def _current_household(session: Session, change: dict, actor) -> dict | None:
    """The server's copy of the household a change was about, for the phone to show."""
    try:
        household = _household_for(session, change, actor)
    except OutOfScope:
        return None
    return (household_json(session, household, scope=actor.division_code)
            if household is not None else None)


def apply_change(session: Session, raw: Any, *, actor) -> dict:
    """Apply one change (or answer its stored result); returns the ``Result`` of the
    contract in ``docs/survey-sync.md``."""
    uuid = raw.get("uuid") if isinstance(raw, dict) else None
    uuid = uuid[:36] if isinstance(uuid, str) else ""  # echoed so the phone can match it
    try:
        change = _change_schema.load(raw)
    except ValidationError as error:
        return {"uuid": uuid, "status": "rejected", "errors": error_messages(error.messages),
                "message": _("数据格式不正确"), "notice": None,
                "household": None}
    uuid = str(change["uuid"])
    stored = session.get(SyncChange, uuid)
    if stored is not None:
        if stored.user_id != actor.id:
            raise OutOfScope()
        # The same answer, with the household as it is now (later changes may have moved it);
        # ``target_version`` stays the version this change produced, which the phone rebases
        # its later changes on, so a change someone else made since is still a conflict.
        return stored.result | {"household": _current_household(session, change, actor)}
    result: dict[str, Any] = {"uuid": uuid, "errors": {}, "notice": None,
                              "target_version": None}
    savepoint = session.begin_nested()
    try:
        household, notice, version = _apply(session, change, actor)
        savepoint.commit()
        result |= {"status": "applied", "message": "", "notice": notice,
                   "target_version": version,
                   "household": household_json(session, household, scope=actor.division_code)}
    except (DomainError, StaleDataError) as error:
        savepoint.rollback()
        if isinstance(error, StaleDataError):  # changed by a concurrent request
            error = Conflict(_("该记录已被他人修改，请核对后选择保留哪一份"))
        status = "conflict" if isinstance(error, Conflict) else "rejected"
        result |= {"status": status, "message": str(error.message),
                   "errors": error_messages(error.errors or {}),
                   "household": _current_household(session, change, actor)}
    session.add(SyncChange(uuid=uuid, user_id=actor.id, op=change["op"],
                           received_at=clock.now(), made_at=change["made_at"],
                           status=result["status"], result=result))
    session.flush()
    return result


def apply_batch(session: Session, changes: list, *, actor) -> list[dict]:
    """Apply changes in the order the phone made them.

    One account's batches take turns: a phone that resends a batch while the first send is
    still being applied (its answer looked lost) must find the stored results, not race
    the first send to insert the same change UUIDs. The account's row is the lock
    (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction already serialises).
    """
    from field_app.accounts.models import User

    session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    return [apply_change(session, raw, actor=actor) for raw in changes]
