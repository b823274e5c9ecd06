"""Making the monthly snapshot from the web, as a background job: the region's administrator
asks, the job writes the same snapshot as ``snapshot create`` (files, figures, manifest,
chain, register row), its progress moves step by step, and a failure registers nothing and
leaves no directory behind."""
from __future__ import annotations

import functools
import json

import pytest
from sqlalchemy import func, select

from field_app.accounts.models import User
from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.jobs.models import Job, JobState
from field_app.jobs import runner as runner_module
from field_app.jobs.queue import Progress, Queue
from field_app.snapshots import jobs as snapshot_jobs
from field_app.snapshots.manifest import check_directory
from field_app.snapshots.models import Snapshot
from tests.factories import PASSWORD, Factory, totp_code
from tests.snapshots.conftest import loaded, snapshot_create  # noqa: F401

REGION, LEAGUE = "150000000000", "152200000000"


@pytest.fixture
def folder(app, tmp_path):
    app.config["SNAPSHOTS_DIR"] = str(tmp_path / "web")
    return tmp_path / "web"


@pytest.fixture
def sign_in_loaded(loaded, app_ctx, client):
    """Sign in on the example data set's tree (``login_as`` would build a tree of its own)."""

    def sign_in(role, division):
        user = Factory(db.session).user(role, division)
        db.session.commit()
        username, second = user.username, user.signs_in_with_second_factor
        code = totp_code(user) if second else None
        assert client.post("/login", data={"username": username,
                                           "password": PASSWORD}).status_code == 302
        if code:
            assert client.post("/login/verify", data={"code": code}).status_code == 302
        return db.session.scalar(select(User).where(User.username == username))

    return sign_in


def _job_of(response) -> Job:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "/jobs/" in response.headers["Location"]
    db.session.expire_all()
    return db.session.get(Job, int(response.headers["Location"].rsplit("/", 1)[1]))


def test_a_snapshot_made_on_the_web_is_the_snapshot_the_command_makes(
        loaded, runner, client, sign_in_loaded, folder, tmp_path, monkeypatch):
    seen = []
    original = Queue.put_progress
    monkeypatch.setattr(Queue, "put_progress", lambda self, job_id, done, total: (
        seen.append((done, total)), original(self, job_id, done, total))[1])
    # Every step written: the runner's progress is otherwise written at most every 0.2 s,
    # and how many steps that leaves depends on the machine's speed.
    monkeypatch.setattr(runner_module, "Progress", functools.partial(Progress, every=0.0))
    admin = sign_in_loaded(Role.REGION_ADMIN, REGION)
    page = client.get("/snapshots/").get_data(as_text=True)
    assert 'name="month"' in page and "制作快照" in page

    job = _job_of(client.post("/snapshots/", data={"month": "2026-05"}))
    assert job.kind == snapshot_jobs.KIND and job.state == JobState.SUCCEEDED, job.message
    assert job.created_by_id == admin.id and job.division_code == REGION
    total = snapshot_jobs.STEPS * snapshot_jobs.STEP
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # only forward
    assert len(seen) >= 4

    made = db.session.get(Snapshot, job.result["snapshot_id"])
    web_dir = folder / made.directory.rsplit("/", 1)[1]
    assert made.directory == str(web_dir.resolve()) and made.month == "2026-05"
    assert made.created_by == admin.username
    assert check_directory(web_dir).ok
    assert not any(p.name.endswith(".partial") for p in folder.iterdir())

    # The command's snapshot of the same month holds the same figures and chains to it.
    result = snapshot_create(runner, tmp_path / "cli")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    cli = db.session.scalars(select(Snapshot).order_by(Snapshot.id.desc())).first()
    assert cli.previous_manifest_sha256 == made.manifest_sha256
    assert json.loads((web_dir / "figures.json").read_text()) == \
        json.loads((tmp_path / "cli" / "figures.json").read_text())
    assert sorted(p.name for p in (web_dir / "interchange").iterdir()) == \
        sorted(p.name for p in (tmp_path / "cli" / "interchange").iterdir())

    shown = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已完成" in shown and 'href="/snapshots/"' in shown


def test_a_failing_snapshot_job_registers_nothing_and_leaves_no_directory(
        loaded, client, sign_in_loaded, folder, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("field_app.snapshots.operations.compute_figures", broken)
    sign_in_loaded(Role.REGION_ADMIN, REGION)
    job = _job_of(client.post("/snapshots/", data={"month": "2026-05"}))
    assert job.state == JobState.FAILED and "未写入任何数据" in job.message
    assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 0
    assert not folder.exists() or not any(folder.iterdir())


def test_a_snapshot_that_cannot_be_written_fails_with_the_reason(loaded, client, sign_in_loaded,
                                                                 folder, monkeypatch):
    target = folder / "taken"
    target.mkdir(parents=True)
    (target / "other.txt").write_text("not ours")
    monkeypatch.setattr(snapshot_jobs, "snapshot_directory", lambda month: target)
    sign_in_loaded(Role.REGION_ADMIN, REGION)
    job = _job_of(client.post("/snapshots/", data={"month": "2026-05"}))
    assert job.state == JobState.FAILED and "不是空目录" in job.message
    assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 0
    assert [p.name for p in target.iterdir()] == ["other.txt"]


@pytest.mark.parametrize("month", ["2026-13", "May", ""])
def test_a_bad_month_is_said_on_the_form(client, make, login_as, folder, month):
    login_as(Role.REGION_ADMIN, REGION)
    response = client.post("/snapshots/", data={"month": month})
    assert response.status_code == 422
    assert "月份应写作" in response.get_data(as_text=True) or "必填" in \
        response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_league_administrator_sees_the_register_but_cannot_make_one(client, make, login_as,
                                                                      folder):
    login_as(Role.LEAGUE_ADMIN, LEAGUE)
    assert 'name="month"' not in client.get("/snapshots/").get_data(as_text=True)
    assert client.post("/snapshots/", data={"month": "2026-05"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
