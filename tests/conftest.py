"""Fixtures: one app and schema per session on the database of ``TEST_DATABASE_URL``
(PostgreSQL+PostGIS) or, by default, a fresh SQLite+SpatiaLite file; every test starts
from empty tables."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from field_app import create_app
from field_app.core.clock import clock
from field_app.extensions import db, limiter
from field_app.indicators import compute_indicators
from tests.factories import PASSWORD, Factory, totp_code


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgresql(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))


class FreshUserClient(FlaskClient):
    """Loads the signed-in user from its own session cookie on every request, as in production.

    A test that holds an app context (``make``, ``app_ctx``) shares it with the client's
    requests, so Flask-Login's user and Flask-WTF's CSRF token cached on ``g`` would
    otherwise carry over from one request, and one client, to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      # Memory-hard still, but cheap enough for hundreds of sign-ins.
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                      "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory)})
    app.test_client_class = FreshUserClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _reset_postgresql(db.engine)
        upgrade()
        event.listen(db.engine, "commit", _note_commit)
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_database() -> None:
    """Delete every row of every table (inside an app context).

    The audit log refuses DELETE by trigger; on SQLite the triggers are dropped for the
    cleanup and put back as they were. PostgreSQL's TRUNCATE does not fire row triggers.
    """
    db.session.rollback()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        # TRUNCATE takes every table's lock one by one; a connection some test left writing
        # can deadlock with it, and PostgreSQL may abort either side: try again, never leave
        # the rows to the next test.
        for attempt in range(5):
            try:
                with db.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                break
            except DBAPIError as error:
                if getattr(error.orig, "sqlstate", None) != "40P01" or attempt == 4:
                    raise
        db.session.remove()
        return
    with db.engine.begin() as conn:
        triggers = conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name IN ('audit_events', 'audit_event_divisions')")).all()
        for name, _ in triggers:
            conn.execute(text(f"DROP TRIGGER {name}"))
        for table in tables:
            conn.execute(text(f"DELETE FROM {table}"))
        # The deletes above are writes the figure cache's triggers log: empty it last.
        conn.execute(text("DELETE FROM figure_writes"))
        for _, sql in triggers:
            conn.execute(text(sql))
    db.session.remove()


_committed = {"flag": False}


def _note_commit(connection) -> None:
    _committed["flag"] = True


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """After each test, empty the tables if anything was committed; uncommitted work is
    rolled back when the app context ends, which is much cheaper on PostgreSQL."""
    _committed["flag"] = False
    if limiter.initialized:
        # Hundreds of test sign-ins come from 127.0.0.1: each test starts unthrottled.
        limiter.reset()
    yield
    clock.set(None)
    if "app" not in request.fixturenames or not _committed["flag"]:
        return
    with request.getfixturevalue("app").app_context():
        empty_database()
    _committed["flag"] = False


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app_ctx):
    factory = Factory(db.session)
    factory.tree()
    return factory


@pytest.fixture
def login_as(client, make):
    """``login_as(role, division=None)``: create an account and sign the client in as it."""

    def sign_in(role, division=None, **kwargs):
        user = make.user(role, division, **kwargs)
        db.session.commit()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        if user.signs_in_with_second_factor:  # administrators and auditors: the second step
            response = client.post("/login/verify", data={"code": totp_code(user)})
            assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@pytest.fixture
def indicators(app_ctx):
    """``indicators(division, a, b, policy=None)`` on what the session has flushed."""

    def compute(division: str, a: dt.date, b: dt.date, policy=None):
        return compute_indicators(db.session.connection(), division, a, b, policy)

    return compute
