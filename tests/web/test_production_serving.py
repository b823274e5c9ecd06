"""``scripts/serve-production``: the schema brought up to date, then gunicorn with several
workers, answering only the configured site's host, naming no server version, storing
nothing in caches."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time

import pytest

from tests.paths import ROOT

SITE_HOST = "jiuye.example.test"
SCRIPT = ROOT / "scripts" / "serve-production"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(app, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "FIELD_APP_"))}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="production-test",
               FIELD_APP_SITE_URL=f"https://{SITE_HOST}", WORKERS="2", **extra)
    return env


def _get(port: int, host: str, path: str = "/login") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    try:
        response = connection.getresponse()
        response.read()
        response.close()
    finally:
        connection.close()
    return response


@pytest.fixture(scope="module")
def production_server(app):
    """One server for the module: starting gunicorn and its workers takes seconds."""
    port = _free_port()
    server = subprocess.Popen([str(SCRIPT)], env=_environment(app, BIND=f"127.0.0.1:{port}"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(server.stdout.read().decode(errors="replace"))
                time.sleep(0.3)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()


def test_the_production_server_answers_the_site_host_without_a_version_banner(
        production_server):
    response = _get(production_server, SITE_HOST)
    assert response.status == 200
    assert response.headers.get_all("Server") == ["field_app"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" in response.headers


def test_the_production_server_refuses_another_host(production_server):
    assert _get(production_server, "evil.example").status == 400
    assert _get(production_server, "127.0.0.1").status == 400


def test_the_script_refuses_to_start_without_a_site_url(app):
    env = _environment(app)
    del env["FIELD_APP_SITE_URL"]
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "FIELD_APP_SITE_URL" in result.stderr
