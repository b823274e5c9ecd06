"""The address printed on reports (verify link and QR code) comes from FIELD_APP_SITE_URL,
never from the request; a production server answers only the site's host names."""
from __future__ import annotations

import re

import pytest

from field_app.extensions import db
from tests.factories import PASSWORD
from tests.indicators.support import BANNER
from tests.reports.conftest import pdf_text
from tests.web.apps import configured_app

SITE = "https://jiuye.example.gov.cn"


def _verify_links(pdf: bytes) -> list[str]:
    return re.findall(r"(https?://\S+?/verify/\S+?)，", pdf_text(pdf).replace("\n", ""))


def _print(client, user, host: str):
    """Sign in and print through ``host`` (the Host header the request names)."""
    base = f"http://{host}"
    client.post("/login", data={"username": user.username, "password": PASSWORD},
                base_url=base)
    return client.post("/reports/", data={"kind": "urban", "division": BANNER,
                                          "period": "2024"}, base_url=base)


def test_a_forged_host_header_does_not_reach_the_printed_verify_link(client, make):
    user = make.user("county_statistician")
    db.session.commit()
    response = _print(client, user, "evil.example")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "evil.example" not in text
    [link] = _verify_links(response.data)
    assert link.startswith("http://127.0.0.1:5000/verify/152201-2024-")


def test_the_configured_site_url_is_printed_whatever_host_the_request_names(app, make):
    user = make.user("county_statistician")
    db.session.commit()
    with configured_app(app, SITE_URL=SITE + "/") as site_app:
        response = _print(site_app.test_client(), user, "10.0.0.7:8080")
    assert response.status_code == 200
    [link] = _verify_links(response.data)
    assert link.startswith(f"{SITE}/verify/152201-2024-")


def test_the_report_command_prints_the_configured_site_url(app, make, tmp_path):
    db.session.commit()
    with configured_app(app, SITE_URL=SITE) as site_app, site_app.app_context():
        out = tmp_path / "urban.pdf"
        result = site_app.test_cli_runner().invoke(args=[
            "report", "urban", "--division", BANNER, "--period", "2024", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [link] = _verify_links(out.read_bytes())
    assert link.startswith(f"{SITE}/verify/")


def test_in_production_a_foreign_host_header_is_refused(app, make):
    make.user("county_statistician")
    db.session.commit()
    with configured_app(app, TESTING=False, SITE_URL=SITE,
                        TRUSTED_HOSTS="intranet.example, 10.0.0.7") as production:
        browser = production.test_client()
        assert production.config["TRUSTED_HOSTS"] == [
            "jiuye.example.gov.cn", "intranet.example", "10.0.0.7"]
        assert browser.get("/login", headers={"Host": "evil.example"}).status_code == 400
        assert browser.get("/login", headers={"Host": "jiuye.example.gov.cn"}).status_code == 200
        assert browser.get("/login", headers={"Host": "10.0.0.7:8080"}).status_code == 200
        refused = browser.get("/api/survey/session", headers={"Host": "evil.example"})
        assert refused.status_code == 400 and refused.get_json()["status"] == 400


def test_in_production_without_a_site_url_only_the_loopback_names_are_served(app):
    with configured_app(app, TESTING=False) as production:
        assert production.config["SITE_URL"] == "http://127.0.0.1:5000"
        browser = production.test_client()
        assert browser.get("/login", headers={"Host": "localhost:5000"}).status_code == 200
        assert browser.get("/login", headers={"Host": "127.0.0.1:5000"}).status_code == 200
        assert browser.get("/login", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("url", ["ftp://jiuye.example", "jiuye.example.gov.cn",
                                 "https://jiuye.example/app?x=1", "https://"])
def test_a_site_url_that_is_no_address_stops_the_start(app, url):
    with pytest.raises(RuntimeError, match="FIELD_APP_SITE_URL"):
        with configured_app(app, SITE_URL=url):
            pass
