"""A second application on the test database, configured as a deployment would be."""
from __future__ import annotations

import contextlib

from field_app import create_app
from field_app.extensions import db


@contextlib.contextmanager
def configured_app(app, **overrides):
    """The application with ``overrides`` (``TESTING=False``: as served in production) on
    the session's database. Tests that write through it must also commit through the main
    app (``make`` + ``db.session.commit()``) so that the tables are emptied afterwards."""
    config = {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
              "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
              "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **overrides}
    second = create_app(config)
    try:
        yield second
    finally:
        with second.app_context():
            db.engine.dispose()
