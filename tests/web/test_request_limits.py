"""Request bodies are limited per route (forms small, the phone's sync 1 MB, a report PDF to
verify 8 MB, the social-insurance upload 20 MB) and refused by their declared length
before anything reads them, with the project's error answer in Chinese."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from field_app.extensions import db
from field_app.reports.operations import generate_report
from tests.web.apps import configured_app

MB = 1024 * 1024
BOUNDARY = "limit-test"


class CountingStream(io.RawIOBase):
    """A body of ``size`` bytes that remembers how much of it the server read."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position,
                         io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"x" * n
        self.position += n
        self.read_bytes += n
        return n


def _post_stream(client, path: str, size: int, content_type: str):
    stream = CountingStream(size)
    response = client.post(path, input_stream=stream, content_length=size,
                           content_type=content_type)
    return response, stream


def _multipart(fields: dict) -> dict:
    """The request as keyword arguments, the body encoded in memory (the test client's own
    encoder spools large uploads to a temporary file it never closes)."""
    boundary, body = encode_multipart(fields, BOUNDARY)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _report(make):
    report, _ = generate_report(db.session, kind="urban", division_code="152201000000",
                                start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31),
                                actor=None)
    db.session.commit()
    return report


def test_a_large_form_post_is_refused_with_413_in_chinese(client):
    response = client.post("/login", data={"username": "x" * (300 * 1024), "password": "x"})
    assert response.status_code == 413
    assert "提交的内容过大（上限 256 KB）" in response.get_data(as_text=True)


def test_an_oversized_sync_is_refused_unread_in_the_json_error_shape(client, login_as):
    login_as("village_collector")
    response, stream = _post_stream(client, "/api/survey/sync", 2 * MB, "application/json")
    assert response.status_code == 413
    body = response.get_json()
    assert body["status"] == 413 and body["code"] == "request_entity_too_large"
    assert "上限 1 MB" in body["message"]
    assert stream.read_bytes == 0


def test_a_sync_of_ordinary_size_is_not_limited(client, login_as):
    login_as("village_collector")
    response = client.post("/api/survey/sync", json={"changes": [], "pad": "x" * (300 * 1024)})
    assert response.status_code != 413


@pytest.mark.parametrize("csrf", [False, True])
def test_a_100_mb_upload_to_verify_is_refused_before_it_is_read(app, make, csrf):
    """The public verify page hashed whatever it was sent; with CSRF on, the token check
    parsed the whole upload before the page's own limit applied."""
    report = _report(make)
    with configured_app(app, WTF_CSRF_ENABLED=csrf) as site:
        response, stream = _post_stream(site.test_client(), f"/verify/{report.number}",
                                        100 * MB, f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 413
    assert stream.read_bytes == 0


def test_verify_still_takes_a_report_pdf(client, make):
    report = _report(make)
    pdf = b"%PDF-" + b"0" * (3 * MB)
    response = client.post(f"/verify/{report.number}", **_multipart(
        {"pdf": FileStorage(io.BytesIO(pdf), "r.pdf")}))
    assert response.status_code == 200
    assert "不一致" in response.get_data(as_text=True)


def test_the_social_insurance_upload_takes_more_than_a_form_and_at_most_20_mb(client, login_as):
    login_as("county_statistician")
    csv = ("person_id,occurred_on,reason\n" + "x" * MB).encode()
    taken = client.post("/desk/attrition/import", **_multipart(MultiDict(
        {"files": FileStorage(io.BytesIO(csv), "natural_attrition.csv")})))
    assert taken.status_code in (200, 422)  # read and checked by the importer
    response, stream = _post_stream(client, "/desk/attrition/import", 21 * MB,
                                    f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 413 and stream.read_bytes == 0
    assert "上限 20 MB" in response.get_data(as_text=True)


def test_the_overall_limit_comes_from_configuration(app):
    with configured_app(app, MAX_CONTENT_LENGTH=100 * 1024) as small:
        response, _ = _post_stream(small.test_client(), "/login", 200 * 1024,
                                   "application/x-www-form-urlencoded")
    assert response.status_code == 413
