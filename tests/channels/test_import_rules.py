"""The channel import's rules: the same file twice changes nothing, registration numbers are
kept or newly given, records and persons elsewhere are refused, locked periods are refused,
the payee list and the hire check, who may upload and who may download the bad rows."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.channels.models import BenefitPayee, Channel, ChannelBatch
from field_app.extensions import db
from field_app.households.models import Person
from field_app.jobs.models import JobState
from field_app.locks.operations import lock_period
from field_app.registrations import numbers
from field_app.registrations.models import (
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from tests.channels.import_files import (
    COMMUNITY,
    COUNTY,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    good_rows,
    job_of,
    person_number,
    sheet,
    upload,
)
from tests.factories import PASSWORD

E = EmploymentRegistration


@pytest.fixture
def clerk(login_as):
    return login_as("county_statistician", COUNTY)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def send(client, channel: Channel, rows: list[dict], fmt: str = "csv"):
    return job_of(upload(client, channel, sheet(channel, rows, fmt), f"file.{fmt}"))


@pytest.mark.parametrize("channel", list(Channel))
def test_the_same_file_uploaded_twice_changes_nothing(client, clerk, channel):
    rows = good_rows(channel, 3)
    first = send(client, channel, rows)
    assert first.state == JobState.SUCCEEDED, first.result
    persons = db.session.execute(select(Person.id_number, Person.name, Person.updated_at)).all()
    events = count(AuditEvent)
    second = send(client, channel, rows, "xlsx")  # the same rows, the other format
    assert second.state == JobState.SUCCEEDED, second.result
    batches = db.session.scalars(select(ChannelBatch).order_by(ChannelBatch.id)).all()
    assert len(batches) == 2
    assert (batches[1].rows, batches[1].inserted, batches[1].updated, batches[1].unchanged) \
        == (3, 0, 0, 3)
    assert db.session.execute(select(Person.id_number, Person.name, Person.updated_at)).all() \
        == persons
    # The records keep the first batch: an unchanged row keeps its provenance.
    if channel in (Channel.MARKET, Channel.CIVIL_SERVICE):
        assert set(db.session.scalars(select(E.channel_batch_id))) == {batches[0].id}
        assert count(E) == 3
    # Only the second job's and upload's own events are new.
    assert count(AuditEvent) == events + 3  # job enqueued, upload, job succeeded


def test_new_registrations_get_numbers_of_the_county_and_year_and_keep_them(client, clerk):
    rows = good_rows(Channel.MARKET, 2)
    rows[1]["registered_on"] = "2025-12-30"
    assert send(client, Channel.MARKET, rows).state == JobState.SUCCEEDED
    given = dict(db.session.execute(select(E.employer_uscc, E.registration_no)).all())
    assert given[rows[0]["employer_uscc"]] == numbers.number("JY1522012026", 1)
    assert given[rows[1]["employer_uscc"]] == numbers.number("JY1522012025", 1)
    # A changed end date updates the registration under its number, marked with the batch.
    rows[0]["end_date"] = "2026-05-31"
    job = send(client, Channel.MARKET, rows)
    assert job.result["counts"]["employment_registrations.csv"] == {
        "inserted": 0, "updated": 1, "unchanged": 1}
    changed = db.session.scalar(select(E).where(E.employer_uscc == rows[0]["employer_uscc"]))
    assert changed.registration_no == given[rows[0]["employer_uscc"]]
    assert changed.end_date == dt.date(2026, 5, 31)
    assert changed.channel_batch_id == job.result["batch_id"]


def test_a_person_changed_by_the_file_is_updated_and_keeps_the_stored_phone(client, clerk,
                                                                              make):
    person = make.person(id_number=person_number(0), name="旧名", hukou="rural",
                         phone="13912345678")
    db.session.commit()
    rows = good_rows(Channel.SI_PAYEES, 1)
    assert send(client, Channel.SI_PAYEES, rows).state == JobState.SUCCEEDED
    db.session.refresh(person)
    assert (person.name, person.hukou, person.phone) == ("渠道0", "urban", "13912345678")
    assert person.updated_by_id == clerk.id


def test_one_person_named_twice_differently_is_a_fault_of_the_later_row(client, clerk):
    rows = good_rows(Channel.SI_PAYEES, 1)
    rows.append(rows[0] | {"name": "别名", "month": "2026-04"})
    job = send(client, Channel.SI_PAYEES, rows)
    assert job.state == JobState.FAILED
    assert [(e["line"], e["key"]) for e in job.result["errors"]] == [(3, "name")]
    assert "第2行" in job.result["errors"][0]["reason"]
    assert count(Person) == count(BenefitPayee) == 0


def test_a_registration_stored_in_another_county_is_refused(client, clerk, make):
    person = make.person(dt.date(1980, 3, 4), "female", id_number=person_number(0), name="渠道0",
                         hukou="urban", phone=None)
    rows = good_rows(Channel.MARKET, 1)
    make.employment(person, dt.date(2026, 3, 1), division="152202100201",
                    employment_type="individual_business", employer_uscc=rows[0]["employer_uscc"])
    db.session.commit()
    job = send(client, Channel.MARKET, rows)
    assert job.state == JobState.FAILED
    assert [(e["line"], e["key"]) for e in job.result["errors"]] == [(2, None)]
    assert "本辖区以外" in job.result["errors"][0]["reason"]
    assert count(ChannelBatch) == 0 and count(E) == 1
    page = client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert "阿尔山" not in page and "林俗" not in page and "第2行" in page


def test_a_row_in_a_locked_period_is_refused_and_nothing_is_written(client, clerk):
    lock_period(db.session, division_code=COUNTY, start=dt.date(2026, 1, 1),
                end=dt.date(2026, 3, 31), reason="一季度已报送", actor_id=None)
    db.session.commit()
    rows = good_rows(Channel.SI_ATTRITION, 2)
    rows[1]["occurred_on"] = "2026-04-02"
    job = send(client, Channel.SI_ATTRITION, rows, "xlsx")
    assert job.state == JobState.FAILED
    assert {e["line"] for e in job.result["errors"]} == {2}
    assert count(NaturalAttrition) == count(Person) == count(ChannelBatch) == 0


def test_a_payee_moved_to_another_division_is_taken_by_the_new_batch(client, clerk):
    rows = good_rows(Channel.SI_PAYEES, 2)
    first = send(client, Channel.SI_PAYEES, rows)
    rows[0]["division_code"] = "152201100201"
    second = send(client, Channel.SI_PAYEES, rows, "xlsx")
    assert second.result["counts"]["benefit_payees"] == {"inserted": 0, "updated": 1,
                                                         "unchanged": 1}
    by_person = {payee.person_id: payee for payee in db.session.scalars(select(BenefitPayee))}
    moved = by_person[db.session.scalar(select(Person.id).where(
        Person.id_number == person_number(0)))]
    assert (moved.division_code, moved.channel_batch_id) == ("152201100201",
                                                             second.result["batch_id"])
    assert {p.channel_batch_id for p in by_person.values()} == {first.result["batch_id"],
                                                                 second.result["batch_id"]}
    assert all(p.month == dt.date(2026, 3, 1) for p in by_person.values())


def test_a_payee_of_an_unknown_division_is_a_fault(client, clerk):
    rows = good_rows(Channel.SI_PAYEES, 1, division="152201001099")
    job = send(client, Channel.SI_PAYEES, rows)
    assert [(e["line"], e["key"]) for e in job.result["errors"]] == [(2, "division_code")]
    assert "不存在" in job.result["errors"][0]["reason"]


def test_a_hire_with_an_open_unemployment_registration_ends_it(client, clerk, make):
    person = make.person(id_number=person_number(0))
    open_one = make.unemployment(person, dt.date(2025, 10, 1), division=COMMUNITY)
    db.session.commit()
    job = send(client, Channel.CIVIL_SERVICE, good_rows(Channel.CIVIL_SERVICE, 2))
    assert job.state == JobState.SUCCEEDED, job.result
    assert job.result["hires"] == {"ended": 1, "listed": 0}
    db.session.refresh(open_one)
    assert open_one.cancelled_on == dt.date(2026, 3, 1)
    assert db.session.scalar(select(E.person_category).where(E.person_id == person.id)) \
        == "unemployed_reemployed"
    page = client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert "已终止失业登记" in page and "/channels/hires" in page
    assert count(UnemploymentRegistration) == 1


def test_the_same_hires_uploaded_again_stay_reemployed_and_change_nothing(client, clerk, make):
    person = make.person(id_number=person_number(0))
    make.unemployment(person, dt.date(2025, 10, 1), division=COMMUNITY)
    db.session.commit()
    rows = good_rows(Channel.CIVIL_SERVICE, 2)  # 人员类别 left blank
    assert send(client, Channel.CIVIL_SERVICE, rows).result["hires"] == {"ended": 1, "listed": 0}
    events = count(AuditEvent)
    again = send(client, Channel.CIVIL_SERVICE, rows, "xlsx")
    assert again.state == JobState.SUCCEEDED, again.result
    # The blank category keeps the stored 就业转失业: nothing to update, nothing to settle.
    assert again.result["hires"] == {"ended": 0, "listed": 0}
    assert db.session.scalar(select(E.person_category).where(E.person_id == person.id)) \
        == "unemployed_reemployed"
    batch = db.session.scalars(select(ChannelBatch).order_by(ChannelBatch.id.desc())).first()
    assert (batch.inserted, batch.updated, batch.unchanged) == (0, 0, 2)
    assert count(AuditEvent) == events + 3  # job enqueued, upload, job succeeded
    # A category written in the file is the file's.
    rows[0]["person_category"] = "其他"
    send(client, Channel.CIVIL_SERVICE, rows)
    assert db.session.scalar(select(E.person_category).where(E.person_id == person.id)) \
        == "unemployed_reemployed"  # the hire check makes the reviewed hire 再就业 again


def test_an_empty_file_and_a_wrong_format_are_refused(client, clerk):
    job = send(client, Channel.SI_ATTRITION, [])
    assert job.state == JobState.FAILED
    assert [e["line"] for e in job.result["errors"]] == [0]
    response = upload(client, Channel.SI_ATTRITION, b"x", "data.txt")
    assert response.status_code == 422
    assert "只能上传CSV或XLSX文件" in response.get_data(as_text=True)


def test_only_the_uploader_downloads_the_bad_rows(client, clerk, make, login_as):
    rows = good_rows(Channel.SI_ATTRITION, 1, division="152202100201")
    job = send(client, Channel.SI_ATTRITION, rows)
    assert job.state == JobState.FAILED
    assert client.get(f"/channels/jobs/{job.id}/bad-rows.xlsx").status_code == 200
    login_as("county_statistician", COUNTY)  # a colleague of the same county
    assert client.get(f"/channels/jobs/{job.id}").status_code == 200
    assert "下载错误行" not in client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert client.get(f"/channels/jobs/{job.id}/bad-rows.xlsx").status_code == 404
    login_as("county_statistician", OTHER_COUNTY)
    assert client.get(f"/channels/jobs/{job.id}").status_code == 404
    assert client.get(f"/channels/jobs/{job.id}/bad-rows.xlsx").status_code == 404


def test_the_bad_rows_are_dropped_after_the_days_kept_and_the_drop_is_audited(
        app, client, clerk, make):
    from field_app.core.clock import clock
    from field_app.jobs.queue import PERIODIC
    from field_app.jobs.upkeep import drop_files

    rows = good_rows(Channel.SI_ATTRITION, 1, division="152202100201")
    job = send(client, Channel.SI_ATTRITION, rows)
    assert job.state == JobState.FAILED
    assert PERIODIC["job_files_drop"].schedule == {"minute": "7"}  # hourly
    ended = job.finished_at

    def days_later(delta):  # the session has expired by then: the uploader signs in again
        clock.set(ended + delta)
        client.post("/login", data={"username": clerk.username, "password": PASSWORD})

    days_later(dt.timedelta(days=7) - dt.timedelta(minutes=1))
    assert drop_files() == 0
    assert client.get(f"/channels/jobs/{job.id}/bad-rows.xlsx").status_code == 200
    page = client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert "下载错误行" in page and "保留7天后删除" in page
    days_later(dt.timedelta(days=7, minutes=1))
    assert drop_files() == 1
    assert drop_files() == 0
    assert client.get(f"/channels/jobs/{job.id}/bad-rows.xlsx").status_code == 404
    page = client.get(f"/channels/jobs/{job.id}").get_data(as_text=True)
    assert "下载错误行" not in page and "错误行文件已按规定删除" in page
    assert 'id="channel-faults"' in page  # the faults stay listed
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "job_file_drop", AuditEvent.target_id == str(job.id))) == 1


def test_a_succeeded_job_has_no_file_to_download(client, clerk):
    job = send(client, Channel.SI_ATTRITION, good_rows(Channel.SI_ATTRITION, 1))
    assert job.state == JobState.SUCCEEDED
    assert client.get(f"/channels/jobs/{job.id}/bad-rows.xlsx").status_code == 404


@pytest.mark.parametrize(("role", "division", "channel"), [
    ("county_leader", COUNTY, Channel.MARKET),
    ("township_reviewer", "152201100000", Channel.SI_ATTRITION),
    ("township_reviewer", "152201100000", Channel.STATISTICS),
    ("village_collector", "152201100201", Channel.SI_PAYEES),
])
def test_a_clerk_without_the_channels_capability_is_refused(client, login_as, role, division,
                                                            channel):
    login_as(role, division)
    data = sheet(channel, good_rows(channel, 1), "csv")
    assert client.get(f"/channels/{channel.value}").status_code == 404
    assert client.get(f"/channels/{channel.value}/template.xlsx").status_code == 404
    assert upload(client, channel, data, "file.csv").status_code == 404
    assert count(ChannelBatch) == count(Person) == 0


def test_the_index_lists_the_channels_one_may_upload_to_with_the_last_batch(client, login_as):
    login_as("township_reviewer", "152201100000")
    page = client.get("/channels/").get_data(as_text=True)
    assert "工商：个体工商户登记" in page and "失业保险金领取人员" in page
    assert 'id="channel-statistics"' not in page and 'id="channel-si_attrition"' not in page
    login_as("county_leader", COUNTY)
    assert client.get("/channels/").status_code == 404


def test_the_index_shows_the_last_batch_of_the_jurisdiction(client, clerk):
    send(client, Channel.STATISTICS, good_rows(Channel.STATISTICS, 2))
    page = client.get("/channels/").get_data(as_text=True)
    assert "2行（新增 2 · 更新 0 · 未变 0）" in page
    assert page.count("尚未上传") == len(Channel) - 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_channel_page_offers_both_templates(client, clerk, fmt):
    page = client.get("/channels/civil_service").get_data(as_text=True)
    assert "录用类别" in page and "公务员或事业单位人员" in page
    response = client.get(f"/channels/civil_service/template.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    if fmt == "xlsx":
        assert response.data[:2] == b"PK"
    else:
        assert response.data.decode("utf-8-sig").startswith("公民身份号码,姓名")
    assert client.get("/channels/nothing").status_code == 404
    assert client.get("/channels/civil_service/template.xls").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("channel", list(Channel), ids=[c.value for c in Channel])
def test_a_template_uploaded_as_downloaded_imports_its_example_in_the_clerks_county(
        client, login_as, channel, fmt):
    """The example row names a division of the downloading clerk's own county (a village
    for a person, the county for a figure), so even the untouched template passes the
    jurisdiction check: here a clerk of 阿尔山市, not the catalogue's 乌兰浩特市."""
    login_as("county_statistician", OTHER_COUNTY)
    data = client.get(f"/channels/{channel.value}/template.{fmt}").data
    job = job_of(upload(client, channel, data, f"template.{fmt}"))
    assert job.state == JobState.SUCCEEDED, job.result
    written = db.session.scalars(select(ChannelBatch.division_code)).all()
    assert written == [OTHER_COUNTY]


