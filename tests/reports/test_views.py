"""The reports page (printing roles, within their jurisdiction), downloads, and the public
/verify page: figures only, and a wrong hash is never reported as valid."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest

from field_app.core.clock import clock
from field_app.core.identifiers import mask_id_number
from tests.indicators.support import BANNER, GACHA, OTHER_BANNER, OTHER_VILLAGE, TOWN


def _post(client, kind, division, period="2024", **extra):
    return client.post("/reports/", data={"kind": kind, "division": division, "period": period,
                                          **extra})


@pytest.mark.parametrize("role", ["township_reviewer", "county_statistician", "county_leader",
                                  "league_statistician", "region_statistician", "league_admin",
                                  "region_admin"])
def test_printing_roles_see_the_page_and_the_menu_link(client, login_as, role):
    login_as(role)
    page = client.get("/reports/").get_data(as_text=True)
    assert "农村牧区劳动力转移就业情况表" in page
    assert 'href="/reports/"' in client.get("/reports/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["village_collector", "county_admin", "auditor"])
def test_other_roles_get_404_and_no_menu_link(client, login_as, role):
    login_as(role)
    assert client.get("/reports/").status_code == 404
    assert _post(client, "rural", BANNER).status_code == 404


def test_county_statistician_downloads_a_numbered_table_of_the_banner(client, login_as):
    login_as("county_statistician")
    clock.set(dt.datetime(2025, 2, 3, 9, 30))
    response = _post(client, "rural", BANNER, period="2024-01..2024-06")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=152201-2024H1-")
    assert response.data.startswith(b"%PDF-")


def test_outside_the_jurisdiction_is_404(client, login_as):
    login_as("county_statistician")
    assert _post(client, "rural", OTHER_BANNER).status_code == 404
    assert _post(client, "roster", OTHER_VILLAGE).status_code == 404
    assert client.get(f"/reports/?division={OTHER_BANNER}").status_code == 404


def test_roster_of_a_village_in_the_jurisdiction(client, login_as, make):
    login_as("county_leader")
    make.rural_person(village=GACHA)
    response = _post(client, "roster", GACHA)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")


def test_bad_period_or_roster_of_a_township_is_explained_not_generated(client, login_as):
    login_as("county_statistician")
    response = _post(client, "rural", BANNER, period="2024-13")
    assert response.status_code == 422 and "报告期应写作" in response.get_data(as_text=True)
    response = _post(client, "roster", TOWN)
    assert response.status_code == 422
    assert "花名册只能按嘎查村生成" in response.get_data(as_text=True)


def test_page_lists_recent_reports_and_redownloads_the_same_file(client, login_as):
    login_as("county_statistician")
    pdf = _post(client, "urban", BANNER).data
    number = _number_of(pdf)
    page = client.get("/reports/").get_data(as_text=True)
    assert number in page
    again = client.get(f"/reports/{number}.pdf")
    assert again.status_code == 200 and again.data == pdf


def test_download_outside_the_jurisdiction_is_404(client, login_as, make, generate):
    report, _ = generate("rural", OTHER_BANNER)
    login_as("county_statistician")
    assert client.get(f"/reports/{report.number}.pdf").status_code == 404


def _number_of(pdf: bytes) -> str:
    from tests.reports.conftest import pdf_text

    line = next(l for l in pdf_text(pdf).splitlines() if "报告编号：" in l)
    return line.split("报告编号：", 1)[1].split()[0]


def test_verify_is_public_and_shows_the_figures_division_period_time_and_hash(client, make,
                                                                              generate):
    person = make.rural_person(village=GACHA)
    make.spell(person, dt.date(2024, 3, 1))
    clock.set(dt.datetime(2025, 1, 10, 8, 15))
    report, pdf = generate("rural", BANNER)
    from field_app.extensions import db

    db.session.commit()
    page = client.get(f"/verify/{report.number}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in (report.number, "乌兰浩特市", "152201000000", "2024年1-12月",
                     "2025-01-10 08:15", report.sha256, "农村牧区劳动力转移就业情况表",
                     "义勒力特镇"):
        assert expected in text, expected
    assert '<td class="num">1</td>' in text  # the banner's and the town's transfer figure


def test_verify_accepts_the_right_hash_and_rejects_a_tampered_one(client, make, generate):
    from field_app.extensions import db

    report, pdf = generate("urban", BANNER)
    db.session.commit()
    good = client.get(f"/verify/{report.number}?sha256={report.sha256.upper()}")
    assert "一致：" in good.get_data(as_text=True)
    tampered = report.sha256[:-1] + ("0" if report.sha256[-1] != "0" else "1")
    for candidate in (tampered, "not-a-hash", "中" * 64):
        text = client.get(f"/verify/{report.number}", query_string={"sha256": candidate}
                          ).get_data(as_text=True)
        assert "不一致：" in text and "一致：该文件" not in text


def test_verify_checks_an_uploaded_file(client, make, generate):
    from field_app.extensions import db

    report, pdf = generate("urban", BANNER)
    db.session.commit()

    def upload(data):
        return client.post(f"/verify/{report.number}", data={"pdf": (io.BytesIO(data), "r.pdf")},
                           content_type="multipart/form-data").get_data(as_text=True)

    assert "一致：该文件" in upload(pdf)
    assert "不一致：" in upload(pdf + b"% one byte more\n")


def test_verify_of_a_roster_shows_counts_never_names_or_id_numbers(client, make, generate):
    from field_app.extensions import db

    person = make.person(dt.date(1990, 5, 17), name="乌云其木格")
    make.member(person, make.household(GACHA))
    report, _ = generate("roster", GACHA)
    db.session.commit()
    text = client.get(f"/verify/{report.number}").get_data(as_text=True)
    assert report.figures["households"] == 1 and report.figures["members"] == 1
    assert "户数" in text and "人数" in text
    for secret in ("乌云其木格", person.id_number, mask_id_number(person.id_number)):
        assert secret not in text


def test_unknown_or_guessed_numbers_are_404(client, make, generate):
    from field_app.extensions import db

    report, _ = generate("rural", BANNER)
    db.session.commit()
    assert client.get("/verify/152201-2024-000001-XXXXXX").status_code == 404
    assert client.get(f"/verify/{report.number}x").status_code == 404
    assert hashlib.sha256(b"").hexdigest() not in client.get(
        f"/verify/{report.number}").get_data(as_text=True)


def test_after_the_data_change_the_old_number_still_shows_what_it_printed(client, make,
                                                                          generate):
    from field_app.extensions import db

    old, _ = generate("rural", BANNER)
    person = make.rural_person(village=GACHA)
    make.spell(person, dt.date(2024, 3, 1))
    new, _ = generate("rural", BANNER)
    db.session.commit()
    old_page = client.get(f"/verify/{old.number}").get_data(as_text=True)
    new_page = client.get(f"/verify/{new.number}").get_data(as_text=True)
    assert '<td class="num">1</td>' not in old_page and old.sha256 in old_page
    assert '<td class="num">1</td>' in new_page and new.sha256 in new_page
    assert "一致：该文件" in client.get(f"/verify/{old.number}?sha256={old.sha256}").get_data(
        as_text=True)
