"""The data-set upload through the API v1: a job started by the client, all or nothing,
idempotent, polled at /api/v1/jobs/{id} by the client that started it and no other."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember, Person
from field_app.jobs.models import Job
from tests.api_v1.conftest import COUNTY, OTHER_COUNTY
from tests.jobs.helpers import OTHER_VILLAGE, dataset_zip

SCOPE = ["datasets:write"]
SHAPE = {"code", "status", "message", "errors"}


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(t))
                 for t in (Person, Household, HouseholdMember))


@pytest.fixture
def send(call):
    def upload(token: str, data: bytes, name: str = "dataset.zip"):
        return call("POST", "/api/v1/datasets", token,
                    data={"archive": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")

    return upload


def test_a_good_data_set_is_accepted_as_a_job_that_succeeds_with_its_counts(
        call, api_token, send):
    token = api_token(COUNTY, SCOPE)
    client_id = api_token.last.id
    data, numbers = dataset_zip(households=3)
    response = send(token, data)
    assert response.status_code == 202, response.get_json()
    accepted = response.get_json()
    assert accepted["kind"] == "dataset_import" and accepted["state"] == "queued"
    assert accepted["links"]["self"] == f"/api/v1/jobs/{accepted['id']}"

    job = call("GET", accepted["links"]["self"], token).get_json()
    assert job["state"] == "succeeded" and job["finished"] is True
    assert (job["progress_done"], job["progress_total"]) == (7, 7)
    assert job["progress"]["percent"] == 100
    assert job["result"]["counts"]["persons.csv"] == {"inserted": 6, "updated": 0,
                                                      "unchanged": 0}
    assert counts() == (6, 3, 6)
    # The client is the writer, as in its other calls, and the upload is not kept.
    person = db.session.scalar(select(Person).where(Person.id_number == numbers[0]))
    assert person.created_by_id is None
    writers = set(db.session.scalars(select(AuditEvent.actor_name).where(
        AuditEvent.target_type == "persons")))
    assert writers == {f"api:{client_id}"}
    assert db.session.scalar(select(Job.upload).where(Job.id == job["id"])) is None
    assert db.session.get(Job, job["id"]).created_by_id is None


def test_the_same_data_set_uploaded_again_changes_nothing(call, api_token, send):
    token = api_token(COUNTY, SCOPE)
    data, _ = dataset_zip(households=2)
    first = send(token, data).get_json()
    before = counts()
    second = send(token, data).get_json()
    assert second["id"] != first["id"]
    job = call("GET", f"/api/v1/jobs/{second['id']}", token).get_json()
    assert job["state"] == "succeeded" and counts() == before
    assert {name: c["inserted"] + c["updated"] for name, c in job["result"]["counts"].items()} \
        == {"persons.csv": 0, "households.csv": 0, "household_members.csv": 0}


def test_a_bad_data_set_fails_whole_with_the_masked_error_report(call, api_token, send):
    token = api_token(COUNTY, SCOPE)
    data, _ = dataset_zip(households=2, extra={
        "persons.csv": "id_number,name,hukou,phone\n152201198003041234,坏号码,rural,\n"})
    accepted = send(token, data).get_json()
    job = call("GET", f"/api/v1/jobs/{accepted['id']}", token).get_json()
    assert job["state"] == "failed" and "未导入任何数据" in job["message"]
    assert counts() == (0, 0, 0)
    bad = next(e for e in job["result"]["errors"] if e["file"] == "persons.csv")
    assert bad["line"] == 2 and bad["value"] == "152201********1234"
    assert "152201198003041234" not in str(job)


def test_a_data_set_outside_the_clients_county_is_refused_whole(call, api_token, send):
    token = api_token(COUNTY, SCOPE)
    accepted = send(token, dataset_zip(OTHER_VILLAGE, households=2)[0]).get_json()
    job = call("GET", f"/api/v1/jobs/{accepted['id']}", token).get_json()
    assert job["state"] == "failed" and counts() == (0, 0, 0)


@pytest.mark.parametrize("data", [b"not a zip", dataset_zip()[0][:40]])
def test_a_file_that_is_not_a_zip_is_refused_at_once(api_token, send, data):
    response = send(api_token(COUNTY, SCOPE), data)
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == SHAPE and "不是有效的ZIP文件" in body["errors"]["archive"][0]
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


@pytest.mark.parametrize("form", [{}, {"archive": "text, not a file"}])
def test_an_upload_without_a_file_is_a_422_in_the_one_error_shape(call, api_token, form):
    response = call("POST", "/api/v1/datasets", api_token(COUNTY, SCOPE), data=form,
                    content_type="multipart/form-data")
    assert response.status_code == 422 and set(response.get_json()) == SHAPE
    assert "archive" in response.get_json()["errors"]


def test_another_clients_job_is_not_found(call, api_token, send):
    mine = api_token(COUNTY, SCOPE)
    accepted = send(mine, dataset_zip(households=1)[0]).get_json()
    neighbour = api_token(COUNTY, SCOPE, name="另一个系统")
    assert call("GET", f"/api/v1/jobs/{accepted['id']}", neighbour).status_code == 404
    elsewhere = api_token(OTHER_COUNTY, SCOPE, name="外旗")
    assert call("GET", f"/api/v1/jobs/{accepted['id']}", elsewhere).status_code == 404
    assert call("GET", "/api/v1/jobs/99999999999", mine).status_code == 404
    assert call("GET", f"/api/v1/jobs/{accepted['id']}", mine).status_code == 200


def test_a_web_users_job_is_not_found_by_a_client(call, api_token, make):
    from field_app.jobs import datasets, operations

    user = make.user("county_statistician", COUNTY)
    job = operations.enqueue(db.session, datasets.KIND, actor=user, division_code=COUNTY,
                             upload=dataset_zip(households=1)[0])
    db.session.commit()
    assert call("GET", f"/api/v1/jobs/{job.id}", api_token(COUNTY, SCOPE)).status_code == 404


def test_without_the_scope_the_upload_and_the_job_are_refused(call, api_token, send):
    token = api_token(COUNTY, ["registrations:read"])
    response = send(token, dataset_zip(households=1)[0])
    assert response.status_code == 403 and "datasets:write" in response.get_json()["message"]
    assert call("GET", "/api/v1/jobs/1", token).status_code == 403
    assert counts() == (0, 0, 0) and db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_upload_and_the_job_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/datasets"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "202" in post["responses"]
    assert "/api/v1/jobs/{job_id}" in spec["paths"]


def test_the_same_upload_sent_again_while_its_job_waits_is_that_job(api_token):
    from field_app.jobs import datasets, operations

    api_token(COUNTY, SCOPE)
    first_client = api_token.last
    api_token(COUNTY, SCOPE, name="另一个系统")
    other_client = api_token.last
    data = dataset_zip(households=1)[0]
    first = operations.enqueue(db.session, datasets.KIND, actor=first_client,
                               division_code=COUNTY, upload=data)
    again = operations.enqueue(db.session, datasets.KIND, actor=first_client,
                               division_code=COUNTY, upload=data)
    other = operations.enqueue(db.session, datasets.KIND, actor=other_client,
                               division_code=COUNTY, upload=data)
    assert again.id == first.id and other.id != first.id
    assert first.created_by_id is None and first.params == {"api_client": first_client.username}
    db.session.rollback()
