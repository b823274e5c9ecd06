"""Snapshot timings: create and restore the monthly frozen snapshot of a large database.

    python -m benchmarks.snapshot [--persons 1000000] [--db sqlite|postgresql]
        [--database-url URL] [--restore-url URL] [--data-dir DIR] [--out DIR] [--keep]
        [--reuse-database]

1. Builds (or reuses) the synthetic Hinggan League data set of ``benchmarks.indicators``
   and imports it into an empty database brought to schema by the migrations.
2. Times ``flask --app wsgi snapshot create`` on it, as the monthly timer runs it: the
   backup (SQLite's online backup API, or ``pg_dump -Fc``), the interchange export, the
   figures of every league and county and the manifest's hashes.
3. Times ``flask --app wsgi snapshot restore`` into a second, empty database: the restore
   and the figures computed again and compared, which the command requires to be equal.

Target on the 2-core reference machine: each under two minutes at 1,000,000 persons.

SQLite is the default; ``--db postgresql`` uses ``--database-url`` (default
``postgresql+psycopg://postgres@127.0.0.1:55432/field_app_bench_snapshot``; the database
is dropped and created again) and restores into ``--restore-url`` (default: the same
server, database name + ``_restored``, dropped and created again). Without ``--keep`` the
snapshot directory and the SQLite files are removed at the end.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.indicators import ensure_dataset, machine, prepare_database, time_import

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/field_app_bench_snapshot"
MONTH = "2026-10"  # the data set's last month: figures from 2026-01-01 to 2026-10-31
TARGET_SECONDS = 120.0
ROOT = Path(__file__).resolve().parents[1]


def _fresh_postgresql(url: str, *, with_postgis: bool) -> None:
    """Drop and create the database of ``url`` on its server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()
    if with_postgis:
        engine = create_engine(target, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()


def _flask(args: list[str], url: str) -> tuple[float, float]:
    """Run ``flask --app wsgi ARGS`` on the database ``url``; its output goes to the
    terminal. Returns the wall time and the CPU time of the command and the tools it ran
    (``pg_dump``, ``pg_restore``; not the PostgreSQL server's), which other work on the
    machine does not inflate. A failure ends the benchmark."""
    env = dict(os.environ, DATABASE_URL=url)
    env.setdefault("SECRET_KEY", "bench")
    env.setdefault("FIELD_APP_SITE_URL", "http://127.0.0.1:5000")
    flask = Path(sys.executable).with_name("flask")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(flask), "--app", "wsgi", *args], cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed with exit code {done.returncode}")
    return seconds, cpu


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def _remove_sqlite(path: Path) -> None:
    for found in path.parent.glob(path.name + "*"):
        found.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.snapshot",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="the database to fill and snapshot (default: a "
                        f"fresh SQLite file under /tmp, or {DEFAULT_PG_URL})")
    parser.add_argument("--restore-url", help="the empty database to restore into (default: "
                        "a second SQLite file, or the same server's <name>_restored)")
    parser.add_argument("--data-dir", type=Path,
                        help="the CSV folder (default: /tmp/field_app_bench_data_N, shared "
                        "with benchmarks.indicators)")
    parser.add_argument("--out", type=Path,
                        help="the snapshot directory (default: /tmp/field_app_snapshot_bench_N)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the snapshot directory and the SQLite files")
    parser.add_argument("--reuse-database", action="store_true",
                        help="the database already holds the data set (an earlier run with "
                        "--keep): time the snapshot only, without building and importing")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench")
    from sqlalchemy.engine import make_url

    n = args.persons
    directory = args.data_dir or Path(f"/tmp/field_app_bench_data_{n}")
    out = args.out or Path(f"/tmp/field_app_snapshot_bench_{n}")
    sqlite_files = []
    url, restore_url = args.database_url, args.restore_url
    if args.db == "sqlite":
        if url is None:
            sqlite_files.append(Path(f"/tmp/field_app_snapshot_bench_{n}.db"))
            url = f"sqlite:///{sqlite_files[-1]}"
        if restore_url is None:
            sqlite_files.append(Path(f"/tmp/field_app_snapshot_bench_{n}_restored.db"))
            restore_url = f"sqlite:///{sqlite_files[-1]}"
        for path in sqlite_files[0 if not args.reuse_database else 1:]:
            _remove_sqlite(path)
    else:
        url = url or DEFAULT_PG_URL
        restore_url = restore_url or make_url(url).set(
            database=f"{make_url(url).database}_restored").render_as_string(hide_password=False)
        if not args.reuse_database:
            _fresh_postgresql(url, with_postgis=True)
        _fresh_postgresql(restore_url, with_postgis=False)
    shutil.rmtree(out, ignore_errors=True)

    from field_app import create_app
    from field_app.extensions import db

    if args.reuse_database:
        rows, generated_in, reused, import_seconds, imported = 0, 0.0, True, 0.0, 0
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            from sqlalchemy import text

            # The register of an earlier run: this run's snapshot starts no chain of its own.
            with db.engine.begin() as conn:
                conn.execute(text("DELETE FROM snapshots"))
    else:
        rows, generated_in, reused = ensure_dataset(directory, n)
        app = prepare_database(args.db, url)
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            machine_line = machine(conn, args.db)
        if not args.reuse_database:
            counts, import_seconds, _ = time_import(engine, directory)
            imported = sum(c.inserted + c.updated + c.unchanged for c in counts.values())
        engine.dispose()
    database_size = sqlite_files[0].stat().st_size if sqlite_files and args.db == "sqlite" \
        else None

    load_before = os.getloadavg()[0]
    print(f"\n== snapshot create ({args.db})", flush=True)
    create_seconds, create_cpu = _flask(["snapshot", "create", "--out", str(out), "--month", MONTH], url)
    print(f"\n== snapshot restore into {make_url(restore_url).render_as_string()}", flush=True)
    restore_seconds, restore_cpu = _flask(["snapshot", "restore", str(out)], restore_url)
    load_after = os.getloadavg()[0]
    snapshot_size = _size(out)

    def verdict(seconds: float) -> str:
        limit = TARGET_SECONDS * max(1.0, n / 1_000_000)
        return f"{'<= ' + format(limit, 'g') + ' s':>10}  {'ok' if seconds <= limit else 'MISSED'}"

    print()
    print(f"machine     {machine_line}")
    print(f"database    {args.db}: {make_url(url).render_as_string()}"
          + (f" ({database_size / 2**20:,.0f} MiB)" if database_size else ""))
    if args.reuse_database:
        print(f"data set    {n:,} persons, already in the database (--reuse-database)")
    else:
        print(f"data set    {n:,} persons, {rows:,} rows in {directory} "
              + ("(reused)" if reused else f"(generated in {generated_in:.1f} s)")
              + f"; {imported:,} rows imported in {import_seconds:.1f} s")
    print(f"snapshot    {out}: {snapshot_size / 2**20:,.0f} MiB")
    # Other work on the machine slows every figure; the load average tells how much.
    print(f"load        1-minute load average {load_before:.2f} before create, "
          f"{load_after:.2f} after restore")
    print()
    print(f"{'step':<44}{'seconds':>10}{'CPU s':>8}{'target':>12}")
    print(f"{'snapshot create (backup, export, figures)':<44}{create_seconds:>10.1f}"
          f"{create_cpu:>8.1f}{verdict(create_seconds)}")
    print(f"{'snapshot restore (restore, figures compared)':<44}{restore_seconds:>10.1f}"
          f"{restore_cpu:>8.1f}{verdict(restore_seconds)}")
    print("  (CPU s: the command and the tools it ran, not the database server; the step "
          "lines above give each step's wall time)")

    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
        for path in sqlite_files:
            _remove_sqlite(path)
    limit = TARGET_SECONDS * max(1.0, n / 1_000_000)
    return 0 if max(create_seconds, restore_seconds) <= limit else 1


if __name__ == "__main__":
    sys.exit(main())
