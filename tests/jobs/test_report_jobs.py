"""Printing a large report as a background job: the form decides by the rows printed, the
job numbers, stores and verifies the report exactly as printing at once does, its
progress moves, and a failure leaves no report and no serial behind."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from field_app.core.clock import clock
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.jobs.models import Job, JobState
from field_app.jobs.queue import Queue
from field_app.reports import jobs as report_jobs
from field_app.reports.models import Report, ReportDocument
from tests.indicators.support import BANNER, GACHA, OTHER_BANNER, TOWN
from tests.reports.conftest import page_count, pdf_text


def _post(client, kind="rural", division=BANNER, period="2024", **extra):
    return client.post("/reports/", data={"kind": kind, "division": division,
                                          "period": period, **extra})


def _job_of(response) -> Job:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "/jobs/" in response.headers["Location"]
    db.session.expire_all()
    return db.session.get(Job, int(response.headers["Location"].rsplit("/", 1)[1]))


@pytest.fixture
def statistician(login_as, make):
    person = make.rural_person(village=GACHA)
    make.spell(person, dt.date(2024, 3, 1))
    clock.set(dt.datetime(2025, 2, 3, 9, 30))
    return login_as("county_statistician", BANNER)


@pytest.fixture
def always_a_job(monkeypatch):
    monkeypatch.setattr(report_jobs, "AT_ONCE_ROWS", 0)


@pytest.fixture
def many_villages(app_ctx):
    """61 more villages in TOWN: the banner's table by village prints more than 61 rows."""
    db.session.add_all(Division(code=f"{TOWN[:9]}{n:03d}", name=f"测试第{n}嘎查",
                                parent_code=TOWN, level=5) for n in range(300, 361))
    db.session.commit()


def test_a_small_table_is_printed_at_once_and_a_large_one_is_a_job(client, statistician,
                                                                  many_villages):
    small = _post(client)
    assert small.status_code == 200 and small.mimetype == "application/pdf"
    job = _job_of(_post(client, by_village="y"))
    assert job.kind == report_jobs.KIND and job.state == JobState.SUCCEEDED
    report = db.session.get(Report, job.result["report_id"])
    assert len(report.figures["rows"]) > report_jobs.AT_ONCE_ROWS
    assert page_count(db.session.scalar(select(ReportDocument.pdf).where(
        ReportDocument.report_id == report.id))) >= 2


def test_the_jobs_report_is_the_report_printed_at_once(client, statistician, monkeypatch):
    monkeypatch.setattr(report_jobs, "AT_ONCE_ROWS", 0)
    job = _job_of(_post(client, period="2024-01..2024-06"))
    assert job.state == JobState.SUCCEEDED and job.created_by_id == statistician.id
    report = db.session.get(Report, job.result["report_id"])
    assert job.result["number"] == report.number and report.serial == 1
    assert report.number.startswith("152201-2024H1-000001-")
    assert report.generated_by_id == statistician.id

    # Asked again at once for the same data: the same content, hence the same number and
    # the very same stored PDF (a reissue), not a second report.
    monkeypatch.setattr(report_jobs, "AT_ONCE_ROWS", 10_000)
    again = _post(client, period="2024-01..2024-06")
    assert again.status_code == 200
    assert again.headers["Content-Disposition"].endswith(f"{report.number}.pdf")
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    stored = client.get(f"/reports/{report.number}.pdf")
    assert stored.data == again.data
    assert report.hash_matches(hashlib.sha256(stored.data).hexdigest())
    assert f"报告编号：{report.number}" in pdf_text(stored.data)

    # Numbering goes on from the job's serial, and /verify answers for the job's report.
    fresh = _post(client, period="2024")
    assert "-000002-" in fresh.headers["Content-Disposition"]
    verify = client.get(f"/verify/{report.number}?sha256={report.sha256}")
    assert verify.status_code == 200 and "一致：" in verify.get_data(as_text=True)


def test_the_job_page_shows_progress_and_then_the_link_to_the_report(client, statistician,
                                                                    always_a_job, monkeypatch):
    seen = []
    original = Queue.put_progress
    monkeypatch.setattr(Queue, "put_progress", lambda self, job_id, done, total: (
        seen.append((done, total)), original(self, job_id, done, total))[1])
    job = _job_of(_post(client))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert (job.progress_done, job.progress_total) == (3, 3)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "生成报表" in page and "已完成" in page
    assert f'href="/reports/{job.result["number"]}.pdf"' in page
    assert client.get(f"/jobs/{job.id}.json").get_json()["progress"]["percent"] == 100


def test_a_failing_job_leaves_no_report_and_no_serial_and_says_so(client, statistician,
                                                                 always_a_job, monkeypatch):
    def broken(html):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("field_app.reports.operations.render_pdf", broken)
    job = _job_of(_post(client))
    assert job.state == JobState.FAILED and "未写入任何数据" in job.message
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReportDocument)) == 0
    assert "未写入任何数据" in client.get(f"/jobs/{job.id}").get_data(as_text=True)

    monkeypatch.undo()
    monkeypatch.setattr(report_jobs, "AT_ONCE_ROWS", 0)
    retried = _job_of(_post(client))
    assert retried.state == JobState.SUCCEEDED and "-000001-" in retried.result["number"]


def test_a_refused_report_is_refused_on_the_form_not_queued(client, statistician,
                                                           always_a_job):
    assert _post(client, kind="roster", division=TOWN).status_code == 422
    assert _post(client, division=OTHER_BANNER).status_code == 404
    assert _post(client, period="2024-13").status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_report_job_is_seen_only_where_its_report_may_be_printed(client, statistician,
                                                                    always_a_job, login_as):
    job = _job_of(_post(client))
    client.post("/logout")
    login_as("county_statistician", OTHER_BANNER)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/reports/{job.result['number']}.pdf").status_code == 404
