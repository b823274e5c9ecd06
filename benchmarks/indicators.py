"""Import and indicator timings on a synthetic Hinggan League data set.

    python -m benchmarks.indicators --persons 1000000 --db sqlite|postgresql
        [--database-url URL] [--data-dir DIR] [--repeat N] [--keep] [--no-import]

1. Builds an interchange CSV folder (``shared/spec/interchange.md``) of the requested size
   with a fixed seed: the Hinggan League tree (6 banners, ~70 townships, ~800 villages),
   persons with valid ID numbers, ~0.33 households and ~0.78 members per person, and
   transfer spells, trainings, registrations, aid, attrition and employed totals (~1.5
   rows per person besides the persons themselves).
2. Times ``import_dataset`` into an empty database brought to schema by the migrations,
   the importer's ANALYZE and the commit included. On SQLite, the WAL checkpoint that a
   thread makes after the commit (``core.database.checkpoint_later``) is timed apart, and
   waited for before the next timings.
3. Times ``compute_indicators`` for the league and one banner over the year 2026, next to
   the summed time of a bare ``count(*)`` of each table the indicators read.
4. Times the grouped pass (``compute_grouped``, issue 14) of the league by every dimension
   and of the banner by child, and the figures of a division page (the division's own
   figures, its children's, the employed total's basis and the review coverage: the
   page's queries) for the league and the banner, with the children's figures from the
   grouped pass and, for comparison, from one engine call per child as before.
5. Times the real page, ``GET /divisions/<code>?period=2026`` through Flask's test client
   signed in as a league statistician (an account ``bench_league`` is added to the database
   if missing), for the league and the banner: once with the figure cache emptied (the
   figures computed and kept, as after a write below the division), then the median of
   ``--repeat`` requests after it (the figures served from the cache), then, after a write
   below the banner, the jobs worker's upkeep that keeps the figures warm
   (``statistics.figures.warm``) and the page after it.

``--no-import`` times a database that already holds the data set (``--database-url``, or
the SQLite file a ``--keep`` run left): no data set, no import, nothing removed; it must be
at the head migration for the page timings (``flask db upgrade``). ``--pages-only`` times
the pages alone.

Targets on the 2-core reference machine: import >= 50,000 rows/s on both databases, with
an audit event for every row written; all
twelve indicators for 1,000,000 persons within 3 s on PostgreSQL and 5 s on SQLite. Each
figure is printed with its target and whether it is met.

The generated folder is reused by a later run when its manifest matches the size, the
seed and the generator's code; ``--keep`` leaves the folder and the SQLite file in place
(without it both are removed at the end; the PostgreSQL schema is left as it is).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import inspect
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from stdnum.cn import ric, uscc

SEED = 20260101
LEAGUE = "152200000000"
REGION = "150000000000"
BANNER = "152222000000"  # the banner timed besides the league
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/field_app_bench"
COUNTED_TABLES = (
    "persons",
    "household_members",
    "households",
    "transfer_spells",
    "trainings",
    "employment_registrations",
    "unemployment_registrations",
    "employment_aid",
    "natural_attrition",
)
IMPORT_TARGET = 50_000  # rows/s, with an audit event per row written (issue 16)
PAGE_TARGET = 0.5  # seconds for a league or banner page (GET) at 1,000,000 persons
INDICATOR_TARGET = {"postgresql": 3.0, "sqlite": 5.0}  # seconds at 1,000,000 persons

# code, name, townships, share of the population, rough centre (longitude, latitude)
BANNERS = (
    ("152201", "乌兰浩特市", 10, 0.22, (122.09, 46.07)),
    ("152202", "阿尔山市", 7, 0.04, (119.94, 47.18)),
    ("152221", "科尔沁右翼前旗", 14, 0.22, (121.95, 46.08)),
    ("152222", "科尔沁右翼中旗", 13, 0.17, (121.47, 45.06)),
    ("152223", "扎赉特旗", 14, 0.21, (122.90, 46.73)),
    ("152224", "突泉县", 12, 0.14, (121.59, 45.38)),
)

# Every event date lies on or before this day, so the data set never depends on the day
# the benchmark runs (ID numbers with a future birth date would be rejected).
LAST_DAY = dt.date(2026, 10, 31)
FIRST_BIRTH = dt.date(1941, 1, 1)
LAST_BIRTH = dt.date(2026, 6, 30)
_BASE = dt.date(1940, 1, 1).toordinal()
_LAST = LAST_DAY.toordinal()
# Dates are handled as ordinals; these turn them into text without a call per cell.
_ISO = [dt.date.fromordinal(n).isoformat() for n in range(_BASE, _LAST + 1)]
_COMPACT = [text.replace("-", "") for text in _ISO]

SURNAMES = "王李张刘包白宝吴赵孙陈杨金韩于高郭马胡乌"
GIVEN = "巴特尔图雅敖其玉兰建国秀英志强海明丽华春梅晓东宏伟娜仁格日勒"
COURSES = ("电焊工", "汽车驾驶", "中式烹调", "家政服务", "养老护理", "电工", "美容美发",
           "农机维修", "电子商务", "育婴员", "保安员", "面点师")
INSTITUTIONS = ("兴安职业培训学校", "乌兰浩特市技工学校", "兴安盟职业技术学院", "科右前旗培训中心")
INDUSTRIES = "ABCDEFGHIJKLMNOPQRST"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _iso(day: int | None) -> str:
    return "" if day is None else _ISO[day - _BASE]


def _ordinal(year: int, month: int, day: int) -> int:
    return dt.date(year, month, day).toordinal()


# --- synthetic data set ------------------------------------------------------------------

class Generator:
    """Builds the rows of every file; all randomness comes from one seeded ``Random``."""

    def __init__(self, persons: int, seed: int = SEED) -> None:
        self.n = persons
        self.rng = random.Random(seed)
        self.used_bodies: set[str] = set()
        self.files: dict[str, tuple[tuple[str, ...], list[tuple]]] = {}
        # Per person, by index: birth ordinal, male, banner index, village code or None,
        # labour capacity or None.
        self.birth: list[int] = []
        self.male: list[bool] = []
        self.banner: list[int] = []
        self.village: list[str | None] = []
        self.capacity: list[str | None] = []
        self.id_numbers: list[str] = []

    # divisions

    def divisions(self) -> None:
        rng = self.rng
        rows = [(REGION, "内蒙古自治区", ""), (LEAGUE, "兴安盟", REGION)]
        self.townships: list[list[str]] = []
        self.villages: list[list[str]] = []
        for code6, name, townships, _, _ in BANNERS:
            banner = code6 + "000000"
            rows.append((banner, name, LEAGUE))
            banner_townships, banner_villages = [], []
            for t in range(1, townships + 1):
                township = f"{code6}{t:03d}000"
                rows.append((township, f"{name}第{t}苏木乡镇", banner))
                banner_townships.append(township)
                for v in range(1, rng.randint(8, 15) + 1):
                    village = f"{township[:9]}{v:03d}"
                    rows.append((village, f"{name}第{t}苏木乡镇第{v}嘎查村", township))
                    banner_villages.append(village)
            self.townships.append(banner_townships)
            self.villages.append(banner_villages)
        self.files["divisions.csv"] = (("code", "name", "parent_code"), rows)

    # persons, households, members

    def _person(self, banner: int, village: str | None, birth: int, male: bool) -> int:
        rng = self.rng
        ymd = _COMPACT[birth - _BASE]
        area = BANNERS[banner][0]
        while True:  # the sequence number's parity is the sex (odd: male)
            body = f"{area}{ymd}{rng.randrange(500) * 2 + male:03d}"
            if body not in self.used_bodies:
                break
        self.used_bodies.add(body)
        self.id_numbers.append(body + ric.calc_check_digit(body + "0"))
        self.birth.append(birth)
        self.male.append(male)
        self.banner.append(banner)
        self.village.append(village)
        self.capacity.append(None)
        return len(self.birth) - 1

    def _name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))

    def _phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return ""
        return f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}"

    def people(self) -> None:
        rng = self.rng
        n_rural = round(self.n * 0.78)
        first_birth, last_birth = FIRST_BIRTH.toordinal(), LAST_BIRTH.toordinal()
        mid_2026 = _ordinal(2026, 6, 30)
        banner_weights = [b[3] for b in BANNERS]
        households, members = [], []
        relations = ("spouse", "child", "child", "parent", "grandchild", "sibling", "other")
        serial = 0
        while len(self.birth) < n_rural:
            b = rng.choices(range(len(BANNERS)), banner_weights)[0]
            village = rng.choice(self.villages[b])
            serial += 1
            code = f"{village}{serial:06d}"
            lon, lat = BANNERS[b][4]
            households.append((code, village, f"第{serial}号",
                               f"{lon + rng.uniform(-0.6, 0.6):.6f}",
                               f"{lat + rng.uniform(-0.5, 0.5):.6f}"))
            size = min(rng.choices((1, 2, 3, 4, 5), (25, 35, 25, 10, 5))[0],
                       n_rural - len(self.birth))
            for k in range(size):
                if k == 0:  # heads are adults
                    birth = rng.randint(first_birth, mid_2026 - 20 * 365)
                else:
                    birth = rng.randint(first_birth, last_birth)
                i = self._person(b, village, birth, rng.random() < 0.5)
                age = (mid_2026 - birth) // 365
                if age < 16 or age > 70:
                    capacity = "none"
                else:
                    capacity = rng.choices(("full", "partial", "none"), (80, 15, 5))[0]
                self.capacity[i] = capacity
                members.append((code, self.id_numbers[i],
                                "head" if k == 0 else rng.choice(relations), capacity))
        while len(self.birth) < self.n:
            b = rng.choices(range(len(BANNERS)), banner_weights)[0]
            self._person(b, None, rng.randint(first_birth, last_birth), rng.random() < 0.5)
        persons = [
            (number, self._name(), "urban" if village is None else "rural", self._phone())
            for number, village in zip(self.id_numbers, self.village)
        ]
        for k in range(0, len(persons), 10):  # some records lack the hukou, as rosters do
            if self.village[k] is None:
                persons[k] = (persons[k][0], persons[k][1], "", persons[k][3])
        self.files["persons.csv"] = (("id_number", "name", "hukou", "phone"), persons)
        self.files["households.csv"] = (
            ("household_code", "village_code", "address", "longitude", "latitude"), households)
        self.files["household_members.csv"] = (
            ("household_code", "id_number", "relation", "labour_capacity"), members)
        self.rural = [i for i in range(self.n) if self.village[i] is not None]
        self.urban = [i for i in range(self.n) if self.village[i] is None]

    def _sample(self, pool: list[int], share: float) -> list[int]:
        return self.rng.sample(pool, min(len(pool), round(self.n * share)))

    def _division_of(self, i: int) -> str:
        """Where a registration of person ``i`` is recorded: their village, or a
        township, village or the banner itself for urban residents."""
        rng = self.rng
        if self.village[i] is not None:
            return self.village[i] if rng.random() < 0.8 else self.village[i][:9] + "000"
        b = self.banner[i]
        draw = rng.random()
        if draw < 0.6:
            return rng.choice(self.townships[b])
        if draw < 0.9:
            return rng.choice(self.villages[b])
        return BANNERS[b][0] + "000000"

    # rural records

    def spells(self) -> None:
        rng = self.rng
        mid_2026 = _ordinal(2026, 6, 30)
        working = [i for i in self.rural if self.capacity[i] != "none"
                   and 16 * 365 <= mid_2026 - self.birth[i] <= 60 * 365]
        first = _ordinal(2022, 1, 1)
        rows = []
        for i in self._sample(working, 0.14):
            seen = set()
            for _ in range(rng.choices((1, 2, 3), (65, 30, 5))[0]):
                start = rng.randint(first, _LAST)
                kind = "non_agri" if rng.random() < 0.85 else "primary_after_land_transfer"
                if (start, kind) in seen:
                    continue
                seen.add((start, kind))
                end = None if rng.random() < 0.35 else min(start + rng.randint(20, 500), _LAST)
                stable = rng.random() < 0.6
                rows.append((self.id_numbers[i], kind, _iso(start), _iso(end),
                             rng.choice(("in_county", "in_league", "in_region", "out_of_region",
                                         "abroad")) if rng.random() < 0.9 else "",
                             rng.choice(INDUSTRIES) if rng.random() < 0.9 else "",
                             "1" if stable or rng.random() < 0.2 else "0",
                             "1" if stable or rng.random() < 0.2 else "0"))
        self.files["transfer_spells.csv"] = (
            ("id_number", "kind", "start_date", "end_date", "destination", "industry",
             "stable_workplace", "stable_income"), rows)

    def trainings(self) -> None:
        rng = self.rng
        first = _ordinal(2024, 1, 1)
        rows = []
        for i in self._sample(self.rural, 0.045):
            seen = set()
            for _ in range(rng.choices((1, 2), (80, 20))[0]):
                course, start = rng.choice(COURSES), rng.randint(first, _LAST)
                if (course, start) in seen:
                    continue
                seen.add((course, start))
                rows.append((self.id_numbers[i], course, rng.choice(INSTITUTIONS),
                             "1" if rng.random() < 0.6 else "0",
                             rng.choices(("employment_fund", "other_fiscal", "self", "other"),
                                         (45, 25, 20, 10))[0],
                             _iso(start), _iso(min(start + rng.randint(3, 60), _LAST)),
                             "1" if rng.random() < 0.85 else "0"))
        self.files["trainings.csv"] = (
            ("id_number", "course", "institution", "institution_certified", "funding",
             "start_date", "end_date", "completed"), rows)

    # urban records

    def _uscc(self, banner: int) -> str:
        rng = self.rng
        first17 = "91" + BANNERS[banner][0] + "".join(rng.choices(_USCC_CHARS, k=9))
        return first17 + uscc.calc_check_digit(first17)

    def employment(self) -> None:
        rng = self.rng
        employers = [[self._uscc(b) for _ in range(max(20, self.n // 1500))]
                     for b in range(len(BANNERS))]
        types = ("unit", "individual_business", "flexible", "public_welfare_post")
        first = _ordinal(2018, 1, 1)
        chosen = (self._sample(self.urban, 0.11 * 0.7) + self._sample(self.rural, 0.11 * 0.3))
        self.employed_persons = chosen
        self.registered: dict[int, list[int]] = {}
        rows = []
        for i in chosen:
            start = rng.randint(first, _LAST)
            kind = rng.choices(types, (40, 15, 35, 10))[0]
            employer = rng.choice(employers[self.banner[i]])
            for _ in range(rng.choices((1, 2, 3), (70, 22, 8))[0]):
                end = None if rng.random() < 0.45 else min(start + rng.randint(30, 900), _LAST)
                needs_employer = kind in ("unit", "individual_business")
                registered = min(start + rng.randint(0, 40), _LAST)
                self.registered.setdefault(i, []).append(registered)
                rows.append((
                    f"JY{len(rows) + 1:08d}", self.id_numbers[i], self._division_of(i), kind,
                    employer if needs_employer else "",
                    f"兴安某单位{employer[-6:]}" if needs_employer else "",
                    _iso(start), _iso(end), _iso(registered),
                    rng.choices(("new_entrant", "unemployed_reemployed", "other"),
                                (30, 25, 45))[0],
                    "1" if rng.random() < 0.04 else "0",
                    "1" if rng.random() < 0.95 else "0",
                ))
                # Half of the follow-ups continue with the same type and employer, the
                # case rule 1 clause 6 is about.
                start += rng.randint(30, 700)
                if start > _LAST:
                    break
                if rng.random() < 0.5:
                    kind = rng.choices(types, (40, 15, 35, 10))[0]
                    employer = rng.choice(employers[self.banner[i]])
        self.files["employment_registrations.csv"] = (
            ("registration_id", "id_number", "division_code", "employment_type",
             "employer_uscc", "employer_name", "start_date", "end_date", "registered_on",
             "person_category", "formal_transfer", "valid"), rows)

    def unemployment(self) -> None:
        rng = self.rng
        first = _ordinal(2020, 1, 1)
        rows = []
        chosen = (self._sample(self.urban, 0.035 * 0.8) + self._sample(self.rural, 0.035 * 0.2))
        for i in chosen:
            registered = rng.randint(first, _LAST)
            for _ in range(rng.choices((1, 2), (85, 15))[0]):
                cancelled = None
                if rng.random() < 0.55 and registered + 30 <= _LAST:
                    cancelled = min(registered + rng.randint(30, 700), _LAST)
                rows.append((f"SY{len(rows) + 1:08d}", self.id_numbers[i], self._division_of(i),
                             _iso(registered), _iso(cancelled),
                             "1" if rng.random() < 0.95 else "0",
                             rng.choice(("1", "0", ""))))
                if cancelled is None or cancelled + 10 > _LAST:
                    break
                registered = rng.randint(cancelled + 1, _LAST)
        self.files["unemployment_registrations.csv"] = (
            ("registration_id", "id_number", "division_code", "registered_on", "cancelled_on",
             "valid", "receives_benefit"), rows)

    def aid(self) -> None:
        rng = self.rng
        first = _ordinal(2023, 1, 1)
        pool = self.employed_persons[: round(self.n * 0.015 * 0.6)]
        pool += self._sample(self.urban, 0.015 * 0.4)
        rows, seen = [], set()
        for i in pool:
            if i in seen:
                continue
            seen.add(i)
            exited = reason = None
            if i in self.registered and rng.random() < 0.7:
                # Aid ends around the registration of the job that ended it (rule 5).
                exited = max(rng.choice(self.registered[i]) - rng.randint(0, 30), first + 20)
                recognized = max(exited - rng.randint(20, 500), first)
            else:
                recognized = rng.randint(first, _LAST - 30)
                if rng.random() < 0.6:
                    exited = min(recognized + rng.randint(20, 500), _LAST)
            if exited is not None:
                reason = rng.choices(("unit_employment", "self_employment",
                                      "flexible_employment", "other"), (35, 20, 25, 20))[0]
            rows.append((self.id_numbers[i], rng.choice(self.townships[self.banner[i]]),
                         _iso(recognized), _iso(exited), reason or ""))
        self.files["employment_aid.csv"] = (
            ("id_number", "division_code", "recognized_on", "exited_on", "exit_reason"), rows)

    def attrition(self) -> None:
        rng = self.rng
        first = _ordinal(2024, 1, 1)
        rows = [
            (self.id_numbers[i], self._division_of(i), _iso(rng.randint(first, _LAST)),
             rng.choices(("retirement", "death", "other"), (60, 30, 10))[0])
            for i in self._sample(list(range(self.n)), 0.015)
        ]
        self.files["natural_attrition.csv"] = (
            ("id_number", "division_code", "occurred_on", "reason"), rows)

    def employed_totals(self) -> None:
        rng = self.rng
        rows = []
        for b, (code6, _, _, share, _) in enumerate(BANNERS):
            for year in (2024, 2025, 2026):
                total = round(self.n * share * rng.uniform(0.3, 0.4))
                rows.append((code6 + "000000", f"{year}-12-31", total,
                             rng.randint(0, total // 50)))
            if b % 2 == 0:  # township figures below some banners: the banner's figure wins
                for township in self.townships[b]:
                    total = round(self.n * share / len(self.townships[b]) * 0.35)
                    rows.append((township, "2026-12-31", total, 0))
        self.files["employed_totals.csv"] = (
            ("division_code", "as_of", "employed_total", "deduction"), rows)

    def build(self) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
        self.divisions()
        self.people()
        self.spells()
        self.trainings()
        self.employment()
        self.unemployment()
        self.aid()
        self.attrition()
        self.employed_totals()
        return self.files


def _fingerprint(persons: int) -> dict:
    # The generator's code and data: a change to them, not to the report, invalidates a
    # folder written before.
    source = inspect.getsource(Generator) + repr(
        (BANNERS, LAST_DAY, FIRST_BIRTH, LAST_BIRTH, SURNAMES, GIVEN, COURSES, INSTITUTIONS))
    return {"persons": persons, "seed": SEED,
            "generator": hashlib.sha256(source.encode()).hexdigest()}


def ensure_dataset(directory: Path, persons: int) -> tuple[int, float, bool]:
    """Write the data set into ``directory`` unless an identical one is there already.

    Returns (data rows, seconds spent generating, reused).
    """
    manifest = directory / "manifest.json"
    wanted = _fingerprint(persons)
    if manifest.is_file():
        found = json.loads(manifest.read_text())
        if {k: found.get(k) for k in wanted} == wanted:
            return found["rows"], 0.0, True
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    files = Generator(persons).build()
    rows = 0
    for filename, (header, body) in files.items():
        with open(directory / filename, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)
        rows += len(body)
    seconds = time.perf_counter() - started
    # Written last: a folder without it is an interrupted run and is rebuilt.
    manifest.write_text(json.dumps(wanted | {"rows": rows}))
    return rows, seconds, False


# --- database ----------------------------------------------------------------------------

def prepare_database(kind: str, url: str):
    """A Flask app on an empty database at the head migration."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from field_app import create_app
    from field_app.extensions import db

    if kind == "postgresql":
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


