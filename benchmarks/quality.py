"""Quality-scan timings on the synthetic Hinggan League data set of ``benchmarks.indicators``.

    python -m benchmarks.quality --persons 1000000 [--db sqlite|postgresql]
        [--database-url URL] [--data-dir DIR] [--repeat N] [--keep] [--no-import]

Imports the data set into an empty database at the head migration (``--no-import``: the
database at ``--database-url`` holds it already; its stored findings and scans are deleted
first, so that the first scan is a first one), then times the scan of the
whole league for the year 2026 (every rule, and storing the findings, committed): the first
scan inserts every finding, the later ones see them again. Target: under 30 s at 1,000,000
persons on the 2-core reference machine, on both databases.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from benchmarks.indicators import (
    DEFAULT_PG_URL,
    LEAGUE,
    PERIOD,
    ensure_dataset,
    machine,
    prepare_database,
    time_import,
)

TARGET_SECONDS = 30.0


def _phase(statement: str) -> str:
    """The part of a scan a statement belongs to, by the table it writes."""
    head = " ".join(statement.split())[:60].lower()
    for prefix, name in (("insert into quality_scan_rows", "rules"),
                         ("insert into quality_scan_found", "fold"),
                         ("update quality_findings", "store"),
                         ("insert into quality_findings", "store")):
        if head.startswith(prefix):
            return name
    return "other: " + " ".join(head.split()[:3])


def time_scans(app, repeat: int):
    """Each scan: wall seconds, counts, opened, seen, fixed, CPU seconds and the wall seconds
    of its phases (the rules' inserts, the fold, storing the findings)."""
    from sqlalchemy import event

    from field_app.core.context import current_policy
    from field_app.divisions.models import Division
    from field_app.extensions import db
    from field_app.quality import operations
    from field_app.quality.rules import Settings

    runs = []
    phases: dict[str, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["qs_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        name = _phase(statement)
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - conn.info.pop("qs_started")

    with app.app_context():
        settings = Settings.from_config(app.config, current_policy())
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        for _ in range(repeat):
            phases.clear()
            started, cpu = time.perf_counter(), time.process_time()
            result = operations.scan(db.session, db.session.get(Division, LEAGUE), *PERIOD,
                                     settings=settings)
            db.session.commit()
            seconds = time.perf_counter() - started
            runs.append((seconds, dict(result.scan.counts), result.scan.opened,
                         result.scan.seen, result.scan.fixed, time.process_time() - cpu,
                         dict(phases)))
            db.session.remove()
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return runs


def forget_findings(app) -> None:
    """Delete every stored finding and scan: the next scan is a first one."""
    from field_app.extensions import db
    from field_app.quality.models import QualityFinding, QualityScan

    with app.app_context():
        db.session.execute(QualityFinding.__table__.delete())
        db.session.execute(QualityScan.__table__.delete())
        db.session.commit()
        db.session.remove()


def time_rules(app):
    """Each rule's statement alone (no storing), to see where the time goes."""
    from field_app.core.context import current_policy
    from field_app.extensions import db
    from field_app.quality.rules import RULES, Settings

    times = {}
    with app.app_context():
        settings = Settings.from_config(app.config, current_policy())
        connection = db.session.connection()
        for rule in RULES:
            started, cpu = time.perf_counter(), time.process_time()
            connection.execute(rule.build(LEAGUE, *PERIOD, settings)).all()
            times[rule.code] = (time.perf_counter() - started, time.process_time() - cpu)
        db.session.remove()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="default: a fresh SQLite file under /tmp, or "
                        f"{DEFAULT_PG_URL} (its public schema is dropped and recreated)")
    parser.add_argument("--data-dir", type=Path,
                        help="the CSV folder (default: /tmp/field_app_quality_data_N)")
    parser.add_argument("--repeat", type=int, default=3, help="scans after the first")
    parser.add_argument("--keep", action="store_true",
                        help="keep the CSV folder and the SQLite file after the run")
    parser.add_argument("--no-import", action="store_true",
                        help="the database at --database-url holds the data set already "
                        "(its findings and scans are deleted first)")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench")

    if args.no_import:
        if args.database_url is None:
            parser.error("--no-import needs --database-url")
        return _run(args, None, args.database_url, None, None)

    directory = args.data_dir or Path(f"/tmp/field_app_quality_data_{args.persons}")
    sqlite_file = None
    url = args.database_url
    if url is None and args.db == "sqlite":
        sqlite_file = Path(f"/tmp/field_app_quality_{args.persons}.db")
        url = f"sqlite:///{sqlite_file}"
        for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
            path.unlink()
    elif url is None:
        url = DEFAULT_PG_URL

    data = ensure_dataset(directory, args.persons)
    return _run(args, directory, url, sqlite_file, data)


def _run(args, directory, url, sqlite_file, data) -> int:
    from field_app import create_app
    from field_app.extensions import db

    if data is None:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "SECRET_KEY": "bench"})
        forget_findings(app)
    else:
        app = prepare_database(args.db, url)
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            machine_line = machine(conn, args.db)
        if data is not None:
            _counts, import_seconds, _cpu = time_import(engine, directory)
    load_before = os.getloadavg()[0]
    rule_times = time_rules(app)
    runs = time_scans(app, 1 + args.repeat)
    load_after = os.getloadavg()[0]

    limit = TARGET_SECONDS * max(1.0, args.persons / 1_000_000)
    first, later = runs[0], runs[1:]
    print()
    print(f"machine     {machine_line}")
    print(f"database    {args.db}: {url.split('@')[-1]}")
    if data is None:
        print(f"data set    {args.persons:,} persons, already in the database")
    else:
        rows, generated_in, reused = data
        print(f"data set    {args.persons:,} persons, {rows:,} rows in {directory} "
              + ("(reused)" if reused else f"(generated in {generated_in:.1f} s)")
              + f", imported in {import_seconds:.1f} s")
    print(f"load        1-minute load average {load_before:.2f} before the scans, "
          f"{load_after:.2f} after")
    print()
    print(f"scan of {LEAGUE} for {PERIOD[0]}..{PERIOD[1]} (every rule, findings stored, "
          "committed)")
    print(f"  first scan  {first[0]:>8.2f} s  (cpu {first[5]:.2f} s)  {first[2]:,} findings "
          "opened")
    if later:
        median = statistics.median(r[0] for r in later)
        cpu = statistics.median(r[5] for r in later)
        print(f"  later scans {median:>8.2f} s  (cpu {cpu:.2f} s)  median of {len(later)}, "
              f"{later[-1][3]:,} seen again, {later[-1][4]:,} fixed")
    for number, run in enumerate(runs):
        print(f"  scan {number + 1}: " + ", ".join(
            f"{name} {seconds:.2f} s" for name, seconds in run[6].items() if seconds >= 0.1))
    worst = max(r[0] for r in runs)
    print(f"  target      <= {limit:g} s: {'ok' if worst <= limit else 'MISSED'} "
          f"(slowest {worst:.2f} s)")
    print()
    print(f"{'rule':<24}{'statement s':>12}{'cpu s':>8}{'findings':>10}")
    for code, (seconds, cpu) in rule_times.items():
        print(f"{code:<24}{seconds:>12.2f}{cpu:>8.2f}{first[1].get(code, 0):>10,}")
    print("(cpu s: this process's CPU time; on SQLite that is the database's work too, which a "
          "loaded machine does not stretch)")

    if not args.keep and directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
        if sqlite_file is not None:
            for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
                path.unlink()
    return 0 if worst <= limit else 1


if __name__ == "__main__":
    sys.exit(main())
