"""``snapshot create|verify|restore|list``: the monthly frozen snapshots (固化备份); see
``docs/snapshots.md`` for the monthly timer and the restore drill."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.exc import SQLAlchemyError

from field_app.cli.commits import commits
from field_app.cli.text import word
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.i18n import both
from field_app.extensions import db
from field_app.snapshots import queries
from field_app.snapshots.figures import previous_month
from field_app.snapshots.labels import size_text
from field_app.snapshots.manifest import SnapshotError, check_chain, check_directory
from field_app.snapshots.operations import Progress, create_snapshot, restore_snapshot
from field_app.statistics.labels import INDICATOR_LABELS


class Steps(Progress):
    """Numbered step lines with the time each took; on a terminal, a percentage while a
    step that reports one runs."""

    def __init__(self) -> None:
        self.number = 0
        self.started: float | None = None
        self.tty = sys.stdout.isatty()
        self.shown = -1

    def step(self, message) -> None:
        self.finish()
        self.number += 1
        self.started, self.shown = time.perf_counter(), -1
        click.echo(f"[{self.number}] {both(message)}")

    def advance(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if self.tty and percent != self.shown:
            self.shown = percent
            click.echo(f"\r    {percent:3d}%", nl=False)

    def finish(self) -> None:
        if self.started is not None:
            elapsed = time.perf_counter() - self.started
            click.echo(f"\r    {elapsed:.1f} s    ")
            self.started = None


def _fail(error: SnapshotError) -> None:
    click.echo(both(error.message), err=True)
    for line in error.lines:
        click.echo(f"  {both(line) if not isinstance(line, str) else line}", err=True)
    sys.exit(1)


@click.group("snapshot")
def snapshot() -> None:
    """Monthly frozen snapshots (固化备份): create, verify, restore, list."""


@snapshot.command("create")
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="The new snapshot directory (must not exist, or be empty).")
@click.option("--month", help="YYYY-MM of the figures (default: the previous calendar month).")
@with_appcontext
@commits
def create(out: Path, month: str | None) -> None:
    """Write a snapshot of the whole database into a new directory."""
    steps = Steps()
    started = time.perf_counter()
    try:
        made = create_snapshot(db.session, db.engine, out, month or previous_month(clock.today()),
                               current_policy(), steps)
    except SnapshotError as error:
        steps.finish()
        _fail(error)
    steps.finish()
    click.echo(both(_l("快照已写入 %(dir)s：%(count)s 个文件，%(size)s，用时 %(seconds)s 秒",
                       dir=made.directory, count=made.file_count,
                       size=size_text(made.total_bytes),
                       seconds=f"{time.perf_counter() - started:.1f}")))
    click.echo(f"{word(lazy_pgettext('cli', '清单'))} SHA-256  {made.manifest_sha256}")
    click.echo(f"{word(lazy_pgettext('cli', '上一快照'))} SHA-256  "
               f"{made.previous_manifest_sha256 or '—'}")


@snapshot.command("verify")
@click.argument("directories", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def verify(directories: tuple[Path, ...]) -> None:
    """Check every file of each snapshot and, across the directories in the order given
    (oldest first), that each names the previous one's manifest hash."""
    checked = [check_directory(directory.resolve()) for directory in directories]
    check_chain(checked)
    _check_register(checked)
    failed = False
    for found in checked:
        if found.ok:
            click.echo(both(_l("%(dir)s：通过（%(month)s，清单 SHA-256 %(sha)s）",
                               dir=str(found.directory), month=found.manifest.get("month"),
                               sha=found.manifest_sha256)))
            continue
        failed = True
        click.echo(both(_l("%(dir)s：未通过", dir=str(found.directory))), err=True)
        for problem in found.problems:
            click.echo(f"  {both(problem)}", err=True)
    if failed:
        sys.exit(1)
    if len(checked) > 1:
        click.echo(both(_l("%(count)s 个快照的链条完整", count=len(checked))))


def _check_register(checked) -> None:
    """A snapshot this database registered at the same directory must have the manifest
    hash it registered: that covers the newest link, which no later manifest names. A
    copy verified elsewhere (no such row, or no database at all) is checked by its files
    and chain alone."""
    try:
        for found in checked:
            if found.manifest_sha256 is None:
                continue
            rows = queries.recorded_at(db.session, str(found.directory))
            if rows and all(row.manifest_sha256 != found.manifest_sha256 for row in rows):
                found.problems.append(_l("清单哈希 %(sha)s 与数据库登记的 %(registered)s 不符：清单已被改写",
                                         sha=found.manifest_sha256,
                                         registered=rows[-1].manifest_sha256))
    except SQLAlchemyError:
        db.session.rollback()


@snapshot.command("restore")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@with_appcontext
@commits
def restore(directory: Path) -> None:
    """Restore a snapshot into the empty database of DATABASE_URL, then compare every
    indicator with the snapshot's figures (exit 1 on any difference)."""
    steps = Steps()
    try:
        result = restore_snapshot(db.session, db.engine, directory, current_policy(), steps)
    except SnapshotError as error:
        steps.finish()
        _fail(error)
    steps.finish()
    stored = result.stored
    click.echo(both(_l("指标对照：%(start)s 至 %(end)s，政策 %(policy)s",
                       start=stored["from"], end=stored["to"], policy=stored["policy"])))
    wrong = {(d.code, d.key): d for d in result.differences}
    for division in stored["divisions"]:
        mine = [d for (code, _), d in wrong.items() if code == division["code"]]
        if not mine:
            click.echo(f"  {division['code']} {division['name']}  " + both(
                _l("%(count)s 项全部一致", count=len(division["indicators"]))))
            continue
        for d in mine:
            name = str(INDICATOR_LABELS[d.key]) if d.key else "—"
            click.echo(f"  {d.code} {d.name}  {name}: {d.stored} → {d.found}", err=True)
    for d in result.differences:
        if d.code not in {x["code"] for x in stored["divisions"]}:
            click.echo(f"  {d.code} {d.name}: {d.stored} → {d.found}", err=True)
    if result.differences:
        click.echo(both(_l("恢复后的指标与快照不一致：%(count)s 处不同",
                           count=len(result.differences))), err=True)
        sys.exit(1)
    click.echo(both(_l("已恢复 %(dir)s：每个指标与快照一致", dir=result.snapshot.directory)))
    head = _head_revision()
    if result.revision != head:
        click.echo(both(_l("恢复的数据库版本为 %(revision)s，程序的版本为 %(head)s：请运行 "
                           "flask --app wsgi db upgrade", revision=result.revision or "—",
                           head=head)))


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


@snapshot.command("list")
@with_appcontext
def list_snapshots() -> None:
    """The snapshots this database has registered, newest first."""
    for row in queries.listing(db.session):
        restored = f"  ({both(_l('恢复自此快照'))} {row.restored_at:%Y-%m-%d %H:%M})" \
            if row.restored_at else ""
        click.echo(f"{row.month}  {row.created_at:%Y-%m-%d %H:%M}  {row.dialect:<10}  "
                   f"{row.file_count:>4}  {size_text(row.total_bytes):>10}  "
                   f"{row.manifest_sha256}  {row.directory}{restored}")
