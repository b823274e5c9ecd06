"""A large import drops the secondary indexes of the tables it more than doubles (on
PostgreSQL also the foreign keys between them), writes, and builds them anew
(``core.sql.indexes_rebuilt``, ``exchange.importer._bulk_tables``): on both databases the
schema ends as it was, a failed import leaves it as it was, and on PostgreSQL a table
another transaction is reading is written with its indexes in place."""
from __future__ import annotations

import contextlib
import shutil
import struct
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from field_app.audit.models import AuditEvent
from field_app.core import sql
from field_app.core.database import wait_for_checkpoints
from field_app.exchange import importer
from field_app.exchange.importer import import_dataset
from field_app.extensions import db


pytestmark = pytest.mark.usefixtures("both_import_paths")


def _schema() -> list[tuple[str, ...]]:
    """Every index of the database and, on PostgreSQL, every foreign key, as SQL; on
    SQLite every trigger too (the figure cache's and SpatiaLite's are dropped for a bulk
    write and made again)."""
    if db.engine.dialect.name == "sqlite":
        return db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
            " AND sql IS NOT NULL ORDER BY name")).all()
    return db.session.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        " UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1")).all()


def _names() -> set[str]:
    return {name for name, _ in _schema()}


@pytest.fixture
def watched(monkeypatch):
    """Large counts as from one row; records what ``indexes_rebuilt`` was asked for, gave,
    which indexes (and foreign keys) were gone while the rows were written, and what was
    there then."""
    monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 1)  # the small data set counts as large
    monkeypatch.setattr(importer, "ANALYZE_MIN_ROWS", 1)
    seen = {"asked": [], "given": [], "missing": set(), "present": set()}
    original = importer.indexes_rebuilt

    @contextlib.contextmanager
    def watching(conn, tables):
        before = _names()
        seen["asked"].extend(table.name for table in tables)
        with original(conn, tables) as rebuilt:
            seen["given"].extend(table.name for table in rebuilt)
            seen["present"] = _names()
            seen["missing"] |= before - seen["present"]
            yield rebuilt

    monkeypatch.setattr(importer, "indexes_rebuilt", watching)
    return seen


def _wal_frames(path: str) -> tuple[int, int]:
    """(frames in the WAL, frames of it copied into the database file), as the WAL-index
    header in the ``-shm`` file has them (``mxFrame`` at byte 16, ``nBackfill`` at 96:
    https://www.sqlite.org/walformat.html)."""
    header = Path(path + "-shm").read_bytes()[:100]
    return struct.unpack_from("=I", header, 16)[0], struct.unpack_from("=I", header, 96)[0]