def test_examples_are_taken_at_the_catalogues_level_inside_the_division(make):
    from field_app.channels.catalogue import CHANNELS
    from field_app.channels.queries import with_examples_in
    from field_app.core.codes import Level, level_of

    def example(channel, division):
        spec = with_examples_in(db.session, CHANNELS[channel], division)
        return spec.field("division_code").example

    league = "152200000000"
    village = example(Channel.MARKET, league)
    assert village.startswith("1522") and level_of(village) == Level.VILLAGE
    county = example(Channel.STATISTICS, league)
    assert county.startswith("1522") and level_of(county) == Level.COUNTY
    assert example(Channel.STATISTICS, OTHER_COUNTY) == OTHER_COUNTY
    assert example(Channel.MARKET, OTHER_VILLAGE) == OTHER_VILLAGE
    assert CHANNELS[Channel.MARKET].field("division_code").example == "152201001003"


def test_a_refused_upload_leaves_nothing_in_the_callers_transaction(make):
    """The operation alone, without the job's rollback: batch, numbers and rows are gone."""
    from field_app.audit.actor import actor_for, set_actor
    from field_app.channels.catalogue import CHANNELS
    from field_app.channels.operations import import_channel
    from field_app.channels.sheets import read_upload
    from field_app.core.counters import NumberCounter
    from tests.channels.import_files import outside

    clerk = make.user("county_statistician", COUNTY)
    set_actor(db.session, actor_for(clerk))
    spec = CHANNELS[Channel.MARKET]
    good, other = good_rows(Channel.MARKET, 2)
    rows, faults = read_upload(spec, "m.csv", sheet(Channel.MARKET, [good, outside(
        Channel.MARKET, other)], "csv"))
    assert faults == []
    result = import_channel(db.session, spec, rows, actor=clerk, filename="m.csv",
                            file_format="csv", sha256="0" * 64)
    assert [(f.line, f.key) for f in result.faults] == [(3, "division_code")]
    assert result.batch is None
    db.session.flush()
    assert count(ChannelBatch) == count(E) == count(Person) == count(NumberCounter) == 0
    # The same rows without the bad one go in, numbered from the first number.
    result = import_channel(db.session, spec, rows[:1], actor=clerk, filename="m.csv",
                            file_format="csv", sha256="0" * 64)
    assert result.ok and result.batch.inserted == 1
    assert db.session.scalar(select(E.registration_no)) == numbers.number("JY1522012026", 1)


def test_an_account_without_the_capability_cannot_call_the_import(make):
    from field_app.channels.catalogue import CHANNELS
    from field_app.channels.operations import import_channel
    from field_app.core.errors import OutOfScope

    leader = make.user("county_leader", COUNTY)
    with pytest.raises(OutOfScope):
        import_channel(db.session, CHANNELS[Channel.MARKET], [], actor=leader, filename="m.csv",
                       file_format="csv", sha256="0" * 64)
