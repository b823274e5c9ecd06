"""Which queue the configuration gives: SQLite in the instance folder by default, another
SQLite file, memory, Redis, and a clear refusal of anything else."""
from __future__ import annotations

import types

import pytest
from huey import MemoryHuey, SqliteHuey
from huey.exceptions import ConfigurationError

from field_app.jobs.queue import QUEUE_FILE, make_huey


def _app(tmp_path, url=None, *, testing=False, immediate=None):
    return types.SimpleNamespace(config={"JOBS_QUEUE_URL": url, "JOBS_IMMEDIATE": immediate},
                                 testing=testing, instance_path=str(tmp_path / "instance"))


def test_the_default_is_a_sqlite_file_in_the_instance_folder_consumed_by_a_worker(tmp_path):
    huey = make_huey(_app(tmp_path))
    assert isinstance(huey, SqliteHuey) and not huey.immediate
    assert huey.storage.filename == str(tmp_path / "instance" / QUEUE_FILE)
    huey.storage.close()


def test_tests_run_jobs_at_once_in_memory(tmp_path):
    huey = make_huey(_app(tmp_path, testing=True))
    assert isinstance(huey, MemoryHuey) and huey.immediate


def test_a_queue_file_of_ones_choosing(tmp_path):
    huey = make_huey(_app(tmp_path, f"sqlite:///{tmp_path / 'q.db'}", immediate=False))
    assert isinstance(huey, SqliteHuey) and huey.storage.filename == str(tmp_path / "q.db")
    huey.storage.close()


def test_redis_needs_its_client_library(tmp_path):
    try:
        import redis  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError, match="redis"):
            make_huey(_app(tmp_path, "redis://127.0.0.1:6379/1"))
    else:
        from huey import RedisHuey

        assert isinstance(make_huey(_app(tmp_path, "redis://127.0.0.1:6379/1")), RedisHuey)


def test_an_unknown_queue_is_refused_by_name(tmp_path):
    with pytest.raises(RuntimeError, match="amqp://"):
        make_huey(_app(tmp_path, "amqp://broker"))
