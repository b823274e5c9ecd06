"""Fixtures of the snapshot tests: a database holding the small example data set, and a
second, empty database of the same kind to restore into (a new SQLite file, or a new
database on ``TEST_DATABASE_URL``'s PostgreSQL server, dropped afterwards)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from field_app import create_app
from field_app.extensions import db
from tests.paths import EXAMPLES

SMALL = EXAMPLES / "hinggan-small"


@pytest.fixture
def loaded(app, runner):
    """The example data set, committed (a snapshot reads committed data only)."""
    result = runner.invoke(args=["import-data", str(SMALL)])
    assert result.exit_code == 0, result.output
    return app


def snapshot_create(runner, directory, month="2026-05"):
    return runner.invoke(args=["snapshot", "create", "--out", str(directory), "--month", month])


@pytest.fixture
def empty_database_url(app, tmp_path):
    """The URL of a new, empty database of the test database's kind."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"field_app_restore_{uuid.uuid4().hex[:12]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(os.environ["TEST_DATABASE_URL"]).set(database=name) \
            .render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def app_on(empty_database_url):
    """``app_on()``: an app on the empty database, as ``DATABASE_URL`` would make it."""
    made = []

    def build():
        other = create_app({"TESTING": True, "SECRET_KEY": "test",
                            "SQLALCHEMY_DATABASE_URI": empty_database_url})
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
