"""Monthly frozen snapshots on the test database (SQLite or PostgreSQL): what a snapshot
holds, verification and tampering, restoring into an empty database with the same
indicators, and the chain of manifests."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import func, inspect, select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.households.models import Person
from field_app.indicators import compute_indicators
from field_app.snapshots.manifest import read_manifest, write_manifest
from field_app.snapshots.models import Snapshot
from field_app.statistics import figures
from field_app.statistics.models import FigureCache
from tests.snapshots.conftest import snapshot_create

LEAGUE, BANNER = "152200000000", "152201000000"


def _manifest(directory):
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backup(directory):
    return directory / _manifest(directory)["backup"]


def test_snapshot_holds_backup_interchange_figures_and_manifest(loaded, runner, tmp_path):
    out = tmp_path / "2026-05"
    result = snapshot_create(runner, out)
    assert result.exit_code == 0, result.output

    manifest = _manifest(out)
    with loaded.app_context():
        dialect = db.engine.dialect.name
        league = compute_indicators(db.session.connection(), LEAGUE, dt.date(2026, 1, 1),
                                    dt.date(2026, 5, 31))
        row = db.session.scalars(select(Snapshot)).one()
    assert manifest["database"]["dialect"] == dialect
    assert manifest["backup"] == {"sqlite": "database.sqlite",
                                  "postgresql": "database.pgdump"}[dialect]
    assert manifest["previous_manifest_sha256"] is None
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert {manifest["backup"], "figures.json", "interchange/persons.csv",
            "interchange/divisions.csv"} <= set(listed)
    for path, entry in listed.items():
        assert _sha(out / path) == entry["sha256"]
        assert (out / path).stat().st_size == entry["size"]
    # The interchange copy: every person of the example set.
    persons = (out / "interchange" / "persons.csv").read_text(encoding="utf-8").splitlines()
    assert len(persons) == 1 + 980
    # The figures: every league and county, Jan 1 to the month's end, as the engine counts.
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert (figures["from"], figures["to"]) == ("2026-01-01", "2026-05-31")
    by_code = {d["code"]: d for d in figures["divisions"]}
    assert {LEAGUE, BANNER, "152224000000"} <= set(by_code)
    assert all(d["level"] in (2, 3) for d in figures["divisions"])
    assert by_code[LEAGUE]["indicators"]["new_employment_gross"] == league["new_employment_gross"]
    assert by_code[LEAGUE]["indicators"]["new_employment_gross"] > 0
    # The register row carries the manifest's own hash.
    assert row.manifest_sha256 == _sha(out / "manifest.json")
    assert (row.month, row.directory, row.dialect) == ("2026-05", str(out), dialect)
    assert row.file_count == len(listed) + 1
    assert row.total_bytes == sum(e["size"] for e in listed.values()) \
        + (out / "manifest.json").stat().st_size


def test_verify_passes_an_intact_snapshot(loaded, runner, tmp_path):
    snapshot_create(runner, tmp_path / "s")
    result = runner.invoke(args=["snapshot", "verify", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "通过" in result.output


def _append(path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


TAMPERING = {
    "backup changed, same size": (lambda out: _flip_a_byte(_backup(out)), "backup",
                                  "SHA-256 与清单不符"),
    "csv row appended": (lambda out: _append(out / "interchange" / "persons.csv", "x\n"),
                         "interchange/persons.csv", "大小与清单不符"),
    "figures deleted": (lambda out: (out / "figures.json").unlink(), "figures.json", "缺失"),
    "file added": (lambda out: (out / "extra.csv").write_text("a\n"), "extra.csv",
                   "不在清单中"),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_verify_fails_naming_the_tampered_file(loaded, runner, tmp_path, how):
    out = tmp_path / "s"
    snapshot_create(runner, out)
    tamper, name, reason = TAMPERING[how]
    if name == "backup":
        name = _manifest(out)["backup"]
    tamper(out)
    result = runner.invoke(args=["snapshot", "verify", str(out)])
    assert result.exit_code == 1
    problem = next(line for line in result.output.splitlines() if name in line)
    assert reason in problem


def test_verify_refuses_a_directory_without_manifest(app, runner, tmp_path):
    (tmp_path / "not-a-snapshot").mkdir()
    result = runner.invoke(args=["snapshot", "verify", str(tmp_path / "not-a-snapshot")])
    assert result.exit_code == 1
    assert "manifest.json" in result.output


def _indicator_sets(url_app, periods):
    with url_app.app_context():
        conn = db.session.connection()
        divisions = [LEAGUE, BANNER, "152201001001", "152223000000", "150102000000"]
        values = {(d, a, b): compute_indicators(conn, d, a, b) for d in divisions
                  for a, b in periods}
        persons = db.session.scalar(select(func.count()).select_from(Person))
        db.session.rollback()
    return values, persons


def test_restore_into_an_empty_database_gives_identical_indicators(loaded, runner, tmp_path,
                                                                     app_on):
    out = tmp_path / "s"
    snapshot_create(runner, out)
    restored_app = app_on()
    result = restored_app.test_cli_runner().invoke(args=["snapshot", "restore", str(out)])
    assert result.exit_code == 0, result.output
    assert "每个指标与快照一致" in result.output
    assert "12 项全部一致" in result.output

    # Not only the month's figures: any period, any division, and every row.
    periods = [(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
               (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
               (dt.date(2025, 1, 1), dt.date(2025, 12, 31))]
    assert _indicator_sets(restored_app, periods) == _indicator_sets(loaded, periods)
    with restored_app.app_context():
        row = db.session.scalars(select(Snapshot)).one()
        assert row.manifest_sha256 == _sha(out / "manifest.json")
        assert row.restored_at is not None


def test_a_restored_database_keeps_no_cached_page_figures(loaded, runner, tmp_path, app_on):
    # The source's cached figures carry marks of the source's writes (on PostgreSQL, its
    # transaction ids), which say nothing about the restored database's writes to come.
    with loaded.app_context():
        figures.page_figures(db.session, LEAGUE, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                             loaded.extensions["field_app.policy"])
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(FigureCache)) == 1
    out = tmp_path / "s"
    snapshot_create(runner, out)
    restored_app = app_on()
    result = restored_app.test_cli_runner().invoke(args=["snapshot", "restore", str(out)])
    assert result.exit_code == 0, result.output
    with restored_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FigureCache)) == 0


def test_restore_refuses_a_database_that_holds_data(loaded, runner, tmp_path):
    out = tmp_path / "s"
    snapshot_create(runner, out)
    result = runner.invoke(args=["snapshot", "restore", str(out)])
    assert result.exit_code == 1
    assert "不是空的" in result.output
    with loaded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 1


def test_restore_refuses_a_tampered_snapshot_and_leaves_the_database_empty(
        loaded, runner, tmp_path, app_on):
    out = tmp_path / "s"
    snapshot_create(runner, out)
    _flip_a_byte(_backup(out))
    restored_app = app_on()
    result = restored_app.test_cli_runner().invoke(args=["snapshot", "restore", str(out)])
    assert result.exit_code == 1
    assert "未通过校验" in result.output and _manifest(out)["backup"] in result.output
    with restored_app.app_context():
        assert "persons" not in inspect(db.engine).get_table_names()


def test_two_snapshots_form_a_chain(loaded, runner, tmp_path):
    first, second = tmp_path / "2026-05", tmp_path / "2026-06"
    snapshot_create(runner, first, "2026-05")
    snapshot_create(runner, second, "2026-06")
    assert _manifest(second)["previous_manifest_sha256"] == _sha(first / "manifest.json")
    with loaded.app_context():
        rows = db.session.scalars(select(Snapshot).order_by(Snapshot.id)).all()
        assert rows[1].previous_manifest_sha256 == rows[0].manifest_sha256

    result = runner.invoke(args=["snapshot", "verify", str(first), str(second)])
    assert result.exit_code == 0, result.output
    assert "2 个快照的链条完整" in result.output
    # Out of order, the link does not hold.
    backwards = runner.invoke(args=["snapshot", "verify", str(second), str(first)])
    assert backwards.exit_code == 1
    assert "链条断开" in backwards.output


def _rewrite_consistently(directory, change):
    """What a forger would do: change a file and write a manifest that matches it."""
    manifest, _ = read_manifest(directory)
    change(directory)
    header = {k: v for k, v in manifest.items() if k not in ("format", "files")}
    write_manifest(directory, header)


def test_a_rewritten_older_snapshot_breaks_the_chain(loaded, runner, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    snapshot_create(runner, first, "2026-05")
    snapshot_create(runner, second, "2026-06")
    _rewrite_consistently(first, lambda d: _append(d / "interchange" / "persons.csv",
                                                   "152201199001011234,某人,rural,\n"))

    # Alone, the forged directory is consistent with its own manifest...
    alone = runner.invoke(args=["snapshot", "verify", str(first)])
    assert "链条" not in alone.output
    # ...but the next snapshot names the manifest it replaced.
    result = runner.invoke(args=["snapshot", "verify", str(first), str(second)])
    assert result.exit_code == 1
    broken = [line for line in result.output.splitlines() if "链条断开" in line]
    assert broken and str(first) in broken[0]


def test_a_rewritten_newest_snapshot_disagrees_with_the_register(loaded, runner, tmp_path):
    out = tmp_path / "s"
    snapshot_create(runner, out)
    _rewrite_consistently(out, lambda d: (d / "figures.json").write_text("{}"))
    result = runner.invoke(args=["snapshot", "verify", str(out)])
    assert result.exit_code == 1
    assert "与数据库登记的" in result.output


def test_the_next_snapshot_after_a_restore_chains_to_the_restored_one(loaded, runner, tmp_path,
                                                                        app_on):
    first = tmp_path / "first"
    snapshot_create(runner, first)
    restored_app = app_on()
    restored_runner = restored_app.test_cli_runner()
    assert restored_runner.invoke(args=["snapshot", "restore", str(first)]).exit_code == 0
    second = tmp_path / "second"
    result = snapshot_create(restored_runner, second, "2026-06")
    assert result.exit_code == 0, result.output
    assert _manifest(second)["previous_manifest_sha256"] == _sha(first / "manifest.json")
    verified = runner.invoke(args=["snapshot", "verify", str(first), str(second)])
    assert verified.exit_code == 0, verified.output


def test_month_defaults_to_the_previous_calendar_month(loaded, runner, tmp_path):
    clock.set(dt.datetime(2027, 1, 3, 2, 0))
    result = runner.invoke(args=["snapshot", "create", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert _manifest(tmp_path / "s")["month"] == "2026-12"
    assert _manifest(tmp_path / "s")["period"] == {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.mark.parametrize("month", ["2026-13", "2026-5", "May"])
def test_a_bad_month_is_refused_and_nothing_written(loaded, runner, tmp_path, month):
    result = snapshot_create(runner, tmp_path / "s", month)
    assert result.exit_code == 1
    assert "YYYY-MM" in result.output
    assert not (tmp_path / "s").exists()


def test_a_snapshot_is_never_written_into_a_directory_holding_files(loaded, runner, tmp_path):
    out = tmp_path / "s"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = snapshot_create(runner, out)
    assert result.exit_code == 1
    assert "不是空目录" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_list_shows_the_register(loaded, runner, tmp_path):
    snapshot_create(runner, tmp_path / "s")
    result = runner.invoke(args=["snapshot", "list"])
    assert result.exit_code == 0
    assert _sha(tmp_path / "s" / "manifest.json") in result.output
