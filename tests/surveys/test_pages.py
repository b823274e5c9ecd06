"""The survey app's shell, its service worker and its static files, as the browser gets them."""
from __future__ import annotations

import json
import re
from pathlib import Path

from field_app.accounts.roles import Role

STATIC = Path(__file__).resolve().parents[2] / "static"


def _config(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="survey-config">(.*?)</script>',
                      page, re.S)
    return json.loads(block.group(1))


def test_a_collector_lands_on_the_survey(client, login_as, survey_round):
    login_as(Role.VILLAGE_COLLECTOR)
    assert client.get("/").headers["Location"] == "/survey/"


def test_the_shell_carries_rules_labels_and_the_servers_today(client, login_as, survey_round):
    login_as(Role.VILLAGE_COLLECTOR)
    config = _config(client.get("/survey/").get_data(as_text=True))
    assert config["rules"]["person"]["id_number"]["kind"] == "id_number"
    assert config["labels"]["relation"]["head"] == "户主"
    assert config["labels"]["status"]["returned"] == "已退回"
    assert config["urls"]["sync"] == "/api/survey/sync"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", config["today"])


def test_the_shell_in_english(client, login_as, survey_round):
    login_as(Role.VILLAGE_COLLECTOR)
    page = client.get("/survey/?lang=en").get_data(as_text=True)
    config = _config(page)
    assert config["labels"]["status"]["returned"] == "Returned"
    assert config["rules"]["spell"]["$row"][0][3] == "End date is before Start date"
    assert "Search name or last 4 ID digits" in page


def test_the_service_worker_is_never_cached_and_lists_versioned_files(client, login_as,
                                                                      survey_round):
    login_as(Role.VILLAGE_COLLECTOR)
    worker = client.get("/survey/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache"
    assert worker.mimetype == "text/javascript"
    text = worker.get_data(as_text=True)
    assets = json.loads(re.search(r"var ASSETS = (\[.*?\])", text).group(1))
    scripts = sorted([p.name for p in (STATIC / "survey").glob("*.js")] + ["gb11643.js"])
    assert assets[0] == "/survey/"
    listed = [a.split("?")[0].rsplit("/", 1)[1] for a in assets]
    assert sorted(name for name in listed if name.endswith(".js")) == scripts
    assert all("?v=" in a for a in assets[1:])


def test_versioned_static_files_are_kept_a_year_and_compressed(client):
    response = client.get("/static/survey/app.js?v=1", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "no-cache" not in cache
    unversioned = client.get("/static/survey/app.js")
    assert "max-age=31536000" not in unversioned.headers.get("Cache-Control", "")