def test_a_large_import_is_copied_from_the_wal_after_its_commit_not_in_it(
        app_ctx, small_dir, monkeypatch):
    """SQLite: the commit of a large import appends it to the WAL and returns; a thread
    copies it into the database file once the connection is back in the pool, and the
    connection checkpoints by itself again after (``core.database.checkpoint_later``).
    PostgreSQL has its own checkpointer: no thread."""
    monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 1)  # the small data set counts as large
    wait_for_checkpoints()  # none of an earlier test's left running
    with db.engine.connect() as conn:
        assert import_dataset(conn, small_dir).ok
        driver = conn.connection.dbapi_connection
        conn.commit()
        if db.engine.dialect.name == "sqlite":
            frames, copied = _wal_frames(db.engine.url.database)
            assert frames > copied  # the import's pages are in the WAL alone
    finished = wait_for_checkpoints()
    if db.engine.dialect.name != "sqlite":
        assert finished == []
        return
    assert len(finished) == 1
    busy, log_frames, log_copied = finished[0]
    assert busy == 0 and log_copied == log_frames >= frames > 0
    frames, copied = _wal_frames(db.engine.url.database)
    assert frames == copied
    assert driver.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_a_large_import_builds_the_indexes_anew_and_they_hold_every_row(
        app_ctx, small_dir, watched):
    before = _schema()
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:  # the page cache, raised for the import (``core.sql.bulk_cache``)
        cache = db.session.scalar(text("PRAGMA cache_size"))
    assert import_dataset(db.session.connection(), small_dir).ok
    if sqlite:
        assert db.session.scalar(text("PRAGMA cache_size")) == cache
    assert {"persons", "households", "household_members", "audit_events"} <= set(
        watched["given"])
    assert {"ix_persons_birth_date", "ix_audit_events_target",
            "ix_household_members_household_id"} <= watched["missing"]
    # The indexes of the constraints stay and check the rows as they come.
    assert not {"uq_persons_id_number", "pk_persons"} & watched["missing"]
    if db.engine.dialect.name == "sqlite":  # and the per-row triggers are gone
        assert not {"figure_writes_household_members_insert", "ggi_households_location",
                    "tmi_households_location"} & watched["present"]
        assert "audit_events_no_update" in watched["present"]
    assert _schema() == before
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        # Every index agrees with its table, row for row.
        assert db.session.scalar(text("PRAGMA integrity_check")) == "ok"
        plan = " ".join(row[-1] for row in db.session.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM persons WHERE birth_date = '1990-01-01'")))
        assert "ix_persons_birth_date" in plan
        analysed = set(db.session.scalars(text("SELECT idx FROM sqlite_stat1")))
        assert {"ix_persons_birth_date", "ix_household_members_household_id"} <= analysed
    else:
        assert {"fk_household_members_person_id_persons",
                "fk_household_members_household_id_households"} <= watched["missing"]
        assert db.session.scalar(text(
            "SELECT bool_and(indisvalid AND indisready) FROM pg_index"
            " WHERE indrelid = 'persons'::regclass"))
    # The foreign keys hold again: a member of no person is refused.
    household = db.session.scalar(text("SELECT min(id) FROM households"))
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(text(
                "INSERT INTO household_members (household_id, person_id, relation,"
                " labour_capacity, uid, version, created_at, updated_at)"
                " VALUES (:h, 999999999, 'child', 'full', 'x-test', 1, :now, :now)"),
                {"h": household, "now": "2026-01-01 00:00:00"})


def test_a_large_import_while_reading_builds_a_tables_indexes_once_it_is_written(
        app_ctx, small_dir, watched, monkeypatch, both_import_paths):
    """Writing while reading: the indexes of a table are built again as soon as its file
    is merged (while the next file is read), the audit log's after the last file; on
    PostgreSQL a foreign key between two of the tables once both are merged. The
    sequential import builds them all at the end."""
    merge = importer.merge
    present_at = {}

    def watching(conn, target, records, **kwargs):
        present_at[target.table.name] = _names()
        return merge(conn, target, records, **kwargs)

    monkeypatch.setattr(importer, "merge", watching)
    before = _schema()
    assert import_dataset(db.session.connection(), small_dir).ok
    assert _schema() == before
    last = list(present_at)[-1]
    assert last != "persons" and "persons" in present_at
    missing_at_last = {name for name, _ in before} - present_at[last]
    assert "ix_audit_events_target" in missing_at_last
    early = {"ix_persons_birth_date", "ix_households_village_code",
             "ix_household_members_household_id"}
    if both_import_paths == "while reading":
        assert not early & missing_at_last
    else:
        assert early <= missing_at_last
    if db.engine.dialect.name == "postgresql":
        members = {"fk_household_members_person_id_persons",
                   "fk_household_members_household_id_households"}
        # The last file's table is not merged yet: its key to divisions is still gone.
        assert "fk_employed_totals_division_code_divisions" in missing_at_last
        assert (members & missing_at_last) == (
            set() if both_import_paths == "while reading" else members)


def test_a_table_the_import_does_not_double_keeps_its_indexes_and_the_keys_to_it(
        app_ctx, small_dir, watched, tmp_path):
    divisions = tmp_path / "divisions"
    divisions.mkdir()
    shutil.copy(small_dir / "divisions.csv", divisions / "divisions.csv")
    assert import_dataset(db.session.connection(), divisions).ok
    db.session.commit()
    watched["given"].clear()
    watched["missing"].clear()
    assert import_dataset(db.session.connection(), small_dir).ok
    assert "divisions" not in watched["given"] and "persons" in watched["given"]
    # Nothing of the divisions is dropped, nor a foreign key to them: on PostgreSQL that
    # would lock the table every page reads.
    assert not {name for name in watched["missing"]
                if name.startswith("ix_divisions") or name.endswith("_divisions")}
    assert "ix_persons_birth_date" in watched["missing"]
    if db.engine.dialect.name == "postgresql":
        assert "fk_household_members_person_id_persons" in watched["missing"]


def test_the_events_of_a_rebuilt_audit_log_are_made_by_the_database(
        app_ctx, small_dir, watched, monkeypatch):
    def listed(*args):
        raise AssertionError("the events were listed in Python")

    monkeypatch.setattr(importer, "_created_list", listed)
    result = import_dataset(db.session.connection(), small_dir)
    assert result.ok
    inserted = sum(counts.inserted for counts in result.counts.values())
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "create", AuditEvent.note == "import")) == inserted


def test_an_import_that_fails_while_writing_leaves_the_indexes_as_they_were(
        app_ctx, small_dir, watched, monkeypatch):
    before = _schema()
    merge = importer.merge

    def broken(conn, target, records, **kwargs):
        counts = merge(conn, target, records, **kwargs)
        if target.table.name == "household_members":  # persons and households written
            raise RuntimeError("the disk is full")
        return counts

    monkeypatch.setattr(importer, "merge", broken)
    with pytest.raises(RuntimeError):
        import_dataset(db.session.connection(), small_dir)
    db.session.rollback()
    assert watched["missing"]
    assert _schema() == before
    assert db.session.scalar(text("SELECT count(*) FROM persons")) == 0


def test_only_a_table_the_import_may_more_than_double_is_rebuilt(app_ctx, small_dir,
                                                                  monkeypatch):
    conn = db.session.connection()
    parsed = importer.read_dataset(small_dir, lambda name, keys: set())
    assert importer._bulk_tables(conn, parsed) == []  # too few rows to be worth it
    monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 1)
    assert {"persons", "audit_events"} <= {t.name for t in importer._bulk_tables(conn, parsed)}
    assert import_dataset(conn, small_dir).ok
    db.session.commit()
    # The same data set again: no table would more than double, the audit log included.
    assert importer._bulk_tables(db.session.connection(), parsed) == []


def test_a_table_another_transaction_reads_keeps_its_indexes(app_ctx, small_dir, watched,
                                                              monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's readers never block the writer's schema change")
    monkeypatch.setattr(sql, "REBUILD_LOCK_TIMEOUT_MS", 200)
    before = _schema()
    timeout = db.session.scalar(text("SELECT current_setting('lock_timeout')"))
    with db.engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM persons"))  # its lock lasts until rollback
        started = time.monotonic()
        result = import_dataset(db.session.connection(), small_dir)
        waited = time.monotonic() - started
        reader.rollback()
    assert result.ok
    assert watched["asked"] and watched["given"] == [] and not watched["missing"]
    assert waited < 30  # not stuck behind the reader
    assert _schema() == before
    # The session's own lock timeout is as it was.
    assert db.session.scalar(text("SELECT current_setting('lock_timeout')")) == timeout
    db.session.commit()
    assert db.session.scalar(text("SELECT count(*) FROM persons")) > 0
