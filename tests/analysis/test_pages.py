"""The quarterly analysis pages: the office's list with status, due date and 逾期, the editor's
messages, submitting and reviewing through the web, and the preview."""
from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from field_app.analysis import operations
from field_app.analysis.models import AnalysisStatus, QuarterlyAnalysis
from field_app.core.clock import clock
from field_app.extensions import db
from tests.analysis.conftest import Q3, SECTIONS, SITE

COUNTY, LEAGUE = "152201000000", "152200000000"


def _badges(html: str, section: str) -> dict[str, list[str]]:
    """Row name → its badges, in the list ``section`` (own / below)."""
    part = html[html.index(f'id="{section}"'):]
    part = part[:part.index("</section>")]
    found = {}
    for item in re.findall(r'<li>\s*<a href="[^"]*"><span class="name">(.*?)</span>(.*?)</li>',
                           part, re.S):
        found[item[0]] = re.findall(r'<span class="chain-badge [^"]*">(.*?)</span>', item[1])
    return found


def test_the_league_list_shows_each_county_s_status_due_date_and_late(analysis_data,
                                                                       client_for):
    u = analysis_data
    clock.set(dt.datetime(2026, 10, 6, 9, 0))  # before the counties' due date (7 October)
    league = client_for(u["league"])
    html = league.get(f"/analysis/{LEAGUE}?quarter=2026Q3").get_data(as_text=True)
    assert _badges(html, "below") == {"乌兰浩特市": ["未编写"], "阿尔山市": ["未编写"]}
    assert "截止 2026-10-07" in html
    analysis = operations.save(db.session, division_code=COUNTY, period=Q3, actor=u["county"],
                               sections=SECTIONS)
    operations.submit(db.session, analysis, actor=u["county"], policy=operations.Policy(),
                      site_url=SITE)
    db.session.commit()
    clock.set(dt.datetime(2026, 10, 8, 9, 0))
    league = client_for(u["league"])
    response = league.get(f"/analysis/{LEAGUE}?quarter=2026Q3")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _badges(html, "below") == {"乌兰浩特市": ["已报"], "阿尔山市": ["未编写", "逾期"]}
    # The league's own: Q3 is due 10 October, not late yet on the 8th.
    assert _badges(html, "own")["2026年第3季度"] == ["未编写"]


def test_the_editor_saves_a_draft_and_submitting_empty_sections_names_them(analysis_data,
                                                                            client_for):
    u = analysis_data
    county = client_for(u["county"])
    url = f"/analysis/{COUNTY}/2026Q3/edit"
    assert county.get(url).status_code == 200
    response = county.post(url, data={"edit-situation": "形势平稳", "edit-action": "save"})
    assert response.status_code == 302
    analysis = db.session.scalar(select(QuarterlyAnalysis))
    assert analysis.status == AnalysisStatus.DRAFT and analysis.situation == "形势平稳"
    response = county.post(url, data={"edit-situation": "形势平稳，略有改善",
                                      "edit-problems": "", "edit-action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写存在问题" in html and "请填写下步措施" in html
    assert "形势平稳，略有改善" in html  # what was typed is kept on the page
    db.session.expire_all()
    assert db.session.scalar(select(QuarterlyAnalysis.situation)) == "形势平稳"  # rolled back


def test_a_section_with_a_control_character_or_too_long_is_refused(analysis_data, client_for):
    county = client_for(analysis_data["county"])
    url = f"/analysis/{COUNTY}/2026Q3/edit"
    response = county.post(url, data={"edit-situation": "形势\x07平稳", "edit-action": "save"})
    assert response.status_code == 422
    assert "含有不允许的字符" in response.get_data(as_text=True)
    response = county.post(url, data={"edit-measures": "措" * 20001, "edit-action": "save"})
    assert response.status_code == 422
    assert "不能超过 20000 个字" in response.get_data(as_text=True)
    response = county.post(url, data={"edit-situation": "x", "edit-action": "publish"})
    assert response.status_code == 422
    assert "请用页面上的按钮保存或报送" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuarterlyAnalysis)) == 0


def test_submit_on_the_web_then_the_league_returns_with_a_reason(analysis_data, client_for):
    u = analysis_data
    county = client_for(u["county"])
    response = county.post(f"/analysis/{COUNTY}/2026Q3/edit", data={
        **{f"edit-{k}": v for k, v in SECTIONS.items()}, "edit-action": "submit"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    league = client_for(u["league"])
    page = league.get(f"/analysis/{COUNTY}/2026Q3").get_data(as_text=True)
    assert "三季度全盟就业形势总体稳定" in page and "审核通过" in page
    response = league.post(f"/analysis/{COUNTY}/2026Q3/return", data={"return-reason": ""})
    assert response.status_code == 422 and "请填写退回理由" in response.get_data(as_text=True)
    response = league.post(f"/analysis/{COUNTY}/2026Q3/return",
                           data={"return-reason": "请补充数据分析"})
    assert response.status_code == 302
    db.session.expire_all()
    analysis = db.session.scalar(select(QuarterlyAnalysis))
    assert analysis.status == AnalysisStatus.RETURNED
    pdf = county.get(f"/analysis/{COUNTY}/2026Q3/analysis.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    edit = county.get(f"/analysis/{COUNTY}/2026Q3/edit").get_data(as_text=True)
    assert "请补充数据分析" in edit


def test_the_preview_is_an_unnumbered_pdf_of_the_saved_sections(analysis_data, client_for):
    u = analysis_data
    operations.save(db.session, division_code=COUNTY, period=Q3, actor=u["county"],
                    sections=SECTIONS)
    db.session.commit()
    response = client_for(u["county"]).get(f"/analysis/{COUNTY}/2026Q3/preview.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "预览（未编号）" in text and "加强就业援助" in text
    from field_app.reports.models import Report
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_a_month_a_township_or_nonsense_is_not_a_page(analysis_data, client_for):
    county = client_for(analysis_data["county"])
    for url in (f"/analysis/{COUNTY}/2026-09", f"/analysis/{COUNTY}/2026", "/analysis/x/2026Q3",
                f"/analysis/{COUNTY}/2026Q9/edit", "/analysis/152201100000",
                f"/analysis/{COUNTY}?quarter=junk"):
        assert county.get(url).status_code == 404, url


def test_a_numbered_analysis_is_verified_like_a_table_and_is_not_printed_from_reports(
        analysis_data, client_for):
    u = analysis_data
    analysis = operations.save(db.session, division_code=COUNTY, period=Q3, actor=u["county"],
                               sections=SECTIONS)
    report = operations.submit(db.session, analysis, actor=u["county"],
                               policy=operations.Policy(), site_url=SITE)
    db.session.commit()
    page = client_for(u["league"]).get(f"/verify/{report.number}").get_data(as_text=True)
    assert "就业形势季度分析" in page and "义勒力特镇" in page  # a child row of the figures
    county = client_for(u["county"])
    response = county.post("/reports/", data={"kind": "analysis", "division": COUNTY,
                                              "period": "2026Q3"})
    assert response.status_code == 422
