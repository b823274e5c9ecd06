"""``import-data`` draws a progress bar on a terminal, and prints as before when piped;
``jobs-worker`` refuses to run a queue in immediate mode."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import Person
from tests.conftest import empty_database

ROOT = Path(__file__).resolve().parents[2]


def _dataset(folder: Path) -> Path:
    import io
    import zipfile

    from tests.jobs.helpers import dataset_zip

    data, _ = dataset_zip(households=2)
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    return folder


def _import(app, folder: Path, *, terminal: bool) -> tuple[int, str]:
    env = os.environ | {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "test", "FLASK_APP": "wsgi",
                        "FIELD_APP_JOBS_QUEUE_URL": "memory://"}
    command = [sys.executable, "-m", "flask", "import-data", str(folder)]
    if not terminal:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=follower, stdin=subprocess.DEVNULL)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end closed: the command has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        return process.wait(timeout=300), b"".join(chunks).decode(errors="replace")
    finally:
        os.close(leader)


def test_import_data_draws_a_progress_bar_on_a_terminal_only(app_ctx, make, tmp_path):
    db.session.commit()
    folder = _dataset(tmp_path / "set")
    try:
        code, terminal = _import(app_ctx, folder, terminal=True)
        assert code == 0, terminal
        assert "导入数据集" in terminal and "1/7" in terminal and "7/7" in terminal
        code, piped = _import(app_ctx, folder, terminal=False)
        assert code == 0 and "7/7" not in piped and "导入数据集" not in piped
        assert db.session.scalar(select(func.count()).select_from(Person)) == 4
    finally:
        empty_database()


def test_the_worker_refuses_an_immediate_queue(runner):
    result = runner.invoke(args=["jobs-worker"])
    assert result.exit_code == 1
    assert "立即执行模式" in result.output


def test_the_worker_fails_interrupted_jobs_then_consumes(app, runner, make, monkeypatch):
    import types

    from field_app.jobs.models import Job, JobState
    from field_app.jobs.queue import EXTENSION

    user = make.user("county_statistician", "152201000000")
    db.session.add(Job(kind="dataset_import", state=JobState.RUNNING,
                       division_code="152201000000", created_by_id=user.id, params={},
                       started_at=user.created_at))
    db.session.commit()
    huey = app.extensions[EXTENSION].huey
    consumed = []
    monkeypatch.setattr(huey, "immediate", False)
    monkeypatch.setattr(huey, "create_consumer", lambda **options: types.SimpleNamespace(
        run=lambda: consumed.append(options)))
    result = runner.invoke(args=["jobs-worker", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert "1 个中断的任务已标记为失败" in result.output
    # The upkeep (the division pages' figures kept warm) runs on Huey's schedule.
    assert "periodic: figures_warm" in result.output
    assert consumed == [{"workers": 3, "worker_type": "thread", "periodic": True,
                         "flush_locks": True}]
    db.session.expire_all()
    assert db.session.scalars(select(Job.state)).all() == [JobState.FAILED]
