"""Bytes on the wire for the cadre's survey page, on a phone-sized headless Chromium.

    python -m benchmarks.survey_weight [--keep-db PATH]

1. Brings a fresh SQLite file to the head migration and loads the Hinggan League demo data
   (``load-demo``: the demo accounts and an open round for 建设村), then serves the app on
   a free localhost port.
2. Signs in as ``demo_village`` outside the browser (so its HTTP cache stays cold) and
   loads ``/survey/`` in a new 360x740 context: the shell, its CSS and JS, the session and
   the village's roster, the service worker and what it fetches as it installs.
3. Opens ``/survey/`` again in a new tab of the same context: the service worker answers
   the shell and its files; the page asks for the session and the roster (304 when
   unchanged) and the worker refreshes the shell in the background.

Every request of the page and of its service worker is counted twice: as Chromium received
it (``request.sizes()``: headers plus the compressed body, from the DevTools protocol) and
as the app sent it (a WSGI wrapper around the app: status line, headers, body after
Flask-Compress). Targets: first load <= 100 KB, repeat visit <= 20 KB (KB = 1,000 bytes).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

# Chromium reports a service worker's own requests to Playwright only with this switch.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

FIRST_LIMIT = 100_000
REPEAT_LIMIT = 20_000
USERNAME, PASSWORD = "demo_village", "Xingan-2026"


def _server_headers() -> int:
    """Werkzeug's server writes "Server: …" and "Date: …" before the app's headers."""
    import platform
    from importlib.metadata import version

    return (len(f"Server: Werkzeug/{version('werkzeug')} Python/{platform.python_version()}\r\n")
            + len("Date: Fri, 27 Nov 2026 23:00:00 GMT\r\n"))


SERVER_HEADERS = _server_headers()


class Counter:
    """WSGI middleware: what the app writes for each request, as the socket will carry it."""

    def __init__(self, app) -> None:
        self.app, self.rows, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        from werkzeug.wsgi import ClosingIterator

        path = environ.get("PATH_INFO", "") + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
        row = {"path": path, "status": "", "headers": 0, "body": 0}

        def counting_start(status, headers, exc_info=None):
            row["status"] = status.split()[0]
            row["headers"] = (len(f"HTTP/1.1 {status}\r\n") + SERVER_HEADERS + 2
                              + sum(len(k) + len(v) + 4 for k, v in headers))
            return start_response(status, headers, exc_info)

        result = self.app(environ, counting_start)

        def body():
            for chunk in result:
                row["body"] += len(chunk)
                yield chunk
            with self.lock:
                self.rows.append(row)

        return ClosingIterator(body(), getattr(result, "close", None))

    def take(self) -> list[dict]:
        with self.lock:
            rows, self.rows = self.rows, []
        return rows


def prepare(path: Path):
    """The app on a fresh SQLite file holding the demo data set."""
    from benchmarks.indicators import prepare_database

    logging.disable(logging.INFO)  # the migrations' and the server's lines would bury the figures
    app = prepare_database("sqlite", f"sqlite:///{path}")
    result = app.test_cli_runner().invoke(args=["load-demo"])
    if result.exit_code != 0:
        raise SystemExit(f"load-demo failed:\n{result.output}")
    return app


def serve(app, counter: Counter):
    from werkzeug.serving import make_server

    app.wsgi_app = counter
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def sign_in(context, base: str) -> None:
    """Through the context's request client: the cookies are shared, the browser's cache is not
    touched."""
    import re

    page = context.request.get(f"{base}/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = context.request.post(f"{base}/login", form={
        "csrf_token": token, "username": USERNAME, "password": PASSWORD}, max_redirects=0)
    if answer.status != 302:
        raise SystemExit(f"sign-in refused ({answer.status})")


def settle(page, seconds: float = 1.5) -> None:
    """Until the roster is shown, the service worker controls the page and the network has been
    quiet for a while (the worker's install and background refresh included)."""
    page.wait_for_selector("#sv-households li", timeout=30_000)
    deadline = time.monotonic() + 20
    while not page.evaluate("!!navigator.serviceWorker.controller"):
        if time.monotonic() > deadline:
            raise SystemExit("the service worker never took control")
        time.sleep(0.05)
    page.wait_for_load_state("networkidle")
    time.sleep(seconds)


def measure(context, visit) -> list[dict]:
    rows = []

    def finished(request):
        sizes = request.sizes()
        response = request.response() if hasattr(request, "response") else None
        rows.append({"url": request.url, "by": "worker" if request.service_worker else "page",
                     "status": response.status if response else "",
                     "bytes": sizes["responseHeadersSize"] + sizes["responseBodySize"]})

    context.on("requestfinished", finished)
    try:
        visit()
    finally:
        context.remove_listener("requestfinished", finished)
    return rows


def report(title: str, browser_rows: list[dict], server_rows: list[dict], base: str,
           limit: int) -> bool:
    print(f"\n{title}")
    print(f"  {'received by Chromium':<58}{'status':>7}{'bytes':>9}")
    for row in browser_rows:
        where = row["status"] if row["bytes"] else "cache"
        print(f"  {row['by']:<7}{row['url'].removeprefix(base)[:51]:<51}{where:>7}"
              f"{row['bytes']:>9,}")
    print(f"  {'sent by the app':<58}{'status':>7}{'bytes':>9}")
    for row in server_rows:
        print(f"  {row['path'][:56]:<58}{row['status']:>7}{row['headers'] + row['body']:>9,}")
    received = sum(r["bytes"] for r in browser_rows)
    sent = sum(r["headers"] + r["body"] for r in server_rows)
    verdict = "ok" if max(received, sent) <= limit else "OVER THE TARGET"
    print(f"  total received {received:,} bytes, sent {sent:,} bytes "
          f"(target <= {limit:,}): {verdict}")
    return max(received, sent) <= limit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.survey_weight",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep-db", type=Path, help="keep the SQLite file at this path")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

    with tempfile.TemporaryDirectory(prefix="field_app_bench_survey_") as directory:
        db_path = args.keep_db or Path(directory) / "survey.db"
        if db_path.exists():
            db_path.unlink()
        started = time.perf_counter()
        app = prepare(db_path)
        print(f"demo data loaded in {time.perf_counter() - started:.1f} s")
        counter = Counter(app.wsgi_app)
        server, base = serve(app, counter)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                context = browser.new_context(viewport={"width": 360, "height": 740},
                                              device_scale_factor=2, is_mobile=True,
                                              has_touch=True, locale="zh-CN")
                sign_in(context, base)
                counter.take()
                page = context.new_page()
                first = measure(context, lambda: (page.goto(f"{base}/survey/"), settle(page)))
                first_sent = counter.take()
                households = page.locator("#sv-households li").count()
                page.close()
                page = context.new_page()
                repeat = measure(context, lambda: (page.goto(f"{base}/survey/"), settle(page)))
                repeat_sent = counter.take()
                browser.close()
        finally:
            server.shutdown()
    print(f"roster: {households} households of 建设村")
    ok = report("first load of /survey/ (cold cache)", first, first_sent, base, FIRST_LIMIT)
    ok &= report("repeat visit (service worker active)", repeat, repeat_sent, base, REPEAT_LIMIT)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
