"""Survey sync against the real server: a storm of new households, then a soak.

    python -m benchmarks.sync_storm [--db sqlite|postgresql] [--database-url URL]
        [--server gunicorn|werkzeug] [--workers 4] [--households 300] [--clients 6]
        [--batch 10] [--rate 50] [--seconds 30]

1. Brings an empty database to the head migration and loads the demo data set as
   ``flask load-demo`` does (demo accounts and this year's round of 科尔沁右翼前旗 included),
   plus one village collector of 建设村 per client.
2. Starts the server on a free loopback port in a process of its own: gunicorn with
   ``--workers`` synchronous workers and ``scripts/gunicorn.conf.py`` (what
   ``scripts/serve-production`` runs), or Werkzeug's threaded server. Each client signs in
   once, through the login form, and takes its CSRF token from ``/api/survey/session``.
3. Storm: ``--households`` new households (one ``household.save`` each, with the phone's
   UUIDs) from ``--clients`` concurrent clients in batches of ``--batch``; every batch is
   sent three times and the first two answers are dropped, as when the network loses them.
   Asserts: no 5xx, every third answer ``applied``, and exactly ``--households`` new
   households in the village, with distinct codes.
4. Soak: ``--rate`` sync requests a second for ``--seconds`` seconds (one new household
   each, from the same signed-in clients); prints the share that succeeded (200, the
   server's JSON, ``applied``) and the p50/p95 latency.

Every loop is bounded and nothing leaves the loopback interface. Exits 1 when an assertion
fails. The PostgreSQL schema at ``--database-url`` is dropped and made again.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import queue
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from benchmarks.indicators import prepare_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/field_app_bench"
PASSWORD = "Storm-bench-2026"
TIMEOUT = 120  # seconds a request may take before the client gives up on it


# --- the database -----------------------------------------------------------------------

def load(app, clients: int) -> tuple[str, int]:
    """The demo data set and ``clients`` collector accounts of the demo village; returns the
    village code and its number of households."""
    from sqlalchemy import func, select

    from field_app.accounts.models import User
    from field_app.accounts.roles import AccountState, Role
    from field_app.core.clock import clock
    from field_app.demo.accounts import ensure_demo_accounts, ensure_demo_round
    from field_app.demo.generator import generate_demo
    from field_app.exchange.importer import import_dataset
    from field_app.extensions import db
    from field_app.households.models import Household
    from werkzeug.security import generate_password_hash

    with tempfile.TemporaryDirectory() as directory, app.app_context():
        generate_demo(Path(directory), today=clock.today())
        result = import_dataset(db.session.connection(), Path(directory))
        assert result.ok, result.errors[:3]
        ensure_demo_accounts(db.session, app.extensions["field_app.account_policy"])
        ensure_demo_round(db.session)
        village = db.session.scalar(select(User.division_code)
                                    .where(User.username == "demo_village"))
        password = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
        db.session.add_all(User(username=f"storm{n}", display_name=f"压测{n}",
                                role=Role.VILLAGE_COLLECTOR, division_code=village,
                                state=AccountState.ACTIVE, password_hash=password,
                                must_change_password=False, last_activity_at=clock.now())
                           for n in range(1, clients + 1))
        db.session.commit()
        households = db.session.scalar(select(func.count()).where(
            Household.village_code == village))
    return village, households


def count_households(app, village: str, refs: list[str]) -> tuple[int, int, int]:
    """Households of the village, those among them with the given refs, and their distinct
    codes."""
    from sqlalchemy import func, select

    from field_app.extensions import db
    from field_app.households.models import Household

    with app.app_context():
        total = db.session.scalar(select(func.count()).where(Household.village_code == village))
        ours, codes = 0, set()
        for start in range(0, len(refs), 500):
            rows = db.session.execute(select(Household.code).where(
                Household.uid.in_(refs[start:start + 500]))).scalars().all()
            ours += len(rows)
            codes.update(rows)
        db.session.remove()
    return total, ours, len(codes)


# --- the server -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(kind: str, url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
        "FIELD_APP_SITE_URL": f"http://127.0.0.1:{port}/",
        "BIND": f"127.0.0.1:{port}", "WORKERS": str(workers), "TIMEOUT": str(TIMEOUT),
    }
    env.pop("FLASK_DEBUG", None)
    if kind == "gunicorn":
        command = [str(Path(sys.executable).with_name("gunicorn")), "--config",
                   "scripts/gunicorn.conf.py", "wsgi:app"]
    else:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host",
                   "127.0.0.1", "--port", str(port), "--with-threads", "--no-reload",
                   "--no-debugger"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at once; its log:\n{log.read_text()[-3000:]}")
        try:
            if Client(port).request("GET", "/login")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise SystemExit(f"the server did not answer within 60 s; its log:\n{log.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- a client ---------------------------------------------------------------------------

class Client:
    """One phone: its own connection and cookies (kept by hand: the session cookie is
    ``Secure`` in production, and this is plain HTTP on the loopback)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None,
                 token: str | None = None) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.cookies = dict(cookies or {})
        self.token = token

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # a fresh connection for the next request
            raise
        elapsed = time.perf_counter() - start
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        if response.will_close:
            self.connection.close()
        return response.status, data, elapsed

    def sign_in(self, username: str) -> None:
        status, form, _ = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form)
        assert status == 200 and token, f"no sign-in form ({status})"
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token.group(1).decode()}).encode()
        status, _, _ = self.request("POST", "/login", body, {
            "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"sign-in of {username} answered {status}"
        status, data, _ = self.request("GET", "/api/survey/session")
        assert status == 200, f"/api/survey/session answered {status}"
        self.token = json.loads(data)["csrf_token"]

    def sync(self, changes: list[dict]) -> tuple[int, dict | None, float]:
        status, data, elapsed = self.request(
            "POST", "/api/survey/sync", json.dumps({"changes": changes}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": self.token})
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        return status, body, elapsed


def new_household(number: int) -> dict:
    ref = str(uuid.uuid4())
    return {"uuid": str(uuid.uuid4()), "op": "household.save", "household_ref": ref,
            "target_ref": ref, "base_version": None,
            "data": {"address": f"压测{number}号", "longitude": 121.0 + number % 1000 / 1e4,
                     "latitude": 46.0, "accuracy": 12, "location_source": "gps"},
            "made_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def applied(body: dict | None, changes: list[dict]) -> bool:
    return (isinstance(body, dict) and body.get("server") == "field_app"
            and [r.get("uuid") for r in body.get("results", [])] == [c["uuid"] for c in changes]
            and all(r.get("status") == "applied" for r in body["results"]))


# --- the storm and the soak -------------------------------------------------------------

def storm(clients: list[Client], households: int, batch: int) -> dict:
    """Every client sends its share in batches, each batch three times, keeping only the
    third answer."""
    shares = [range(n, households, len(clients)) for n in range(len(clients))]
    statuses: list[int] = []
    refused: list[str] = []
    refs: list[str] = []
    lock = threading.Lock()

    def run(client: Client, share: range) -> None:
        numbers = list(share)
        for start in range(0, len(numbers), batch):
            changes = [new_household(n) for n in numbers[start:start + batch]]
            with lock:
                refs.extend(c["target_ref"] for c in changes)
            for attempt in range(3):
                status, body, _ = client.sync(changes)
                with lock:
                    statuses.append(status)
                if attempt == 2 and not applied(body, changes):
                    with lock:
                        refused.append(f"{status}: {str(body)[:300]}")

    threads = [threading.Thread(target=run, args=(c, s)) for c, s in zip(clients, shares)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"statuses": statuses, "refused": refused, "refs": refs,
            "seconds": time.perf_counter() - started}


def soak(clients: list[Client], port: int, rate: int, seconds: int) -> dict:
    """``rate * seconds`` requests sent on a fixed schedule by a pool of senders (enough
    that a slow answer does not hold up the next request)."""
    total = rate * seconds
    jobs: queue.Queue = queue.Queue()
    outcomes: list[tuple[bool, float, int]] = []
    lateness: list[float] = []
    lock = threading.Lock()
    senders = min(total, max(8, rate))

    def send(index: int) -> None:
        signed_in = clients[index % len(clients)]
        client = Client(port, signed_in.cookies, signed_in.token)
        while (job := jobs.get()) is not None:
            number, due = job
            changes = [new_household(number)]
            late = time.perf_counter() - due
            try:
                status, body, elapsed = client.sync(changes)
                ok = status == 200 and applied(body, changes)
            except (http.client.HTTPException, OSError):
                status, ok, elapsed = 0, False, time.perf_counter() - due - late
            with lock:
                outcomes.append((ok, elapsed, status))
                lateness.append(late)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    for n in range(total):
        due = start + n / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        jobs.put((1_000_000 + n, due))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    return {"outcomes": outcomes, "seconds": time.perf_counter() - start,
            "late": sum(1 for late in lateness if late > 0.05)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rate", type=int, default=50, help="soak requests a second")
    parser.add_argument("--seconds", type=int, default=30, help="soak duration")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sync_storm_") as scratch:
        url = args.database_url or (f"sqlite:///{scratch}/storm.db" if args.db == "sqlite"
                                    else DEFAULT_PG_URL)
        started = time.perf_counter()
        app = prepare_database(args.db, url)
        village, before = load(app, args.clients)
        print(f"{args.db}, {args.server}"
              + (f" ({args.workers} workers)" if args.server == "gunicorn" else "")
              + f": demo data loaded in {time.perf_counter() - started:.0f} s; village "
              f"{village} has {before} households")
        port = free_port()
        log = Path(scratch) / "server.log"
        server = start_server(args.server, url, port, args.workers, log)
        failures = []
        try:
            clients = [Client(port) for _ in range(args.clients)]
            for n, client in enumerate(clients, 1):
                client.sign_in(f"storm{n}")

            result = storm(clients, args.households, args.batch)
            server_errors = sum(1 for s in result["statuses"] if s >= 500)
            after, ours, codes = count_households(app, village, result["refs"])
            print(f"  storm: {args.households} households from {args.clients} clients in "
                  f"batches of {args.batch}, each sent 3 times ({len(result['statuses'])} "
                  f"requests) in {result['seconds']:.1f} s: "
                  f"{sum(1 for s in result['statuses'] if s == 200)} answered 200, "
                  f"{server_errors} 5xx; {after - before} households created "
                  f"({ours} with the phones' refs, {codes} distinct codes)")
            if server_errors or result["refused"]:
                failures.append(f"storm: {server_errors} 5xx; not applied: "
                                f"{result['refused'][:3]}")
            if not after - before == ours == codes == args.households:
                failures.append(f"storm: {after - before} households created, "
                                f"expected exactly {args.households}")

            result = soak(clients, port, args.rate, args.seconds)
            outcomes = result["outcomes"]
            succeeded = [elapsed for ok, elapsed, _ in outcomes if ok]
            latencies = [elapsed for _, elapsed, _ in outcomes]
            share = 100 * len(succeeded) / len(outcomes)
            print(f"  soak: {len(outcomes)} sync requests at {args.rate}/s for "
                  f"{args.seconds} s (took {result['seconds']:.1f} s; {result['late']} sent "
                  f">50 ms late): {share:.1f}% succeeded; latency p50 "
                  f"{percentile(latencies, 0.5) * 1000:.0f} ms, p95 "
                  f"{percentile(latencies, 0.95) * 1000:.0f} ms, max "
                  f"{max(latencies) * 1000:.0f} ms (mean "
                  f"{statistics.fmean(latencies) * 1000:.0f} ms)")
            if len(succeeded) != len(outcomes):
                statuses = sorted({status for ok, _, status in outcomes if not ok})
                failures.append(f"soak: {len(outcomes) - len(succeeded)} failed "
                                f"(statuses {statuses})")
        finally:
            stop_server(server)
        if failures:
            print("FAILED:\n  " + "\n  ".join(failures))
            print("server log (end):\n" + log.read_text(errors="replace")[-3000:])
            raise SystemExit(1)
        print("  OK")


if __name__ == "__main__":
    main()
