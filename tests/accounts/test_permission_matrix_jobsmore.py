"""The permission matrix of the routes that start long work as background jobs: making a
snapshot from the web (the whole database: the region's administrators only, whose subtree
is the whole tree; the league's see the register but get 404 here; everyone else 404), and
the API v1's data-set upload and job (a session cookie authenticates nothing there: 401 for
every role; tests/api_v1/test_dataset_jobs.py tests the tokens)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.jobs.models import Job, JobState
from field_app.snapshots.models import Snapshot
from tests.accounts.test_permission_matrix import ALL, OWN, Route
from tests.jobs.helpers import dataset_zip

MAKERS = frozenset({Role.REGION_ADMIN})

SNAPSHOT_JOB_MATRIX = [
    Route("snapshots.create", "POST", "/snapshots/", MAKERS, 302, outside=None,
          data={"month": "2026-05"}),
]
API_JOB_MATRIX = [
    Route("api_v1.upload_dataset", "POST", "/api/v1/datasets", ALL, 401, outside=None),
    Route("api_v1.get_job", "GET", "/api/v1/jobs/1", ALL, 401, outside=None),
]


@pytest.mark.parametrize("route", SNAPSHOT_JOB_MATRIX + API_JOB_MATRIX, ids=str)
def test_each_url_reaches_its_endpoint(app, route):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(route.url, method=route.method)[0] == route.endpoint


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_only_the_regions_administrators_make_a_snapshot(app, client, login_as, tmp_path, role):
    app.config["SNAPSHOTS_DIR"] = str(tmp_path)
    login_as(role)
    route = SNAPSHOT_JOB_MATRIX[0]
    response = client.post(route.url, data=route.data)
    assert response.status_code == route.expected(role, OWN), response.get_data(as_text=True)[:300]
    db.session.expire_all()
    made = db.session.scalar(select(func.count()).select_from(Snapshot))
    jobs = db.session.scalars(select(Job)).all()
    if role in route.allowed:
        assert [job.state for job in jobs] == [JobState.SUCCEEDED] and made == 1
    else:
        assert jobs == [] and made == 0 and not any(tmp_path.iterdir())


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_a_session_starts_and_reads_no_api_job(client, login_as, role):
    login_as(role)
    data, _ = dataset_zip(households=1)
    for route in API_JOB_MATRIX:
        response = client.open(route.url, method=route.method,
                               data={"archive": (io.BytesIO(data), "set.zip")}
                               if route.method == "POST" else None)
        assert response.status_code == route.expected(role, OWN), route
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
