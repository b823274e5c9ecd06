"""The quarterly analysis' steps: the state machine, who may take each step, the due date
and 逾期 with a moved clock, and the numbered PDF with the quarter's figures."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from field_app.analysis import operations
from field_app.analysis.models import AnalysisStatus, QuarterlyAnalysis, next_status
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, NotAllowed, OutOfScope, ValidationFailed
from field_app.extensions import db
from field_app.indicators import Policy
from field_app.reporting.calendar import Period, analysis_due_date
from field_app.reports.models import ReportKind
from field_app.reports.operations import stored_pdf
from tests.analysis.conftest import Q3, SECTIONS, SITE

S = AnalysisStatus
COUNTY, LEAGUE, REGION = "152201000000", "152200000000", "150000000000"


def _write(user, code=COUNTY, sections=SECTIONS, period=Q3):
    return operations.save(db.session, division_code=code, period=period, actor=user,
                           sections=sections)


def _submit(analysis, user):
    return operations.submit(db.session, analysis, actor=user, policy=Policy(), site_url=SITE)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_transition_table_allows_only_the_chain_s_steps():
    assert next_status(S.DRAFT, "submit") == S.SUBMITTED
    assert next_status(S.RETURNED, "submit") == S.SUBMITTED
    assert next_status(S.SUBMITTED, "approve") == S.APPROVED
    assert next_status(S.SUBMITTED, "return") == S.RETURNED
    assert next_status(S.DRAFT, "approve") is None
    assert next_status(S.APPROVED, "return") is None
    assert next_status(S.APPROVED, "submit") is None


def test_a_county_writes_submits_and_the_league_approves(analysis_data):
    u = analysis_data
    analysis = _write(u["county"])
    assert analysis.status == S.DRAFT and analysis.situation.startswith("三季度")
    report = _submit(analysis, u["county"])
    assert analysis.status == S.SUBMITTED and analysis.report_id == report.id
    assert report.kind == ReportKind.ANALYSIS and report.number.startswith("152201-2026Q3-")
    assert analysis.due_on == dt.date(2026, 10, 7)  # counties: 7 days after the quarter
    operations.approve(db.session, analysis, actor=u["league"])
    assert analysis.status == S.APPROVED and analysis.reviewed_by_id == u["league"].id
    db.session.commit()
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "quarterly_analyses")))
    assert {"create", "update", "analysis_submit", "analysis_approve"} <= actions


def test_a_return_needs_a_reason_and_the_corrected_analysis_supersedes_the_first_pdf(
        analysis_data):
    u = analysis_data
    analysis = _write(u["county"])
    first = _submit(analysis, u["county"])
    with pytest.raises(ValidationFailed):
        operations.return_analysis(db.session, analysis, actor=u["league"], reason="  ")
    operations.return_analysis(db.session, analysis, actor=u["league"], reason="问题分析不具体")
    assert analysis.status == S.RETURNED and analysis.return_reason == "问题分析不具体"
    with pytest.raises(InvalidTransition):
        operations.approve(db.session, analysis, actor=u["league"])
    _write(u["county"], sections={**SECTIONS, "problems": "阿尔山市登记失业人员增加12人。"})
    second = _submit(analysis, u["county"])
    assert analysis.status == S.SUBMITTED and analysis.return_reason is None
    assert second.id != first.id
    db.session.refresh(first)
    assert first.superseded_by_id == second.id
    assert "阿尔山市登记失业人员增加12人" in _text(stored_pdf(db.session, second))


def test_submitting_needs_the_three_sections_and_an_ended_quarter(analysis_data):
    u = analysis_data
    analysis = _write(u["county"], sections={"situation": "形势平稳", "problems": " ",
                                             "measures": ""})
    with pytest.raises(ValidationFailed) as refused:
        _submit(analysis, u["county"])
    assert set(refused.value.errors) == {"problems", "measures"}
    assert "存在问题" in str(refused.value.message) and "下步措施" in str(refused.value.message)
    current = Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    draft = _write(u["county"], period=current)
    with pytest.raises(ValidationFailed) as early:
        _submit(draft, u["county"])
    assert "尚未结束" in str(early.value.message)
    with pytest.raises(ValidationFailed):
        _write(u["county"], period=Period(dt.date(2027, 1, 1), dt.date(2027, 3, 31)))


def test_only_the_division_s_own_writer_and_the_level_directly_above_act(analysis_data):
    u = analysis_data
    with pytest.raises(NotAllowed):  # the league may read the county, not write for it
        _write(u["league"])
    with pytest.raises(OutOfScope):  # another banner's statistician
        _write(u["county2"])
    with pytest.raises(OutOfScope):  # the leader signs reports, writes no analysis
        _write(u["leader"])
    analysis = _write(u["county"])
    _submit(analysis, u["county"])
    with pytest.raises(NotAllowed):  # the region is not directly above a county
        operations.approve(db.session, analysis, actor=u["region"])
    with pytest.raises(OutOfScope):
        operations.approve(db.session, analysis, actor=u["county2"])
    with pytest.raises(InvalidTransition):  # submitted: no more editing
        _write(u["county"])


def test_due_dates_are_configurable_per_level(app):
    config = {"ANALYSIS_DUE_DAYS": {"league": 12}}
    assert analysis_due_date({}, 3, Q3) == dt.date(2026, 10, 7)
    assert analysis_due_date({}, 2, Q3) == dt.date(2026, 10, 10)
    assert analysis_due_date({}, 1, Q3) == dt.date(2026, 10, 15)
    assert analysis_due_date(config, 2, Q3) == dt.date(2026, 10, 12)
    assert analysis_due_date(config, 3, Q3) == dt.date(2026, 10, 7)
    assert analysis_due_date({}, 4, Q3) is None  # townships write none


def test_late_is_not_submitted_past_the_due_date_or_first_submitted_after_it(analysis_data):
    u = analysis_data
    due = dt.date(2026, 10, 10)
    assert not operations.is_late(None, due, dt.date(2026, 10, 10))
    assert operations.is_late(None, due, dt.date(2026, 10, 11))
    analysis = _write(u["league"], code=LEAGUE)
    clock.set(dt.datetime(2026, 10, 12, 9, 0))  # two days late
    _submit(analysis, u["league"])
    operations.return_analysis(db.session, analysis, actor=u["region"], reason="补充")
    assert operations.is_late(analysis, due, dt.date(2026, 10, 12))
    # Once late, always late: the first submission decides, not the corrected one.
    analysis.first_submitted_at = dt.datetime(2026, 10, 9, 9, 0)
    assert not operations.is_late(analysis, due, dt.date(2026, 12, 1))


def test_the_database_refuses_a_submitted_analysis_without_a_document(analysis_data):
    analysis = _write(analysis_data["county"])
    db.session.commit()
    analysis.status = S.SUBMITTED
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_pdf_prints_the_quarter_s_figures_breakdowns_and_sections(analysis_data):
    u = analysis_data
    analysis = _write(u["league"], code=LEAGUE)
    report = _submit(analysis, u["league"])
    text = _text(stored_pdf(db.session, report))
    assert "就业形势季度分析" in text and report.number in text
    assert "2026年7-9月" in text
    for words in ("一、主要指标", "按下级区划", "按性别", "按年龄段", "乌兰浩特市", "阿尔山市",
                  "形势分析", "三季度全盟就业形势总体稳定", "存在问题", "下步措施"):
        assert words in text, words
    # Eight quarters with 同比 and 环比, two line charts; no boundaries here, so no map.
    assert "三、近八个季度走势" in text and "2025年第4季度" in text and "2026年第3季度" in text
    assert "分布图（无下级边界数据）" in text
    figures = report.figures
    assert figures["total"]["values"]["new_employment_gross"] == 3
    rows = {row["name"]: row["values"] for row in figures["rows"]}
    assert rows["乌兰浩特市"]["new_employment_gross"] == 2
    assert rows["阿尔山市"]["new_employment_gross"] == 1
    by_sex = next(b for b in analysis_content_breakdowns(report) if b["by"] == "sex")
    assert by_sex["rows"] == [
        {"key": "male", "values": {"new_employment_gross": 2, "reemployment_of_unemployed": 0,
                                   "hard_to_employ_employed": 0, "registered_unemployed": 0,
                                   "rural_transfer": 1, "rural_training": 0}},
        {"key": "female", "values": {"new_employment_gross": 1, "reemployment_of_unemployed": 0,
                                     "hard_to_employ_employed": 0, "registered_unemployed": 0,
                                     "rural_transfer": 0, "rural_training": 0}}]


def test_the_trend_gives_eight_quarters_and_the_changes_of_the_last(analysis_data):
    from field_app.analysis.document import build_content
    from field_app.divisions.models import Division

    content = build_content(db.session, db.session.get(Division, LEAGUE), Q3, SECTIONS,
                            Policy())
    trend = content.trend
    assert trend.keys == ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1",
                          "2026Q2", "2026Q3"]
    assert trend.values["urban_new_employment"] == [0, 0, 0, 0, 0, 0, 0, 3]
    assert trend.yoy["new_employment_gross"] == {"difference": "+3", "percent": None}
    assert trend.mom["rural_transfer"] == {"difference": "+0", "percent": "+0.0"}
    assert content.svg("trend_urban_new_employment").startswith("<svg")
    assert content.svg("map") is None


def analysis_content_breakdowns(report):
    """The breakdowns as the document printed them (rebuilt from the same data)."""
    from field_app.analysis.document import build_content
    from field_app.divisions.models import Division

    content = build_content(db.session, db.session.get(Division, report.division_code), Q3,
                            SECTIONS, Policy())
    return content.content()["breakdowns"]
