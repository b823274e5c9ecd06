"""The permission matrix of the job pages: a job is seen by the roles holding its kind's
capability at its division (a data-set import: the county and league statisticians,
IMPORT_DATASETS), inside their subtree only; everyone else gets 404. The upload is the
importers'. The list shows every signed-in user the jobs they may see, and nothing else."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.jobs.models import Job, JobState
from tests.accounts.test_permission_matrix import ALL, EXTRA_TREE, INSIDE, OUTSIDE, Route
from tests.jobs.helpers import dataset_zip

IMPORTERS = frozenset({Role.COUNTY_STATISTICIAN, Role.LEAGUE_STATISTICIAN})

JOBS_MATRIX = [
    Route("jobs.index", "GET", "/jobs/", ALL, 200, outside=None),
    Route("jobs.show", "GET", "/jobs/{job}", IMPORTERS, 200, shows="marker"),
    Route("jobs.status", "GET", "/jobs/{job}.json", IMPORTERS, 200),
    Route("jobs.upload", "GET", "/jobs/import", IMPORTERS, 200, outside=None),
    Route("jobs.upload", "POST", "/jobs/import", IMPORTERS, 302, outside=None, state="jobs"),
]

# (inside, outside) for every role: a division in the account's subtree and the nearest one
# outside it; the uploads place their households in a village of the account's subtree.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201100201", "152201001001"),
    Role.TOWNSHIP_REVIEWER: ("152201100201", "152201001001"),
    Role.COUNTY_STATISTICIAN: ("152201100201", "152202000000"),
    Role.COUNTY_LEADER: ("152201100201", "152202000000"),
    Role.COUNTY_ADMIN: ("152201100201", "152202000000"),
    Role.LEAGUE_STATISTICIAN: ("152202100201", "150102000000"),
    Role.LEAGUE_ADMIN: ("152202100201", "150102000000"),
    Role.REGION_STATISTICIAN: ("150102000000", "140105000000"),
    Role.REGION_ADMIN: ("150102000000", "140105000000"),
    Role.AUDITOR: ("152201000000", "150102000000"),
}
CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in JOBS_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]


def _job(division: str, where: str) -> int:
    job = Job(kind="dataset_import", state=JobState.FAILED, division_code=division, params={},
              message=f"MARK-{where.upper()}", finished_at=clock.now())
    db.session.add(job)
    db.session.flush()
    return job.id


@pytest.fixture
def job_sides(make):
    def build(role: Role) -> dict[str, dict[str, str]]:
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        sides = {where: {"division": division, "job": str(_job(division, where)),
                         "marker": f"MARK-{where.upper()}"}
                 for where, division in zip((INSIDE, OUTSIDE), SIDES[role])}
        db.session.commit()
        return sides

    return build


def test_the_matrix_grants_what_the_capability_table_grants():
    assert holders(Capability.IMPORT_DATASETS) == IMPORTERS


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_job_pages_reach_only_the_jobs_of_ones_subtree(client, job_sides, login_as, route, role,
                                                       where):
    sides = job_sides(role)
    login_as(role)
    side = sides[where]
    jobs_before = db.session.scalar(select(func.count()).select_from(Job))
    url = route.url.format(**side)
    if route.method == "GET":
        response = client.get(url)
    else:
        data, _ = dataset_zip(SIDES[role][0], households=1)
        response = client.post(url, data={"archive": (io.BytesIO(data), "set.zip")},
                               content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == route.expected(role, where), body[:400]
    assert sides[OUTSIDE]["marker"] not in body
    allowed_inside = role in route.allowed and where == INSIDE
    if route.shows and allowed_inside:
        assert side[route.shows] in body
    if route.endpoint == "jobs.index":
        listed = re.findall(r'href="/jobs/(\d+)"', body)
        assert listed == ([sides[INSIDE]["job"]] if role in IMPORTERS else [])
    if route.state:
        db.session.expire_all()
        jobs_after = db.session.scalar(select(func.count()).select_from(Job))
        assert (jobs_after != jobs_before) == allowed_inside


@pytest.mark.parametrize("url", ["/jobs/", "/jobs/1", "/jobs/1.json", "/jobs/import"])
def test_signed_out_visitor_is_sent_to_sign_in(client, make, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
