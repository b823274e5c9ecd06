"""The survey's server side for one large village: the roster a phone downloads, and a full
outbox sent back.

    python -m benchmarks.survey_roster [--households 300] [--db sqlite|postgresql]
        [--database-url URL] [--repeat 5]

1. Generates the demo data set with ``--households`` per village and imports one village
   (建设村 152221100201) with its ancestors, persons, spells and trainings; opens the round.
2. Times ``GET /api/survey/roster`` as the village's collector (the set-based reads and the
   JSON) and prints its size raw, gzip and brotli (what Flask-Compress sends).
3. Times ``POST /api/survey/sync`` of 100 changes (the batch limit): 20 new households of
   four members, each with a spell, then sends the same batch again (every change answered
   from the stored results, nothing written twice).

The first-load budget of the page is 100 KB compressed, shell, CSS and JS (about 45 KB,
``benchmarks.survey_weight``) included.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.indicators import prepare_database

VILLAGE = "152221100201"
COUNTY = "152221000000"
PASSWORD = "Bench-2026-survey"


def _subset(source: Path, target: Path) -> None:
    """The village's rows of a generated data set, and the divisions above it."""
    target.mkdir(parents=True, exist_ok=True)
    rows = {f.name: list(csv.DictReader(open(f, encoding="utf-8-sig")))
            for f in source.glob("*.csv")}
    households = {r["household_code"] for r in rows["households.csv"]
                  if r["village_code"] == VILLAGE}
    members = [r for r in rows["household_members.csv"] if r["household_code"] in households]
    ids = {r["id_number"] for r in members}
    codes = {VILLAGE, VILLAGE[:9] + "000", COUNTY, "152200000000", "150000000000"}
    keep = {
        "divisions.csv": [r for r in rows["divisions.csv"] if r["code"] in codes],
        "persons.csv": [r for r in rows["persons.csv"] if r["id_number"] in ids],
        "households.csv": [r for r in rows["households.csv"]
                           if r["household_code"] in households],
        "household_members.csv": members,
        "transfer_spells.csv": [r for r in rows["transfer_spells.csv"] if r["id_number"] in ids],
        "trainings.csv": [r for r in rows["trainings.csv"] if r["id_number"] in ids],
    }
    for name, data in keep.items():
        if data:
            with open(target / name, "w", encoding="utf-8", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=list(data[0]))
                writer.writeheader()
                writer.writerows(data)


def _load(app, households: int, today: dt.date) -> None:
    from werkzeug.security import generate_password_hash

    from field_app.accounts.models import User
    from field_app.accounts.roles import AccountState, Role
    from field_app.core.clock import clock
    from field_app.demo.generator import generate_demo
    from field_app.exchange.importer import import_dataset
    from field_app.extensions import db
    from field_app.surveys.operations import open_round

    with tempfile.TemporaryDirectory() as directory:
        generate_demo(Path(directory) / "all", today=today, households_per_village=households)
        _subset(Path(directory) / "all", Path(directory) / "one")
        with app.app_context():
            assert import_dataset(db.session.connection(), Path(directory) / "one").ok
            password = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
            users = [User(username=name, display_name=name, role=role, division_code=code,
                          state=AccountState.ACTIVE, password_hash=password,
                          must_change_password=False, last_activity_at=clock.now())
                     for name, role, code in (("stat", Role.COUNTY_STATISTICIAN, COUNTY),
                                              ("cadre", Role.VILLAGE_COLLECTOR, VILLAGE))]
            db.session.add_all(users)
            db.session.flush()
            open_round(db.session, county_code=COUNTY, year=today.year, actor=users[0])
            db.session.commit()


def _batch(today: dt.date) -> list[dict]:
    from stdnum.cn import ric

    changes, serial = [], 0

    def change(op, household, target, **data):
        return {"uuid": str(uuid.uuid4()), "op": op, "household_ref": household,
                "target_ref": target, "base_version": None, "data": data}

    for n in range(20):
        house = str(uuid.uuid4())
        changes.append(change("household.save", house, house, address=f"基准组{n}号"))
        for relation in ("head", "spouse", "child"):
            serial += 1
            body = f"152221{1980 + serial % 20}0{1 + serial % 9}1{serial % 10}{serial:03d}"[:17]
            member = str(uuid.uuid4())
            changes.append(change("member.save", house, member, relation=relation,
                                  id_number=body + ric.calc_check_digit(body + "0"), name="基准",
                                  labour_capacity="full"))
        changes.append(change("spell.save", house, str(uuid.uuid4()), member_ref=member,
                              kind="non_agri", start_date=f"{today.year}-03-01",
                              stable_workplace="1", stable_income="1"))
    return changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import brotli

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or (
            f"sqlite:///{scratch}/survey.db" if args.db == "sqlite"
            else "postgresql+psycopg://postgres@127.0.0.1:55432/field_app_bench")
        app = prepare_database(args.db, url)
        today = dt.date.today()
        _load(app, args.households, today)
        client = app.test_client()
        form = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        client.post("/login", data={"username": "cadre", "password": PASSWORD,
                                    "csrf_token": token})
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get("/api/survey/roster")
            times.append(time.perf_counter() - start)
        body = response.get_data()
        roster = response.get_json()
        members = sum(len(h["members"]) for h in roster["households"])
        br = len(brotli.compress(body, quality=4))
        print(f"{args.db}: village of {len(roster['households'])} households, {members} members")
        print(f"  roster   best {min(times) * 1000:.0f} ms, median "
              f"{statistics.median(times) * 1000:.0f} ms; {len(body):,} bytes raw, "
              f"{len(gzip.compress(body, 6)):,} gzip, {br:,} brotli "
              f"({br / len(roster['households']):.0f} bytes a household)")
        batch = _batch(today)
        token = client.get("/api/survey/session").get_json()["csrf_token"]
        for label in ("sync", "resend"):
            start = time.perf_counter()
            response = client.post("/api/survey/sync", json={"changes": batch},
                                   headers={"X-CSRFToken": token})
            elapsed = time.perf_counter() - start
            results = response.get_json()["results"]
            statuses = [r["status"] for r in results]
            refused = [r for r in results if r["status"] != "applied"]
            if refused:
                print("  first refused:", refused[0]["message"], refused[0]["errors"])
            print(f"  {label:<8} {len(batch)} changes in {elapsed * 1000:.0f} ms "
                  f"({elapsed / len(batch) * 1000:.1f} ms a change): "
                  f"{statuses.count('applied')} applied, "
                  f"{len(statuses) - statuses.count('applied')} not")


if __name__ == "__main__":
    main()
