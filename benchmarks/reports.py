"""PDF report timing: the league's rural table with one row per village.

    python -m benchmarks.reports [--villages 1000] [--db sqlite|postgresql]
        [--database-url URL] [--repeat 3]

1. Brings an empty database to the head migration and fills in a synthetic league of
   ``--villages`` villages (6 banners, townships of 15 villages); the figures are zero,
   which prints the same number of cells as real data would.
2. Times ``generate_report`` end to end (the engine for every village and the league,
   HTML, WeasyPrint, hashing and storing), as a county office waits for it, and then each
   stage on its own.

Target on the 2-core reference machine: under 10 s for about 1,000 rows.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

LEAGUE = "152200000000"
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 9, 30))
TARGET_SECONDS = 10.0
VILLAGES_PER_TOWNSHIP = 15
BANNERS = ("152201", "152202", "152221", "152222", "152223", "152224")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/field_app_bench_reports"


def division_rows(villages: int) -> list[dict]:
    """Region, league, six banners, and townships of 15 villages, ``villages`` in all."""
    now = dt.datetime(2026, 1, 1)
    rows = [("150000000000", "内蒙古自治区", 1, None), (LEAGUE, "兴安盟", 2, "150000000000")]
    rows += [(f"{b}000000", f"第{i + 1}旗", 3, LEAGUE) for i, b in enumerate(BANNERS)]
    for n in range(villages):
        banner = BANNERS[n % len(BANNERS)]
        township = n // len(BANNERS) // VILLAGES_PER_TOWNSHIP + 1
        village = n // len(BANNERS) % VILLAGES_PER_TOWNSHIP + 1
        town_code = f"{banner}{township:03d}000"
        if village == 1:
            rows.append((town_code, f"第{township}苏木", 4, f"{banner}000000"))
        rows.append((f"{banner}{township:03d}{village:03d}", f"巴彦塔拉第{village}嘎查", 5,
                     town_code))
    return [{"code": c, "name": n, "level": lv, "parent_code": p, "created_at": now,
             "updated_at": now} for c, n, lv, p in rows]


def prepare(kind: str, url: str, villages: int):
    """An app on an empty database at the head migration, holding the synthetic league."""
    from sqlalchemy import insert

    from benchmarks.indicators import prepare_database
    from field_app.divisions.models import Division
    from field_app.extensions import db

    app = prepare_database(kind, url)
    with app.app_context():
        db.session.execute(insert(Division.__table__), division_rows(villages))
        db.session.commit()
    return app


def pages_of(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run(app, repeat: int) -> list[tuple[float, float, int, int]]:
    """Each repetition asks for a report under another site address, so none is reused."""
    from field_app.core.codes import Level
    from field_app.extensions import db
    from field_app.reports.operations import generate_report

    runs = []
    with app.app_context():
        for n in range(repeat):
            (report, pdf), wall, cpu = timed(
                generate_report, db.session, kind="rural", division_code=LEAGUE,
                start=PERIOD[0], end=PERIOD[1], actor=None, site_url=f"http://bench{n}.invalid/",
                row_level=Level.VILLAGE)
            db.session.commit()
            runs.append((wall, cpu, pages_of(pdf), len(report.figures["rows"])))
    return runs


def stages(app) -> dict[str, float]:
    """Wall seconds of each stage of one table: figures, HTML, PDF."""
    from field_app.core.clock import clock
    from field_app.core.codes import Level
    from field_app.extensions import db
    from field_app.indicators import Policy
    from field_app.reports.context import DivisionRef, build_table
    from field_app.reports.documents import report_html
    from field_app.reports.models import ReportKind
    from field_app.reports.pdf import render_pdf

    with app.app_context():
        league = DivisionRef(LEAGUE, "兴安盟", 2)
        table, figures, _ = timed(build_table, db.session.connection(), ReportKind.RURAL,
                                  league, *PERIOD, Policy(), Level.VILLAGE)
        html, markup, _ = timed(report_html, ReportKind.RURAL, table, number="BENCH",
                                generated_at=clock.now(), verify_url="http://bench.invalid/")
        _, pdf, _ = timed(render_pdf, html)
        db.session.rollback()
    return {"figures (engine)": figures, "HTML": markup, "PDF (WeasyPrint)": pdf}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reports",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="default: a fresh SQLite file under /tmp, or "
                        f"{DEFAULT_PG_URL} (its public schema is dropped)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="field_app_bench_reports_") as directory:
        url = args.database_url or (DEFAULT_PG_URL if args.db == "postgresql"
                                    else f"sqlite:///{Path(directory) / 'bench.db'}")
        app = prepare(args.db, url, args.villages)
        runs = run(app, args.repeat)
        parts = stages(app)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, database {args.db}")
    for n, (wall, cpu, pages, rows) in enumerate(runs, 1):
        print(f"run {n}: {rows} village rows + total, {pages} pages in {wall:.2f} s "
              f"(CPU {cpu:.2f} s): {pages / wall:.1f} pages/s")
    best = min(runs)
    print("stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in parts.items()))
    verdict = "ok" if best[0] < TARGET_SECONDS else "SLOWER THAN TARGET"
    print(f"seconds {best[0]:.2f}  pages {best[2]}  pages/s {best[2] / best[0]:.1f}  "
          f"(target < {TARGET_SECONDS:.0f} s: {verdict})")
    return 0 if best[0] < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
