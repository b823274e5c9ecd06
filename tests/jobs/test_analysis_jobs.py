"""Submitting the quarterly analysis as a background job: the page checks and queues, the job
numbers and stores the PDF and moves the analysis exactly as the submission at once did,
its progress moves, and a failure leaves the analysis unsubmitted with no report."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from field_app.analysis import jobs as analysis_jobs
from field_app.analysis import operations
from field_app.analysis.document import build_content
from field_app.analysis.models import AnalysisStatus, QuarterlyAnalysis
from field_app.audit.models import AuditEvent
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.jobs.models import Job, JobState
from field_app.jobs.queue import Queue
from field_app.reports.models import Report, ReportDocument, ReportKind
from field_app.reports.operations import generate_report
from tests.analysis.conftest import Q3, SECTIONS, SITE, analysis_data  # noqa: F401
from tests.reporting.conftest import client_for  # noqa: F401

COUNTY = "152201000000"
URL = f"/analysis/{COUNTY}/2026Q3/edit"
FORM = {**{f"edit-{k}": v for k, v in SECTIONS.items()}, "edit-action": "submit"}


def _job_of(response) -> Job:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "/jobs/" in response.headers["Location"]
    db.session.expire_all()
    return db.session.get(Job, int(response.headers["Location"].rsplit("/", 1)[1]))


@pytest.fixture
def progress_seen(monkeypatch):
    seen = []
    original = Queue.put_progress

    def spy(self, job_id, done, total):
        seen.append((done, total))
        original(self, job_id, done, total)

    monkeypatch.setattr(Queue, "put_progress", spy)
    return seen


def test_submitting_on_the_web_is_a_job_that_numbers_stores_and_submits(
        analysis_data, client_for, progress_seen):
    u = analysis_data
    county = client_for(u["county"])
    job = _job_of(county.post(URL, data=FORM))
    assert job.kind == analysis_jobs.KIND and job.state == JobState.SUCCEEDED
    assert job.created_by_id == u["county"].id and job.division_code == COUNTY
    assert progress_seen[0] == (0, 3) and progress_seen[-1] == (3, 3)

    analysis = db.session.scalar(select(QuarterlyAnalysis))
    report = db.session.get(Report, analysis.report_id)
    assert analysis.status == AnalysisStatus.SUBMITTED
    assert analysis.submitted_by_id == u["county"].id and analysis.first_submitted_at
    assert report.kind == ReportKind.ANALYSIS and report.serial == 1
    assert job.result == {"number": report.number, "report_id": report.id,
                          "analysis_id": analysis.id}
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert "analysis_submit" in actions

    # The job's document is what submitting at once makes of the same content: asked for
    # again synchronously, it is found and reissued under the same number.
    division = db.session.get(Division, COUNTY)
    content = build_content(db.session, division, Q3, analysis.sections(),
                            operations.Policy())
    again, pdf = generate_report(db.session, kind=ReportKind.ANALYSIS, division_code=COUNTY,
                                 start=Q3.start, end=Q3.end, actor=u["county"],
                                 site_url=SITE, content=content)
    assert again.id == report.id
    download = county.get(f"/analysis/{COUNTY}/2026Q3/analysis.pdf")
    assert download.status_code == 200 and download.data == pdf
    page = county.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "报送季分析" in page and f'href="/analysis/{COUNTY}/2026Q3"' in page


def test_a_failing_submission_job_leaves_the_analysis_unsubmitted(analysis_data, client_for,
                                                                  monkeypatch):
    county = client_for(analysis_data["county"])

    def broken(html):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("field_app.reports.operations.render_pdf", broken)
    job = _job_of(county.post(URL, data=FORM))
    assert job.state == JobState.FAILED and "未写入任何数据" in job.message
    analysis = db.session.scalar(select(QuarterlyAnalysis))
    assert analysis.status == AnalysisStatus.DRAFT and analysis.report_id is None
    assert analysis.situation == SECTIONS["situation"]  # the saved sections stay
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReportDocument)) == 0
    assert "未写入任何数据" in county.get(f"/jobs/{job.id}").get_data(as_text=True)

    monkeypatch.undo()
    retried = _job_of(county.post(URL, data=FORM))
    assert retried.state == JobState.SUCCEEDED and "-000001-" in retried.result["number"]


def test_a_submission_the_rules_refuse_is_said_on_the_form_and_not_queued(analysis_data,
                                                                         client_for):
    county = client_for(analysis_data["county"])
    response = county.post(URL, data={**FORM, "edit-measures": ""})
    assert response.status_code == 422 and "请填写下步措施" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_job_finding_the_analysis_already_submitted_fails_and_changes_nothing(
        analysis_data, client_for):
    u = analysis_data
    analysis = operations.save(db.session, division_code=COUNTY, period=Q3, actor=u["county"],
                               sections=SECTIONS)
    job = analysis_jobs.enqueue_submit(db.session, analysis, actor=u["county"])
    # Submitted at once in the same transaction, before the queued job runs.
    operations.submit(db.session, analysis, actor=u["county"], policy=operations.Policy(),
                      site_url=SITE)
    db.session.commit()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state == JobState.FAILED and "季分析已报送" in job.message
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