LOOP_ADDITIONS = 5_000_000


def loop_seconds() -> float:
    """The best of three runs of a fixed pure-Python loop: how fast the CPU is just now."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(LOOP_ADDITIONS):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def machine(conn, kind: str) -> str:
    """Cores and versions; on a SQLite run the PostgreSQL server at the default URL is
    asked for its version too, if it answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    sqlite = f"SQLite {sqlite3.sqlite_version}"
    if kind == "sqlite":
        sqlite += f" (SpatiaLite {conn.execute(text('SELECT spatialite_version()')).scalar()})"
        try:
            engine = create_engine(DEFAULT_PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as pg:
                version = pg.execute(text("SHOW server_version")).scalar()
            engine.dispose()
            postgresql = f"PostgreSQL {version} (at {DEFAULT_PG_URL})"
        except SQLAlchemyError:
            postgresql = "PostgreSQL not reached"
    else:
        postgresql = (f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar()} "
                      f"(PostGIS {conn.execute(text('SELECT postgis_lib_version()')).scalar()})")
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, {sqlite}, "
            f"{postgresql}")


def time_import(engine, directory: Path):
    from field_app.exchange.importer import import_dataset

    with engine.connect() as conn:
        started, cpu = time.perf_counter(), time.process_time()
        result = import_dataset(conn, directory)
        if not result.ok:
            conn.rollback()
            for error in result.errors[:20]:
                print(f"  {error.file}:{error.line} [{error.column}] {error.value!r}: "
                      f"{error.reason}", file=sys.stderr)
            raise SystemExit(f"the generated data set has {len(result.errors)} faults")
        conn.commit()
        return result.counts, time.perf_counter() - started, time.process_time() - cpu


