"""``flask period lock|unlock|list``: a round trip, audited under the operator, and the
refusals of a bad division, period or reason."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.locks.checks import PeriodLocked
from field_app.locks.models import PeriodLock
from tests.locks.conftest import BANNER, COMMUNITY, STREET


def _lock_args(command: str, division: str = BANNER, period: str = "2026Q1",
               reason: str = "上级要求复核") -> list[str]:
    return ["period", command, "--division", division, "--period", period, "--reason", reason]


def test_lock_list_and_unlock_round_trip_is_audited(app, runner, make):
    db.session.commit()
    locked = runner.invoke(args=_lock_args("lock"))
    assert locked.exit_code == 0, locked.output
    assert "乌兰浩特市" in locked.output and "2026年第1季度" in locked.output

    db.session.expire_all()
    made = db.session.scalars(select(PeriodLock)).one()
    assert (made.division_code, made.period_start, made.period_end, made.reason) == (
        BANNER, dt.date(2026, 1, 1), dt.date(2026, 3, 31), "上级要求复核")
    listed = runner.invoke(args=["period", "list"])
    assert listed.exit_code == 0 and BANNER in listed.output and "operator" in listed.output
    assert runner.invoke(args=["period", "list", "--division", "152202000000"]).output.count(
        BANNER) == 0

    unlocked = runner.invoke(args=_lock_args("unlock", reason="复核完毕"))
    assert unlocked.exit_code == 0, unlocked.output
    db.session.expire_all()
    made = db.session.scalars(select(PeriodLock)).one()
    assert made.released_at is not None and made.release_reason == "复核完毕"
    assert "没有有效的期间锁定" in runner.invoke(args=["period", "list"]).output

    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "period_locks").order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["create", "update"]
    assert all(e.actor_name.startswith("cli:") and e.actor_id is None for e in events)
    assert all(e.division_code == BANNER for e in events)


def test_a_second_identical_lock_is_not_made_twice(app, runner, make):
    db.session.commit()
    runner.invoke(args=_lock_args("lock", STREET))
    runner.invoke(args=_lock_args("lock", STREET))
    db.session.expire_all()
    assert len(db.session.scalars(select(PeriodLock)).all()) == 1


def test_a_lock_made_by_the_command_holds_the_desk(app, runner, make):
    person = make.person()
    db.session.commit()
    assert runner.invoke(args=_lock_args("lock", COMMUNITY)).exit_code == 0
    with pytest.raises(PeriodLocked) as refused:
        make.employment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    assert "第一社区 2026年第1季度" in refused.value.message
    db.session.rollback()


def test_bad_division_period_and_reason_are_refused_without_writing(app, runner, make):
    db.session.commit()
    unknown = runner.invoke(args=_lock_args("lock", "152299000000"))
    assert unknown.exit_code != 0 and "152299000000" in unknown.output
    bad_period = runner.invoke(args=_lock_args("lock", period="2026Q5"))
    assert bad_period.exit_code != 0 and "2026Q5" in bad_period.output
    blank = runner.invoke(args=_lock_args("lock", reason="  "))
    assert blank.exit_code != 0 and "理由" in blank.output
    nothing = runner.invoke(args=_lock_args("unlock"))
    assert nothing.exit_code != 0 and "没有有效的锁定" in nothing.output
    db.session.expire_all()
    assert db.session.scalars(select(PeriodLock)).all() == []
