"""The database-specific half of a snapshot: a backup that restores the whole service.

SQLite: the online backup API, run on a connection that holds a read transaction, so the
copy is that transaction's view of the database and the export and figures read beside it
describe the same state. PostgreSQL: ``pg_dump --format=custom`` on a snapshot exported
from a REPEATABLE READ transaction (``pg_export_snapshot``), for the same reason; the dump
runs while the export reads. Restores go only into an empty database.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import URL, Connection, Engine, inspect, select, text

from field_app.core.db import Base
from field_app.snapshots.manifest import SnapshotError

BACKUP_FILES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
_PAGES_PER_STEP = 8192  # 32 MiB of 4 KiB pages between progress reports


def backup_filename(dialect: str) -> str:
    if dialect not in BACKUP_FILES:
        raise SnapshotError(_l("不支持的数据库：%(dialect)s", dialect=dialect))
    return BACKUP_FILES[dialect]


@contextlib.contextmanager
def consistent_read(engine: Engine, target: Path, progress=None) -> Iterator[Connection]:
    """Start the backup of ``engine``'s database into ``target`` and yield a connection
    whose reads see exactly the state being backed up. On SQLite the copy is complete when
    the block is entered; on PostgreSQL ``pg_dump`` runs meanwhile and is waited for when
    the block ends (its failure raises ``SnapshotError``)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            # A read transaction: the backup below and every later read on this connection
            # see one state, whatever other connections commit meanwhile.
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            _sqlite_copy(conn.connection.driver_connection, target, progress)
            try:
                yield conn
            finally:
                conn.rollback()
        return
    with engine.connect() as base:
        conn = base.execution_options(isolation_level="REPEATABLE READ")
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        major = server_major(conn)
        dump = subprocess.Popen(
            [pg_tool("pg_dump", major), "--format=custom", f"--snapshot={snapshot}",
             f"--file={target}", "--no-password", f"--dbname={_conninfo(engine)}"],
            env=_pg_env(engine), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            yield conn
        except BaseException:
            dump.kill()
            dump.wait()
            raise
        finally:
            # pg_dump holds the snapshot only once it has started: keep the transaction
            # open until it is done.
            _, stderr = dump.communicate()
            conn.rollback()
        if dump.returncode != 0:
            raise SnapshotError(_l("pg_dump 失败（退出码 %(code)s）", code=dump.returncode),
                                stderr.decode(errors="replace").splitlines()[-20:])


def _sqlite_copy(source: sqlite3.Connection, target: Path, progress) -> None:
    destination = sqlite3.connect(target)
    try:
        def report(status, remaining, total):
            if progress is not None:
                progress(total - remaining, total)

        source.backup(destination, pages=_PAGES_PER_STEP, progress=report)
        # One self-contained file: a copy left in WAL mode would grow -wal and -shm files
        # beside it in the snapshot directory whenever it is opened, even to read.
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


def server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def pg_tool(name: str, major: int) -> str:
    """``pg_dump`` or ``pg_restore`` of the server's major version or newer (older ones
    refuse a newer server): the server's own directory first, then PATH, then any other
    installed version."""
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                       key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
                       reverse=True)
    candidates += [str(p) for p in installed]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _tool_major(candidate) >= major:
            return candidate
    raise SnapshotError(_l("找不到 %(tool)s（PostgreSQL %(major)s 或更新版本）：请安装 "
                           "postgresql-client-%(major)s，或把它所在目录放进 PATH",
                           tool=name, major=major))


def _tool_major(path: str) -> int:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match[1]) if match else 0


def _conninfo(engine: Engine) -> str:
    """The engine's URL as libpq reads it, the password left out (see ``_pg_env``)."""
    url = engine.url
    return URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query).render_as_string(
                          hide_password=False)


def _pg_env(engine: Engine) -> dict[str, str]:
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)
    return env


# --- restore ------------------------------------------------------------------------------

def holds_rows(engine: Engine) -> list[str]:
    """The application's tables in ``engine``'s database that hold rows (empty: the
    database may take a restore). Tables of SpatiaLite, PostGIS and Alembic are not the
    application's."""
    if engine.dialect.name == "sqlite":
        return _sqlite_holds_rows(engine.url.database or "")
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        full = []
        for table in Base.metadata.sorted_tables:
            if table.name in present \
                    and conn.execute(select(1).select_from(table).limit(1)).first():
                full.append(table.name)
        return full


def _sqlite_holds_rows(path: str) -> list[str]:
    # Read with the bare driver: the engine's first connection would initialise SpatiaLite
    # in the file (seconds) only for the restore to overwrite it.
    if not path or path == ":memory:" or not os.path.isfile(path):
        return []
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        present = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        return [table.name for table in Base.metadata.sorted_tables
                if table.name in present
                and conn.execute(f'SELECT 1 FROM "{table.name}" LIMIT 1').fetchone()]
    finally:
        conn.close()


def application_tables(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    return sorted(present & set(Base.metadata.tables))


def restore(engine: Engine, backup: Path, progress=None) -> None:
    """Replace ``engine``'s (empty, checked by the caller) database with ``backup``."""
    engine.dispose()
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            raise SnapshotError(_l("DATABASE_URL 须指向一个 SQLite 数据库文件"))
        source = sqlite3.connect(f"{backup.as_uri()}?mode=ro&immutable=1", uri=True)
        destination = sqlite3.connect(database)
        try:
            def report(status, remaining, total):
                if progress is not None:
                    progress(total - remaining, total)

            source.backup(destination, pages=_PAGES_PER_STEP, progress=report)
        finally:
            destination.close()
            source.close()
        return
    with engine.connect() as conn:
        major = server_major(conn)
    # One transaction: a restore that fails leaves the database as empty as it was. Owners
    # and grants are the target server's business (the restoring account owns everything).
    done = subprocess.run(
        [pg_tool("pg_restore", major), "--single-transaction", "--exit-on-error",
         "--no-owner", "--no-privileges", "--no-password", f"--dbname={_conninfo(engine)}",
         str(backup)],
        env=_pg_env(engine), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise SnapshotError(_l("pg_restore 失败（退出码 %(code)s）", code=done.returncode),
                            done.stderr.decode(errors="replace").splitlines()[-20:])
    # pg_restore brings no planner statistics; the indicator statements need them.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