def time_indicators(engine, division: str, repeat: int):
    from field_app.indicators import compute_indicators

    times, values = [], None
    with engine.connect() as conn:
        for _ in range(repeat):
            started = time.perf_counter()
            values = compute_indicators(conn, division, *PERIOD)
            times.append(time.perf_counter() - started)
            conn.rollback()
    return times, values


def _timed(engine, call, repeat: int):
    times, result = [], None
    with engine.connect() as conn:
        for _ in range(repeat):
            started = time.perf_counter()
            result = call(conn)
            times.append(time.perf_counter() - started)
            conn.rollback()
    return times, result


def time_grouped(engine, division: str, by: str, repeat: int):
    from field_app.indicators import compute_grouped

    return _timed(engine, lambda conn: compute_grouped(conn, division, *PERIOD, None, by),
                  repeat)


def division_page(conn, division: str, grouped: bool):
    """The figures a division page computes: its own, its children's (one grouped pass, or
    one engine call per child as before issue 14), the employed total's basis and the
    review coverage."""
    from sqlalchemy import select

    from field_app.divisions.models import Division
    from field_app.indicators import (
        compute_grouped,
        compute_indicators,
        employed_total_basis,
        review_coverage,
    )

    own = compute_indicators(conn, division, *PERIOD)
    if grouped:
        children = compute_grouped(conn, division, *PERIOD, None, "child")
    else:
        codes = conn.scalars(select(Division.code).where(Division.parent_code == division)
                             .order_by(Division.code)).all()
        children = [(code, compute_indicators(conn, code, *PERIOD)) for code in codes]
    employed_total_basis(conn, division, PERIOD[1])
    review_coverage(conn, division, *PERIOD)
    return own, children


