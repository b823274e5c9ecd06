"""Engine setup: SpatiaLite, foreign keys and writers that wait, on every SQLite connection.

SQLite has one writer at a time. In WAL mode readers never wait, and a writer that finds the
write lock taken waits for it (``busy_timeout``) — but only if its transaction has read
nothing yet: a transaction that read first and then writes while another holds the lock gets
"database is locked" at once, however long the timeout, because waiting could deadlock. So a
request that may write (POST, PUT, PATCH, DELETE) begins its transaction IMMEDIATE, taking the
write lock before its first read: writers queue for the lock in turn, and each reads what the
one before it committed (the number counters, the versions of survey records). Requests that
only read (GET, HEAD) and everything outside a request (commands, migrations, tests) keep
pysqlite's own handling: reads run without a transaction and take no lock, and a write begins
a transaction just before it, which waits for the lock like any.
"""
from __future__ import annotations

import os

from flask import has_request_context, request
from geoalchemy2.admin.dialects.sqlite import load_spatialite
from sqlalchemy import Connection, Engine, event

# How long a writer waits for the write lock before "database is locked": longer than a
# queue of writers takes to pass. Reports hold the lock while their PDF renders (1-2 s on
# two cores), so ten asked for at once keep the last one waiting some 20 s.
BUSY_TIMEOUT_MS = 60_000
_READING_METHODS = {"GET", "HEAD", "OPTIONS"}


def _on_sqlite_connect(dbapi_connection, connection_record) -> None:
    # WGS84 only: the full EPSG table takes ~9 s to initialise on a new file.
    load_spatialite(dbapi_connection, init_mode="WGS84")
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.close()


def _writing_request() -> bool:
    return has_request_context() and request.method not in _READING_METHODS


def _on_sqlite_begin(connection: Connection) -> None:
    dbapi_connection = connection.connection.driver_connection
    if _writing_request():
        # pysqlite would BEGIN (deferred) only before the first INSERT/UPDATE/DELETE, and not
        # before a SAVEPOINT (whose release would then commit); with its handling off, the
        # transaction is ours to begin, and the savepoints of a sync batch nest in it.
        dbapi_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        dbapi_connection.isolation_level = ""  # pysqlite's default (the pool may hand over
        # a connection a writing request left in manual mode)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
