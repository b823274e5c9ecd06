"""Background jobs: the lifecycle of a job, the data-set upload as a job (all or nothing,
idempotent, within the uploader's jurisdiction, with its error report), the status JSON,
and the quality scan started from the web as a job."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember, Person
from field_app.jobs import operations
from field_app.jobs.models import Job, JobState
from field_app.jobs.queue import KINDS, Outcome, current_queue, kind
from field_app.accounts.capabilities import Capability
from field_app.quality.models import QualityScan
from tests.factories import PASSWORD
from tests.jobs.helpers import BANNER, OTHER_VILLAGE, dataset_zip
from tests.web.test_request_limits import CountingStream


def upload(client, data: bytes, name: str = "dataset.zip"):
    return client.post("/jobs/import", data={"archive": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(t))
                 for t in (Person, Household, HouseholdMember))


def job_of(response) -> Job:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    db.session.expire_all()
    return db.session.get(Job, job_id)


@pytest.fixture
def statistician(login_as):
    return login_as("county_statistician", BANNER)


# --- the upload ------------------------------------------------------------------------------

def test_an_uploaded_data_set_is_imported_by_a_job_that_reports_its_counts(
        client, statistician):
    data, numbers = dataset_zip(households=3)
    job = job_of(upload(client, data))
    assert job.state == JobState.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (7, 7)  # read 3, check, merge 3
    assert job.result["counts"]["persons.csv"] == {"inserted": 6, "updated": 0, "unchanged": 0}
    assert job.created_by_id == statistician.id and job.division_code == BANNER
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert counts() == (6, 3, 6)
    # The rows are the uploader's, in the audit log, and the upload is not kept.
    person = db.session.scalar(select(Person).where(Person.id_number == numbers[0]))
    assert person.created_by_id == statistician.id
    assert db.session.scalar(select(Job.upload).where(Job.id == job.id)) is None
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "jobs", AuditEvent.target_id == str(job.id))))
    assert actions == {"job_enqueue", "job_succeed"}

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已完成" in page and "persons.csv" in page and "新增 6" in page
    assert 'value="100"' in page and "http-equiv" not in page  # no refresh once finished


def test_the_same_data_set_uploaded_again_changes_nothing(client, statistician):
    data, _ = dataset_zip(households=2)
    first = job_of(upload(client, data))
    before = counts()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    second = job_of(upload(client, data))
    assert second.id != first.id and second.state == JobState.SUCCEEDED
    assert counts() == before
    assert {name: c["inserted"] + c["updated"] for name, c in second.result["counts"].items()} \
        == {"persons.csv": 0, "households.csv": 0, "household_members.csv": 0}
    assert second.result["counts"]["persons.csv"]["unchanged"] == 4
    # Only the job's own two events are new: no row was written again.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events + 2


def test_a_data_set_with_bad_rows_fails_whole_with_its_error_report(client, statistician):
    data, numbers = dataset_zip(households=2, extra={
        "persons.csv": "id_number,name,hukou,phone\n152201198003041234,坏号码,rural,\n"})
    job = job_of(upload(client, data))
    assert job.state == JobState.FAILED
    assert job.message.startswith("数据集有") and "未导入任何数据" in job.message
    assert counts() == (0, 0, 0)
    errors = job.result["errors"]
    assert job.result["error_count"] == len(errors) >= 1
    bad = next(e for e in errors if e["file"] == "persons.csv")
    assert bad["line"] == 2 and bad["column"] == "id_number"
    assert bad["value"] == "152201********1234"  # masked in the stored report
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "未导入任何数据" in page and "152201********1234" in page
    assert "152201198003041234" not in page


def test_a_data_set_of_another_county_is_refused_and_nothing_is_written(client, statistician):
    data, numbers = dataset_zip(OTHER_VILLAGE, households=2)
    job = job_of(upload(client, data))
    assert job.state == JobState.FAILED
    assert counts() == (0, 0, 0)
    assert {e["file"] for e in job.result["errors"]} >= {"households.csv"}
    assert all("本辖区" in e["reason"] for e in job.result["errors"]
               if e["file"] == "households.csv")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "阿尔山" not in page and "林俗" not in page


@pytest.mark.parametrize(("data", "message"), [
    (b"not a zip at all", "不是有效的ZIP文件"),
    (dataset_zip(extra={"readme.txt": "x"})[0][:40], "不是有效的ZIP文件"),
])
def test_a_file_that_is_not_a_zip_is_refused_on_the_form(client, statistician, data, message):
    response = upload(client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_zip_without_csv_files_is_refused_on_the_form(client, statistician):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "nothing")
    response = upload(client, buffer.getvalue())
    assert response.status_code == 422 and "ZIP中没有CSV文件" in response.get_data(as_text=True)


def test_a_zip_naming_files_outside_its_folder_fails_without_writing(client, statistician):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../persons.csv", "id_number,name,hukou,phone\n")
    job = job_of(upload(client, buffer.getvalue()))
    assert job.state == JobState.FAILED and "文件名无效" in job.result["errors"][0]["reason"]


def test_a_data_set_in_a_folder_of_the_zip_is_read(client, statistician):
    data, _ = dataset_zip(households=1, folder="hinggan/")
    assert job_of(upload(client, data)).state == JobState.SUCCEEDED
    assert counts() == (2, 1, 2)


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(app, client, statistician):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    stream = CountingStream(size)
    response = client.post("/jobs/import", input_stream=stream, content_length=size,
                           content_type="multipart/form-data; boundary=limit-test")
    assert response.status_code == 413 and stream.read_bytes == 0
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


# --- the lifecycle ---------------------------------------------------------------------------

@pytest.fixture
def test_kinds():
    """Two kinds of job for these tests only: one that reports progress and succeeds, one
    that writes and then crashes."""
    from field_app.divisions.models import Division

    @kind("test_count", label="计数", capability=Capability.RUN_QUALITY_SCAN)
    def count(session, job, progress):
        for step in range(1, 4):
            progress(step, 3)
        return Outcome(True, {"steps": 3})

    @kind("test_crash", label="出错", capability=Capability.RUN_QUALITY_SCAN)
    def crash(session, job, progress):
        session.add(Division(code="152201100299", name="不应留下", parent_code="152201100000",
                             level=5))
        session.flush()
        progress(1, 2)
        raise RuntimeError("boom")

    yield
    KINDS.pop("test_count")
    KINDS.pop("test_crash")


def test_a_job_is_dispatched_only_when_its_request_commits(app_ctx, make, test_kinds):
    user = make.user("county_statistician", BANNER)
    job = operations.enqueue(db.session, "test_count", actor=user, division_code=BANNER)
    assert job.state == JobState.QUEUED
    db.session.rollback()  # the request failed: nothing was sent, nothing stored
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0

    make.tree()
    user = make.user("county_statistician", BANNER)
    job_id = operations.enqueue(db.session, "test_count", actor=user, division_code=BANNER).id
    db.session.commit()  # immediate mode: the job runs now, in a session of its own
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state == JobState.SUCCEEDED and job.result == {"steps": 3}
    assert (job.progress_done, job.progress_total) == (3, 3)


def test_a_crashing_job_fails_with_a_message_and_leaves_nothing(app_ctx, make, test_kinds):
    user = make.user("county_statistician", BANNER)
    job_id = operations.enqueue(db.session, "test_crash", actor=user, division_code=BANNER).id
    db.session.commit()
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state == JobState.FAILED
    assert "任务执行出错，未写入任何数据" in job.message and str(job_id) in job.message
    assert job.progress_done == 1 and job.progress_total == 2
    from field_app.divisions.models import Division
    assert db.session.get(Division, "152201100299") is None


def test_a_job_delivered_twice_runs_once(app_ctx, make, test_kinds):
    user = make.user("county_statistician", BANNER)
    job_id = operations.enqueue(db.session, "test_count", actor=user, division_code=BANNER).id
    db.session.commit()
    current_queue().dispatch(job_id)  # the same message again
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "jobs", AuditEvent.target_id == str(job_id))).all()
    assert sorted(events) == ["job_enqueue", "job_succeed"]


def test_a_job_cannot_be_started_outside_the_jurisdiction(app_ctx, make, test_kinds):
    from field_app.core.errors import OutOfScope

    user = make.user("county_statistician", BANNER)
    with pytest.raises(OutOfScope):
        operations.enqueue(db.session, "test_count", actor=user, division_code="152202000000")


def test_finished_jobs_do_not_move_again(app_ctx, make, test_kinds):
    from field_app.core.errors import InvalidTransition

    user = make.user("county_statistician", BANNER)
    job_id = operations.enqueue(db.session, "test_count", actor=user, division_code=BANNER).id
    db.session.commit()
    job = db.session.get(Job, job_id)
    with pytest.raises(InvalidTransition):
        operations.fail(db.session, job, "再失败一次")


# --- the status JSON -------------------------------------------------------------------------

def test_the_status_json_has_state_progress_and_message(client, statistician):
    data, _ = dataset_zip(households=1)
    job = job_of(upload(client, data))
    response = client.get(f"/jobs/{job.id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    status = response.get_json()
    assert set(status) == {"id", "kind", "kind_label", "state", "state_label", "finished",
                           "progress", "message", "created_at", "started_at", "finished_at"}
    assert (status["id"], status["kind"], status["state"], status["finished"]) == (
        job.id, "dataset_import", "succeeded", True)
    assert status["progress"] == {"done": 7, "total": 7, "percent": 100}
    assert status["state_label"] == "已完成" and status["message"] is None


def test_a_running_job_shows_its_live_progress(client, statistician):
    job = Job(kind="dataset_import", state=JobState.RUNNING, division_code=BANNER,
              created_by_id=statistician.id, params={},
              started_at=statistician.created_at, progress_done=0, progress_total=0)
    db.session.add(job)
    db.session.commit()
    current_queue().put_progress(job.id, 3, 4)
    try:
        status = client.get(f"/jobs/{job.id}.json").get_json()
        page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    finally:
        current_queue().clear_progress(job.id)
    assert status["progress"] == {"done": 3, "total": 4, "percent": 75}
    assert status["finished"] is False and status["state_label"] == "进行中"
    assert 'value="75"' in page and "progress.js" in page
    assert '<noscript><meta http-equiv="refresh"' in page  # without JavaScript: refreshes


def test_the_jobs_list_shows_the_jurisdictions_jobs(client, statistician, make):
    data, _ = dataset_zip(households=1)
    job = job_of(upload(client, data))
    colleague = make.user("county_statistician", BANNER)
    other = make.user("county_statistician", "152202000000")
    db.session.add(Job(kind="dataset_import", state=JobState.QUEUED, division_code="152202000000",
                       created_by_id=other.id, params={}))
    db.session.commit()
    page = client.get("/jobs/").get_data(as_text=True)
    assert re.findall(r'href="/jobs/(\d+)"', page) == [str(job.id)]
    assert "152202000000" not in page
    # A colleague of the same county sees the job too; one of another county does not.
    client.post("/logout")
    client.post("/login", data={"username": colleague.username, "password": PASSWORD})
    assert client.get(f"/jobs/{job.id}").status_code == 200
    client.post("/logout")
    client.post("/login", data={"username": other.username, "password": PASSWORD})
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}.json").status_code == 404


# --- the quality scan ------------------------------------------------------------------------

def test_the_quality_scan_button_runs_the_scan_as_a_job(client, statistician):
    response = client.post("/quality/scan", data={"division": BANNER, "period": "2026"})
    job = job_of(response)
    assert job.kind == "quality_scan" and job.state == JobState.SUCCEEDED
    scan = db.session.scalars(select(QualityScan)).one()
    assert job.result["scan_id"] == scan.id and scan.run_by_id == statistician.id
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/quality/?division={BANNER}&amp;period=2026" in page


def test_a_job_queued_for_long_says_the_worker_may_not_run(client, statistician):
    import datetime as dt

    from field_app.core.clock import clock

    clock.set(dt.datetime(2026, 6, 1, 9, 0))
    job = Job(kind="dataset_import", state=JobState.QUEUED, division_code=BANNER,
              created_by_id=statistician.id, params={}, created_at=clock.now())
    db.session.add(job)
    db.session.commit()
    assert "jobs-worker" not in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    clock.set(dt.datetime(2026, 6, 1, 9, 5))
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "尚未开始" in page and "jobs-worker" in page


def test_a_starting_worker_fails_the_jobs_its_predecessor_died_running(app_ctx, make):
    user = make.user("county_statistician", BANNER)
    running = Job(kind="dataset_import", state=JobState.RUNNING, division_code=BANNER,
                  created_by_id=user.id, params={}, started_at=user.created_at,
                  progress_done=2, progress_total=7)
    waiting = Job(kind="dataset_import", state=JobState.QUEUED, division_code=BANNER,
                  created_by_id=user.id, params={})
    db.session.add_all([running, waiting])
    db.session.flush()
    assert operations.fail_interrupted(db.session) == 1
    assert running.state == JobState.FAILED and "中断" in running.message
    assert (running.progress_done, running.progress_total) == (2, 7)
    assert waiting.state == JobState.QUEUED  # the new worker will run it