def time_counts(engine, repeat: int) -> list[float]:
    from sqlalchemy import text

    sums = []
    with engine.connect() as conn:
        for _ in range(repeat):
            total = 0.0
            for table in COUNTED_TABLES:
                started = time.perf_counter()
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                total += time.perf_counter() - started
            sums.append(total)
            conn.rollback()
    return sums


BENCH_USER = "bench_league"
BENCH_PASSWORD = "Bench-league-2026"


def _signed_in_client(app):
    """A test client signed in as a league statistician through the sign-in form."""
    import re

    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from field_app.accounts.models import User
    from field_app.accounts.roles import Role
    from field_app.core.clock import clock
    from field_app.extensions import db

    user = db.session.scalar(select(User).where(User.username == BENCH_USER))
    if user is None:
        user = User(username=BENCH_USER, display_name="基准统计员",
                    role=Role.LEAGUE_STATISTICIAN, division_code=LEAGUE)
        db.session.add(user)
    user.password_hash = generate_password_hash(BENCH_PASSWORD)
    user.must_change_password = False
    user.last_activity_at = clock.now()
    db.session.commit()
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    response = client.post("/login", data={"username": BENCH_USER, "password": BENCH_PASSWORD,
                                           "csrf_token": token.group(1) if token else ""})
    if response.status_code != 302:
        raise SystemExit(f"signing in as {BENCH_USER} failed ({response.status_code})")
    return client


