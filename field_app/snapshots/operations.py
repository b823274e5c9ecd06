"""Writing a snapshot and restoring one. Both flush and never commit: the command commits.

A snapshot directory holds:

- ``database.sqlite`` or ``database.pgdump``: the backup that restores the whole service;
- ``interchange/``: every file of the interchange format (``exchange.exporter``), which any
  database of the service, SQLite or PostgreSQL, can import;
- ``figures.json``: the twelve indicators of every league and county for the month;
- ``manifest.json``: every other file's SHA-256 and size, and the previous snapshot's
  manifest hash (``snapshots.manifest``).

The backup, the export and the figures are read in one transaction, so all three describe
the same state of the database.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from field_app.audit.actor import get_actor
from field_app.core.clock import clock
from field_app.exchange.exporter import export_dataset
from field_app.indicators import Policy
from field_app.snapshots import backup, queries
from field_app.snapshots.figures import Difference, compare_figures, compute_figures
from field_app.snapshots.manifest import (
    MANIFEST,
    SnapshotError,
    check_directory,
    write_manifest,
)
from field_app.snapshots.models import Snapshot
from field_app.statistics import figures

FIGURES = "figures.json"
INTERCHANGE = "interchange"
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Progress:
    """What a long operation tells its caller: a step begins (a lazy message), and how
    far the step has got. The command line prints them; tests pass this silent one."""

    def step(self, message) -> None:
        pass

    def advance(self, done: int, total: int) -> None:
        pass


def check_month(month: str) -> str:
    if not MONTH_RE.match(month or ""):
        raise SnapshotError(_l("月份应写作YYYY-MM：%(text)s", text=repr(month)))
    return month


def _prepare_directory(out: Path) -> Path:
    """A fresh working directory beside ``out``; ``out`` must not exist or be empty."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SnapshotError(_l("%(dir)s 已存在且不是空目录：快照只写进新目录", dir=str(out)))
    out.parent.mkdir(parents=True, exist_ok=True)
    working = out.parent / f".{out.name}.partial"
    if working.exists():  # left by an interrupted run
        shutil.rmtree(working)
    working.mkdir()
    return working


def _revision(conn: Connection) -> str | None:
    try:
        with conn.begin_nested():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def create_snapshot(session: Session, engine: Engine, out: Path, month: str, policy: Policy,
                    progress: Progress | None = None) -> Snapshot:
    """Write the snapshot of ``engine``'s whole database into the new directory ``out``,
    with the figures of ``month`` (YYYY-MM), and add its row to the register."""
    progress = progress or Progress()
    check_month(month)
    out = out.resolve()
    dialect = engine.dialect.name
    previous = queries.latest(session)
    created_at = clock.now().replace(microsecond=0)
    working = _prepare_directory(out)
    try:
        progress.step(_l("备份整个数据库"))
        with backup.consistent_read(engine, working / backup.backup_filename(dialect),
                                    progress.advance) as conn:
            revision = _revision(conn)
            progress.step(_l("导出交换格式数据集"))
            export_dataset(conn, working / INTERCHANGE)
            progress.step(_l("计算各盟市、旗县的指标"))
            figures = compute_figures(conn, month, policy, progress.advance)
            if dialect == "postgresql":
                progress.step(_l("等待 pg_dump 完成"))
        (working / FIGURES).write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
        progress.step(_l("计算每个文件的 SHA-256，写清单"))
        header = {
            "created_at": created_at.isoformat(),
            "created_by": get_actor(session).username,
            "month": month,
            "period": {"from": figures["from"], "to": figures["to"]},
            "policy": policy.name,
            "database": {"dialect": dialect, "alembic_revision": revision},
            "backup": backup.backup_filename(dialect),
            "previous_manifest_sha256": previous.manifest_sha256 if previous else None,
        }
        digest, count, total = write_manifest(working, header)
        os.rename(working, out)
    except BaseException:
        shutil.rmtree(working, ignore_errors=True)
        raise
    snapshot = Snapshot(created_at=created_at, created_by=header["created_by"], month=month,
                        directory=str(out), dialect=dialect, manifest_sha256=digest,
                        previous_manifest_sha256=header["previous_manifest_sha256"],
                        file_count=count, total_bytes=total)
    session.add(snapshot)
    session.flush()
    return snapshot


@dataclasses.dataclass
class Restored:
    snapshot: Snapshot
    stored: dict[str, Any]  # figures.json
    found: dict[str, Any]  # the same figures computed on the restored database
    differences: list[Difference]
    revision: str | None  # the restored database's Alembic revision


def restore_snapshot(session: Session, engine: Engine, directory: Path,
                     deployment_policy: Policy, progress: Progress | None = None) -> Restored:
    """Restore the snapshot in ``directory`` into ``engine``'s database, which must be
    empty; then compute the figures again and compare them with the snapshot's. The
    restored database gets the snapshot's row, so the next snapshot chains to it."""
    progress = progress or Progress()
    directory = directory.resolve()
    progress.step(_l("校验快照文件"))
    checked = check_directory(directory)
    if not checked.ok:
        raise SnapshotError(_l("快照 %(dir)s 未通过校验，不予恢复", dir=str(directory)),
                            checked.problems)
    manifest = checked.manifest
    dialect = manifest.get("database", {}).get("dialect")
    if dialect != engine.dialect.name:
        raise SnapshotError(_l("这是 %(snapshot)s 数据库的快照，不能恢复到 %(target)s 数据库；"
                               "可用快照中的 interchange 目录导入（import-data）",
                               snapshot=dialect, target=engine.dialect.name))
    session.close()
    full = backup.holds_rows(engine)
    if full:
        raise SnapshotError(_l("目标数据库不是空的（%(tables)s 等表有数据）：只恢复到空数据库",
                               tables=", ".join(full[:3])))
    if engine.dialect.name == "postgresql" and backup.application_tables(engine):
        raise SnapshotError(_l("目标数据库已建有本系统的表：请恢复到新建的空数据库（CREATE DATABASE）"))
    stored = json.loads((directory / FIGURES).read_text(encoding="utf-8"))
    progress.step(_l("恢复数据库"))
    backup.restore(engine, directory / manifest["backup"], progress.advance)
    with engine.begin() as conn:
        figures.forget(conn)  # the restored cache's marks belong to the source database
    policy = deployment_policy
    if stored["policy"] != policy.name:
        policy = Policy.named(stored["policy"])
    progress.step(_l("在恢复的数据库上重新计算指标"))
    with engine.connect() as conn:
        revision = _revision(conn)
        found = compute_figures(conn, stored["month"], policy, progress.advance)
    sizes = sum(entry["size"] for entry in manifest["files"])
    snapshot = Snapshot(
        created_at=dt.datetime.fromisoformat(manifest["created_at"]),
        created_by=manifest["created_by"][:60],
        month=manifest["month"], directory=str(directory), dialect=dialect,
        manifest_sha256=checked.manifest_sha256,
        previous_manifest_sha256=manifest.get("previous_manifest_sha256"),
        file_count=len(manifest["files"]) + 1,
        total_bytes=sizes + (directory / MANIFEST).stat().st_size, restored_at=clock.now())
    session.add(snapshot)
    session.flush()
    return Restored(snapshot, stored, found, compare_figures(stored, found), revision)
