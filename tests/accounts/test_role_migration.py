"""Migration 0011: users.role accepts the roles of the reporting chain, and on SQLite the copy
of ``users`` it takes keeps every row that refers to an account."""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import exc, select, text

from field_app.accounts.models import User
from field_app.accounts.roles import AccountState, Role
from field_app.extensions import db

T = dt.datetime(2026, 1, 1)
# Plain SQL, not the ORM or the typed table: the database's CHECK is what is tested, not the
# Enum's own validation.
INSERT = text("INSERT INTO users (id, username, display_name, role, division_code, state, "
              "password_hash, must_change_password, last_activity_at, created_at, updated_at, "
              "created_by_id) VALUES (:id, :username, :username, :role, :division, :state, 'x', "
              "false, :t, :t, :t, :created_by)")


def _row(id_: int, username: str, role: str, division: str, state: str = "active",
         created_by: int | None = None) -> dict:
    return {"id": id_, "username": username, "role": role, "division": division,
            "state": state, "t": T, "created_by": created_by}


@pytest.mark.parametrize("role", list(Role))
def test_the_schema_at_head_accepts_every_role(make, role):
    db.session.execute(INSERT, _row(90001, "raw", role.value, "152201000000"))
    assert db.session.scalar(select(User.role).where(User.username == "raw")) == role


def test_the_schema_at_head_refuses_a_role_it_does_not_know(make):
    with pytest.raises(exc.IntegrityError):
        db.session.execute(INSERT, _row(90001, "raw", "super_admin", "152201000000"))
    db.session.rollback()


@pytest.fixture
def fresh_sqlite(tmp_path):
    """An application on a new SQLite file of its own, to move through 0010 ↔ 0011.

    Alembic's env.py reads the logging section of alembic.ini, which disables every logger
    that exists by then (the PDF renderer's among them, whose warnings other tests read):
    they are put back as they were."""
    from field_app import create_app

    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    disabled = {logger: logger.disabled for logger in loggers}
    root = (logging.root.level, list(logging.root.handlers))
    yield create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'mig.db'}"})
    for logger, was in disabled.items():
        logger.disabled = was
    logging.root.setLevel(root[0])
    logging.root.handlers[:] = root[1]


def test_sqlite_upgrade_and_downgrade_keep_the_rows_that_refer_to_accounts(app, fresh_sqlite):
    from flask_migrate import downgrade, upgrade

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the table copy is SQLite's; PostgreSQL alters the constraint in place")
    with fresh_sqlite.app_context():
        upgrade(revision="0010_counters")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO divisions (code, name, level, created_at, updated_at) "
                              "VALUES ('152200000000', '兴安盟', 2, '2026-01-01', '2026-01-01')"))
            conn.execute(INSERT, _row(1, "league", "league_admin", "152200000000"))
            conn.execute(INSERT, _row(2, "locked", "auditor", "152200000000", "locked", 1))
            conn.execute(text("INSERT INTO restore_requests (user_id, reason, state, filed_at, "
                              "created_at, updated_at, created_by_id) VALUES "
                              "(2, '出差', 'pending', '2026-01-01', '2026-01-01', '2026-01-01', 1)"))

        upgrade(revision="0011_roles")
        with db.engine.begin() as conn:
            conn.execute(INSERT, _row(3, "statistician", "league_statistician", "152200000000"))
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.scalar(text("SELECT count(*) FROM restore_requests")) == 1

        downgrade(revision="0010_counters")
        with db.engine.begin() as conn:
            rows = conn.execute(text("SELECT id, role, state, former_division_code FROM users "
                                     "ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [
                (1, "league_admin", "active", None), (2, "auditor", "locked", None),
                (3, None, AccountState.DEACTIVATED.value, "152200000000")]
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        upgrade(revision="0011_roles")
        db.engine.dispose()