def _write_below(division: str) -> None:
    """A real write below ``division``: one registration's row updated in place (the
    database's triggers log it, as any write), committed."""
    from sqlalchemy import text

    from field_app.core.codes import subtree_bounds
    from field_app.extensions import db

    low, high = subtree_bounds(division)
    with db.engine.begin() as conn:
        conn.execute(text(
            "UPDATE employment_registrations SET registered_on = registered_on WHERE id ="
            " (SELECT min(id) FROM employment_registrations"
            " WHERE division_code BETWEEN :low AND :high)"), {"low": low, "high": high})


def time_pages(app, repeat: int) -> list[tuple[str, float, list[float], float, float]]:
    """(division, seconds of the page with the figure cache emptied, seconds of each of
    ``repeat`` pages after it, seconds the warmer took after a write below the division,
    seconds of the page after it) for the league and the banner."""
    from sqlalchemy import text

    from field_app.core.context import current_policy
    from field_app.extensions import db
    from field_app.statistics import figures

    client = _signed_in_client(app)
    results = []
    for division in (LEAGUE, BANNER):
        path = f"/divisions/{division}?period={PERIOD[0].year}"
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM figure_cache"))
        started = time.perf_counter()
        response = client.get(path)
        cold = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        # After a write, the jobs worker's upkeep (figures.warm) recomputes the page's
        # entries before the next view: what that costs, and what the view then takes.
        _write_below(BANNER)
        started = time.perf_counter()
        warmed = figures.warm(db.session, current_policy())
        warm = time.perf_counter() - started
        if not warmed:
            raise SystemExit(f"the warmer recomputed nothing for {division}")
        started = time.perf_counter()
        response = client.get(path)
        after = time.perf_counter() - started
        assert response.status_code == 200
        results.append((division, cold, times, warm, after))
    return results


