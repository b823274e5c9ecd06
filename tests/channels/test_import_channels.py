"""Every channel uploaded through its page in CSV and in XLSX: a good file is imported by its
job with the batch as provenance and the uploader in the audit log; a bad one writes nothing
and reports its faults on the sheet's lines and columns, with the bad rows to download."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.channels.models import BenefitPayee, Channel, ChannelBatch
from field_app.extensions import db
from field_app.households.models import Person
from field_app.jobs.models import JobState
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentRegistration,
    NaturalAttrition,
)
from tests.channels.import_files import (
    COUNTY,
    good_rows,
    job_of,
    outside,
    person_number,
    sheet,
    upload,
)

RECORDS = {
    Channel.SI_ATTRITION: NaturalAttrition,
    Channel.SI_PAYEES: BenefitPayee,
    Channel.MARKET: EmploymentRegistration,
    Channel.CIVIL_SERVICE: EmploymentRegistration,
    Channel.STATISTICS: EmployedTotal,
}
MATRIX = [(channel, fmt) for channel in Channel for fmt in ("csv", "xlsx")]


@pytest.fixture
def clerk(login_as):
    return login_as("county_statistician", COUNTY)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("channel", "fmt"), MATRIX)
def test_a_good_channel_file_is_imported_with_its_batch_as_provenance(client, clerk, channel,
                                                                      fmt):
    rows = good_rows(channel)
    job = job_of(upload(client, channel, sheet(channel, rows, fmt), f"上传.{fmt}"))
    assert job.state == JobState.SUCCEEDED, (job.message, job.result)
    batch = db.session.scalar(select(ChannelBatch))
    assert (batch.channel, batch.division_code, batch.file_format) == (channel, COUNTY, fmt)
    assert (batch.rows, batch.inserted, batch.updated, batch.unchanged) == (2, 2, 0, 0)
    assert batch.uploaded_by_id == clerk.id and batch.job_id == job.id
    model = RECORDS[channel]
    records = db.session.scalars(select(model)).all()
    assert len(records) == 2 and {r.channel_batch_id for r in records} == {batch.id}
    if channel != Channel.STATISTICS:
        persons = db.session.scalars(select(Person).order_by(Person.name)).all()
        assert [(p.id_number, p.name, p.hukou) for p in persons] == [
            (person_number(0), "渠道0", "urban"), (person_number(1), "渠道1", "urban")]
        assert {p.created_by_id for p in persons} == {clerk.id}
    # The audit log names the uploader for every record written, and the upload itself.
    events = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.target_type == model.__tablename__)).all()
    assert len(events) == 2 and set(events) == {("create", clerk.id)}
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "channel_upload")) == clerk.id
    # The job page links to the result, which shows the counts.
    assert f"/channels/jobs/{job.id}" in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    page = client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert "已导入2行" in page and "新增 2 · 更新 0 · 未变 0" in page


@pytest.mark.parametrize(("channel", "fmt"), MATRIX)
def test_a_channel_file_with_a_row_elsewhere_writes_nothing_and_reports_that_row(
        client, clerk, channel, fmt):
    good, other = good_rows(channel)
    bad = outside(channel, other)
    job = job_of(upload(client, channel, sheet(channel, [good, bad], fmt), f"bad.{fmt}"))
    assert job.state == JobState.FAILED
    assert "未导入任何数据" in job.message
    assert count(ChannelBatch) == count(RECORDS[channel]) == count(Person) == 0
    errors = job.result["errors"]
    assert job.result["error_count"] == len(errors) >= 1
    assert {(e["line"], e["key"]) for e in errors} == {(3, "division_code")}
    assert errors[0]["column"] == "行政区划代码" and "本辖区" in errors[0]["reason"]
    # Every fault on the result page, and the bad rows for the uploader to download.
    page = client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert "第3行" in page and "行政区划代码" in page and "下载错误行（XLSX）" in page
    assert "阿尔山" not in page and "林俗" not in page
    response = client.get(f"/channels/jobs/{job.id}/bad-rows.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    data = book.worksheets[0]
    values = [[cell.value for cell in row] for row in data.iter_rows()]
    assert len(values) == 2  # the header and the one bad row
    assert values[1][0] == bad.get("id_number", bad["division_code"])
    assert any("本辖区" in str(cell) for cell in values[1])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_cells_are_reported_on_their_lines_with_the_id_number_masked(client, clerk, fmt):
    rows = good_rows(Channel.SI_ATTRITION, 3)
    bad_number = person_number(1)[:-1] + ("0" if person_number(1)[-1] != "0" else "1")
    rows[1]["id_number"] = bad_number
    rows[2]["reason"] = "失踪"
    job = job_of(upload(client, Channel.SI_ATTRITION, sheet(Channel.SI_ATTRITION, rows, fmt),
                        f"cells.{fmt}"))
    assert job.state == JobState.FAILED
    assert count(Person) == count(NaturalAttrition) == 0
    found = {(e["line"], e["key"]): e for e in job.result["errors"]}
    assert set(found) == {(3, "id_number"), (4, "reason")}
    assert found[(3, "id_number")]["value"] == bad_number[:6] + "********" + bad_number[-4:]
    page = client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert bad_number not in page and "失踪" in page
