"""Trend timings (issue 14) on the synthetic Hinggan League data set of
``benchmarks.indicators``.

    python -m benchmarks.trends --db sqlite|postgresql [--persons N] [--database-url URL]
        [--no-import] [--repeat N] [--check] [--compare]

Times ``compute_trend`` for the league: 8 quarters and 12 months up to the data set's last
month (each run a year longer, for 同比), wall clock and this process's CPU (SQLite works in
the process; PostgreSQL in the server, so its CPU column is the client's share only).
``--compare`` also times the same periods as one engine run each (what a trend would cost
without the set-based pass); ``--check`` holds every period of the run equal to that run.

Without ``--no-import`` the data set is generated (or reused) and imported as
``benchmarks.indicators`` does it, into a fresh database: for SQLite a file under /tmp, for
PostgreSQL the database at ``--database-url`` (its public schema is dropped first).
With ``--no-import`` the database at ``--database-url`` is timed as it is (read only), e.g.
a copy of ``/tmp/field_app_bench_1000000.db`` brought to the head migration.

Target: under 3 s for the league at 1,000,000 persons, on the 2-core reference machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from benchmarks.indicators import LAST_DAY, LEAGUE, ensure_dataset, machine, \
    prepare_database, time_import

TARGET = 3.0  # seconds for the league at 1,000,000 persons
RUNS = (("quarter", 8), ("month", 12))


def _time(call, repeat: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.trends",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true",
                        help="compare every period with one engine run")
    parser.add_argument("--compare", action="store_true",
                        help="also time one engine run per period")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench")

    from field_app import create_app
    from field_app.extensions import db
    from field_app.indicators import compute_indicators
    from field_app.indicators.trends import compute_series, compute_trend, consecutive_periods

    url = args.database_url
    if url is None and args.db == "sqlite":
        url = f"sqlite:////tmp/field_app_trends_{args.persons}.db"
    if url is None:
        raise SystemExit("--database-url is required for PostgreSQL")
    if args.no_import:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "SECRET_KEY": "bench"})
    else:
        ensure_dataset(Path(f"/tmp/field_app_bench_data_{args.persons}"), args.persons)
        app = prepare_database(args.db, url)
    lines = []
    ok = True
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            machine_line = machine(conn, args.db)
        if not args.no_import:
            counts, seconds, _ = time_import(engine, Path(
                f"/tmp/field_app_bench_data_{args.persons}"))
            lines.append(f"import      {len(counts)} files in {seconds:.1f} s")
        load_before = os.getloadavg()[0]
        limit = TARGET * max(1.0, args.persons / 1_000_000)
        lines.append(f"{'league ' + LEAGUE:<34}{'best s':>8}{'median s':>10}{'cpu s':>8}"
                     f"{'target':>10}")
        with engine.connect() as conn:
            for kind, count in RUNS:
                walls, cpus, trend = _time(lambda k=kind, c=count: compute_trend(
                    conn, LEAGUE, kind=k, count=c, end=LAST_DAY), args.repeat)
                conn.rollback()
                met = min(walls) <= limit
                ok &= met
                lines.append(f"  {count} {kind}s + a year before{'':<{13 - len(kind)}}"
                             f"{min(walls):>8.2f}{statistics.median(walls):>10.2f}"
                             f"{min(cpus):>8.2f}   <= {limit:.0f} s {'ok' if met else 'MISSED'}")
                run = consecutive_periods(kind, count + 12 // (3 if kind == "quarter" else 1),
                                          LAST_DAY)
                if args.compare:
                    walls, cpus, _ = _time(lambda r=run: [compute_indicators(conn, LEAGUE, a, b)
                                                          for a, b in r], 1)
                    conn.rollback()
                    lines.append(f"    one engine run per period ({len(run)})"
                                 f"{'':<{4 - len(str(len(run)))}}{walls[0]:>8.2f}"
                                 f"{'':>10}{cpus[0]:>8.2f}")
                if args.check:
                    series = compute_series(conn, LEAGUE, run)
                    same = all(values == compute_indicators(conn, LEAGUE, a, b)
                               for (a, b), values in zip(run, series))
                    ok &= same
                    lines.append(f"    every period equals the engine: {'yes' if same else 'NO'}")
                    conn.rollback()
                last = {key: values[-1] for key, values in trend.values.items()}
                lines.append(f"    last period {trend.spans[-1][0]}..{trend.spans[-1][1]}: "
                             f"urban_new_employment {last['urban_new_employment']}, "
                             f"rural_transfer {last['rural_transfer']}, "
                             f"registered_unemployed {last['registered_unemployed']}")
        load_after = os.getloadavg()[0]
        engine.dispose()
    print(f"machine     {machine_line}")
    print(f"database    {args.db}: {engine.url.render_as_string(hide_password=True)}")
    print(f"data set    {args.persons:,} persons; periods up to {LAST_DAY:%Y-%m}")
    print(f"load        1-minute load average {load_before:.2f} before, {load_after:.2f} after")
    for line in lines:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