# --- report ------------------------------------------------------------------------------

def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _print_pages(pages, args) -> bool:
    page_limit = PAGE_TARGET * max(1.0, args.persons / 1_000_000)
    print()
    print(f"{'division page GET /divisions/<code>':<36}{'computed s':>12}{'best s':>10}"
          f"{'median s':>10}{'target':>10}")
    ok = True
    for division, cold, times, _, _ in pages:
        median = statistics.median(times)
        ok = ok and median <= page_limit
        print(f"  {division:<34}{cold:>12.2f}{min(times):>10.3f}{median:>10.3f}"
              f"{'<= ' + format(page_limit, 'g') + ' s':>10}  {_verdict(median <= page_limit)}")
    print(f"  (computed: the first request after the figure cache is emptied, as after a write "
          f"below the division; best and median of the {args.repeat} requests after it)")
    print()
    print(f"{'after a write, kept warm':<36}{'warmer s':>12}{'page s':>10}{'target':>20}")
    for division, _, _, warm, after in pages:
        ok = ok and after <= page_limit
        print(f"  {division:<34}{warm:>12.2f}{after:>10.3f}"
              f"{'<= ' + format(page_limit, 'g') + ' s':>20}  {_verdict(after <= page_limit)}")
    print("  (a registration below the banner updated; the jobs worker's upkeep, "
          "statistics.figures.warm, recomputes the stale entries; then the page)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.indicators",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--database-url", help="default: a fresh SQLite file under /tmp, or "
                        f"{DEFAULT_PG_URL} (its public schema is dropped and recreated)")
    parser.add_argument("--data-dir", type=Path,
                        help="where the CSV folder goes (default: /tmp/field_app_bench_data_N)")
    parser.add_argument("--repeat", type=int, default=5, help="indicator repetitions")
    parser.add_argument("--keep", action="store_true",
                        help="keep the CSV folder and the SQLite file after the run")
    parser.add_argument("--pages-only", action="store_true",
                        help="time the division pages alone (with --no-import)")
    parser.add_argument("--no-import", action="store_true",
                        help="the database at --database-url (default: the SQLite file of "
                        "a --keep run) holds the data set already: time it as it is")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench")

    directory = args.data_dir or Path(f"/tmp/field_app_bench_data_{args.persons}")
    sqlite_file = None
    url = args.database_url
    if url is None and args.db == "sqlite":
        sqlite_file = Path(f"/tmp/field_app_bench_{args.persons}.db")
        url = f"sqlite:///{sqlite_file}"
    elif url is None:
        url = DEFAULT_PG_URL
    if sqlite_file is not None and not args.no_import:
        for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
            path.unlink()

    from field_app import create_app
    from field_app.core.database import wait_for_checkpoints
    from field_app.extensions import db
    from field_app.indicators.grouped import DIMENSIONS

    if args.no_import:
        rows = generated_in = reused = None
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "SECRET_KEY": "bench"})
    else:
        rows, generated_in, reused = ensure_dataset(directory, args.persons)
        app = prepare_database(args.db, url)
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            machine_line = machine(conn, args.db)
        load_before = os.getloadavg()[0]
        loop_before = loop_seconds()
        if args.pages_only:
            pages = time_pages(app, args.repeat)
            engine.dispose()
            print(f"machine     {machine_line}")
            print(f"database    {args.db}: {engine.url.render_as_string(hide_password=True)}")
            print(f"load        1-minute load average {load_before:.2f} before, "
                  f"{os.getloadavg()[0]:.2f} after")
            print(f"cpu speed   a fixed loop of {LOOP_ADDITIONS:,} additions, best of 3: "
                  f"{loop_before:.2f} s before, {loop_seconds():.2f} s after")
            return 0 if _print_pages(pages, args) else 1
        checkpoints = []
        if args.no_import:
            counts = None
        else:
            counts, import_seconds, import_cpu = time_import(engine, directory)
            # SQLite copies a large import from the WAL into the database file in a thread
            # once the import's connection is back in the pool (``checkpoint_later``): not
            # part of the import, but waited for, and timed, before the timings below.
            started = time.perf_counter()
            checkpoints = wait_for_checkpoints()
            checkpoint_seconds = time.perf_counter() - started
        league_times, league_values = time_indicators(engine, LEAGUE, args.repeat)
        banner_times, banner_values = time_indicators(engine, BANNER, args.repeat)
        count_times = time_counts(engine, args.repeat)
        grouped_times = [(LEAGUE, by, *time_grouped(engine, LEAGUE, by, args.repeat))
                         for by in DIMENSIONS]
        grouped_times.append((BANNER, "child", *time_grouped(engine, BANNER, "child",
                                                             args.repeat)))
        page_times = [
            (division, grouped, _timed(engine, lambda conn, d=division, g=grouped:
                                       division_page(conn, d, g), args.repeat)[0])
            for division in (LEAGUE, BANNER) for grouped in (True, False)]
        pages = time_pages(app, args.repeat)
        load_after = os.getloadavg()[0]
        loop_after = loop_seconds()
        engine.dispose()

    limit = INDICATOR_TARGET[args.db] * max(1.0, args.persons / 1_000_000)
    print()
    print(f"machine     {machine_line}")
    print(f"database    {args.db}: {engine.url.render_as_string(hide_password=True)}")
    if args.no_import:
        print(f"data set    {args.persons:,} persons, already in the database (--no-import)")
    else:
        print(f"data set    {args.persons:,} persons, {rows:,} rows in {directory} "
              + ("(reused)" if reused else f"(generated in {generated_in:.1f} s)"))
    # Other work on the machine slows every figure below; the load average tells how much.
    print(f"load        1-minute load average {load_before:.2f} before the import, "
          f"{load_after:.2f} after the timings")
    # A shared virtual machine's CPU is not always as fast: a fixed loop took from 1.65 to
    # 2.91 s on one machine within an hour. Runs are comparable only at a like speed.
    print(f"cpu speed   a fixed loop of {LOOP_ADDITIONS:,} additions, best of 3: "
          f"{loop_before:.2f} s before the import, {loop_after:.2f} s after the timings")
    print()
    rate = None
    if counts is not None:
        imported = sum(c.inserted + c.updated + c.unchanged for c in counts.values())
        rate = imported / import_seconds
        print(f"{'import (import_dataset + commit)':<36}{'rows':>12}{'seconds':>10}"
              f"{'rows/s':>10}{'target':>12}")
        print(f"{'':<36}{imported:>12,}{import_seconds:>10.1f}{rate:>10,.0f}"
              f"{'>= ' + format(IMPORT_TARGET, ','):>12}  {_verdict(rate >= IMPORT_TARGET)}")
        print(f"  (of which {import_cpu:.1f} s CPU time in this process: reading, checking "
              f"and, for SQLite, the database work itself)")
        for busy, frames, copied in checkpoints:
            print(f"  (then, in a thread after the commit, SQLite's checkpoint copied {copied:,}"
                  f" of the WAL's {frames:,} pages into the database file in "
                  f"{checkpoint_seconds:.1f} s{', another checkpoint busy' if busy else ''};"
                  f" the timings below start after it)")
        for filename, c in counts.items():
            print(f"  {filename:<34}{c.inserted + c.updated + c.unchanged:>12,}")
        print()
    a, b = PERIOD
    print(f"{'indicators ' + str(a) + '..' + str(b):<36}{'best s':>10}{'median s':>10}"
          f"{'count(*) s':>12}{'target':>10}")
    count_best = min(count_times)
    for division, times in ((LEAGUE, league_times), (BANNER, banner_times)):
        best, median = min(times), statistics.median(times)
        print(f"  {division:<34}{best:>10.2f}{median:>10.2f}{count_best:>12.2f}"
              f"{'<= ' + format(limit, 'g') + ' s':>10}  {_verdict(median <= limit)}")
    print(f"  (count(*): best of {args.repeat} of the summed bare counts of "
          f"{len(COUNTED_TABLES)} tables; indicators: {args.repeat} runs each)")
    print()
    keys = list(league_values)
    width = max(len(k) for k in keys)
    print(f"{'indicator':<{width}}{LEAGUE:>16}{BANNER:>16}")
    for key in keys:
        print(f"{key:<{width}}{str(league_values[key]):>16}{str(banner_values[key]):>16}")

    print()
    print(f"{'grouped pass (compute_grouped)':<36}{'groups':>8}{'best s':>10}{'median s':>10}")
    for division, by, times, groups in grouped_times:
        print(f"  {division + ' by ' + by:<34}{len(groups):>8}{min(times):>10.2f}"
              f"{statistics.median(times):>10.2f}")
    print()
    print(f"{'division page figures (engine)':<36}{'children':>20}{'best s':>10}{'median s':>10}")
    for division, grouped, times in page_times:
        how = "one grouped pass" if grouped else "per child (before)"
        print(f"  {division:<34}{how:>20}{min(times):>10.2f}{statistics.median(times):>10.2f}")
    print("  (the division's own figures, its children's, the employed total's basis and "
          "the review coverage, computed; the page target applies to the page below)")
    pages_ok = _print_pages(pages, args)

    if not args.keep and not args.no_import:
        shutil.rmtree(directory, ignore_errors=True)
        if sqlite_file is not None:
            for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
                path.unlink()
    ok = (rate is None or rate >= IMPORT_TARGET) and max(
        statistics.median(league_times), statistics.median(banner_times)) <= limit
    return 0 if ok and pages_ok else 1


if __name__ == "__main__":
    sys.exit(main())
