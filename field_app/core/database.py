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

import collections
import logging
import os
import sqlite3
import threading

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


# An execution option that marks a connection as one that only reads, even in a writing
# request: it never takes the write lock (the importer's view of the database as it was,
# ``exchange.importer._view_before``, reads while the import's own connection writes).
READING_ONLY = "field_app_reading_only"


def _on_sqlite_begin(connection: Connection) -> None:
    dbapi_connection = connection.connection.driver_connection
    if _writing_request() and not connection.get_execution_options().get(READING_ONLY):
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
        event.listen(engine, "checkin", _on_sqlite_checkin)


# --- SQLite: the WAL checkpoint of a bulk write, in a thread -------------------------------

_CHECKPOINT_LATER = "field_app.checkpoint_later"  # in a pooled connection's ``info``
_checkpoints: list[threading.Thread] = []  # those not yet seen ended
# The latest results, for ``wait_for_checkpoints``: a server that never asks keeps a few.
_checkpointed: collections.deque[tuple[int, int, int]] = collections.deque(maxlen=100)
_checkpoints_lock = threading.Lock()
_log = logging.getLogger(__name__)


def checkpoint_later(connection: Connection) -> None:
    """On SQLite, the commit of ``connection``'s transaction leaves the WAL as it is, and a
    thread copies it into the database file as soon as the connection is back in the pool
    (``_on_sqlite_checkin``); elsewhere nothing.

    In WAL mode a commit appends the transaction's pages to the WAL, and then, past 1,000
    pages of WAL, the committing connection copies them into the database file before its
    commit returns (the automatic checkpoint). For a bulk import that is the whole import
    written once more: a million persons' 1.25 GB, whose copy took 6.3 s of the commit,
    after 2.5 s to append them to the WAL. SQLite's documentation leaves the checkpoints of
    such a writer to "a separate thread or process" (https://sqlite.org/wal.html#ckpt):
    the import is committed and every reader sees it (from the WAL) while the copy is made.
    The thread's checkpoint is PASSIVE, waiting for no reader or writer; only one
    checkpoint runs at a time, so a writer committing meanwhile finds it running and skips
    its own automatic one. The thread is no daemon: a command ends after its checkpoint.
    """
    if connection.dialect.name != "sqlite" or not connection.engine.url.database:
        return
    if connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() != "wal":
        return  # a database in memory: no WAL, nothing to copy
    info = connection.connection.info
    if _CHECKPOINT_LATER not in info:
        pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
        info[_CHECKPOINT_LATER] = (connection.engine.url.database, int(pages))
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")


def _on_sqlite_checkin(dbapi_connection, connection_record) -> None:
    later = connection_record.info.pop(_CHECKPOINT_LATER, None)
    if later is None:
        return
    path, pages = later
    if dbapi_connection is not None:  # None: the connection was invalidated, and is gone
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {pages}")
    thread = threading.Thread(target=_checkpoint, args=(path,), name="sqlite-checkpoint")
    with _checkpoints_lock:
        _checkpoints[:] = [*(t for t in _checkpoints if t.is_alive()), thread]
    thread.start()


def _checkpoint(path: str) -> None:
    """One PASSIVE checkpoint of the database at ``path``, on a connection of its own (no
    pooled one: it may not be used from another thread). A failure is only logged: the
    WAL stays valid, and the next checkpoint, automatic or not, copies it."""
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        _log.warning("SQLite checkpoint of %s failed: %s", path, error)
        return
    with _checkpoints_lock:
        _checkpointed.append((busy, frames, copied))


def wait_for_checkpoints() -> list[tuple[int, int, int]]:
    """Wait for every checkpoint ``checkpoint_later`` has started; the results of those
    not asked for before, in the order they ended: (1 if another checkpoint held the lock
    else 0, the WAL's frames, the frames copied), as ``PRAGMA wal_checkpoint`` gives them."""
    with _checkpoints_lock:
        threads = list(_checkpoints)
    for thread in threads:
        thread.join()
    with _checkpoints_lock:
        _checkpoints[:] = [thread for thread in _checkpoints if thread.is_alive()]
        results = list(_checkpointed)
        _checkpointed.clear()
    return results
