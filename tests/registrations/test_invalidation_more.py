"""作废 of employment aid, natural attrition and employed totals at the desk: kept and shown as
invalid, out of the indicators (rules 2, 5 and 7), audited, left out of exports, untouched by
a re-import, and revived only on the clerk's confirmation when the key is entered again."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from field_app.audit.models import AuditEvent
from field_app.core.errors import ValidationFailed
from field_app.exchange.exporter import export_dataset
from field_app.exchange.files import FILES
from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.registrations import operations
from field_app.registrations.models import EmployedTotal, EmploymentAid, NaturalAttrition
from tests.conftest import empty_database
from tests.registrations.conftest import (
    BANNER,
    COMMUNITY,
    OTHER_BANNER,
    OTHER_VILLAGE,
    STREET,
    TODAY,
    page,
)

MODELS = {"aid": EmploymentAid, "attrition": NaturalAttrition, "totals": EmployedTotal}
# Who writes each kind, and where: the township staff register aid; only county
# statisticians enter attrition and totals.
WRITERS = {"aid": ("township_reviewer", STREET), "attrition": ("county_statistician", BANNER),
           "totals": ("county_statistician", BANNER)}
INSIDE = {"aid": COMMUNITY, "attrition": COMMUNITY, "totals": BANNER}
OUTSIDE = {"aid": OTHER_VILLAGE, "attrition": OTHER_VILLAGE, "totals": OTHER_BANNER}
# The indicator each kind feeds, where it is read, and its value with the record counted.
COUNTS = {"aid": ("hard_to_employ_employed", STREET, 1),
          "attrition": ("natural_attrition", STREET, 1),
          "totals": ("employed_total", BANNER, 11700)}
ALREADY = {"aid": "该就业援助记录已作废", "attrition": "该自然减员记录已作废",
           "totals": "该期末从业人员总数已作废"}
INVALIDATE = {"aid": operations.invalidate_aid, "attrition": operations.invalidate_attrition,
              "totals": operations.invalidate_employed_total}


def create(make, kind: str, division: str):
    """A record of ``kind`` at ``division`` that counts in its indicator."""
    if kind == "aid":
        person = make.person(dt.date(1975, 2, 3), "female", name="援助对象")
        make.employment(person, dt.date(2026, 5, 2), division=division)
        return make.aid(person, dt.date(2026, 1, 5), exited_on=dt.date(2026, 5, 1),
                        exit_reason="unit_employment", division=division)
    if kind == "attrition":
        return make.attrition(make.person(dt.date(1966, 4, 30), name="退休人员"),
                              dt.date(2026, 4, 30), division=division)
    return make.employed_total(division, TODAY, 12000, 300)


@pytest.fixture
def writer(login_as):
    def sign_in(kind: str):
        return login_as(*WRITERS[kind])

    return sign_in


def invalidate(client, kind: str, record_id: int, reason: str = "录入错误", **options):
    return client.post(f"/desk/{kind}/{record_id}/invalidate", data={"reason": reason},
                       **options)


def reload(kind: str, record_id: int):
    db.session.expire_all()
    return db.session.get(MODELS[kind], record_id)


@pytest.mark.parametrize("kind", MODELS)
def test_invalidated_record_is_kept_shown_and_stops_counting(client, make, writer, urban,
                                                             kind):
    record = create(make, kind, INSIDE[kind])
    user = writer(kind)
    key, division, counted = COUNTS[kind]
    assert urban(key, division=division) == counted

    response = invalidate(client, kind, record.id, "身份证号码录错")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/desk/{kind}/{record.id}")
    kept = reload(kind, record.id)
    assert (kept.valid, kept.invalid_reason, kept.invalidated_by_id) == (
        False, "身份证号码录错", user.id)
    assert kept.invalidated_at == dt.datetime(2026, 6, 15, 9, 30)
    # Rules 2 and 5 lose the one person; rule 7 has no figure for BANNER and no figures
    # below it, so the value is empty.
    assert urban(key, division=division) == (None if kind == "totals" else counted - 1)
    shown = page(client.get(f"/desk/{kind}/{record.id}"))
    assert "已作废" in shown and "身份证号码录错" in shown
    assert f"/desk/{kind}/{record.id}/invalidate" not in shown  # nothing more to invalidate


@pytest.mark.parametrize("kind", MODELS)
def test_a_record_is_not_invalidated_twice(client, make, writer, kind):
    record = create(make, kind, INSIDE[kind])
    writer(kind)
    invalidate(client, kind, record.id, "第一次")
    response = invalidate(client, kind, record.id, "第二次", follow_redirects=True)
    assert ALREADY[kind] in page(response)
    assert reload(kind, record.id).invalid_reason == "第一次"


@pytest.mark.parametrize("kind", MODELS)
def test_invalidation_needs_a_reason(client, make, writer, kind):
    record = create(make, kind, INSIDE[kind])
    actor = writer(kind)
    response = invalidate(client, kind, record.id, "")
    assert response.status_code == 422
    assert "必填" in page(response)
    # The operation refuses a blank reason itself, whatever the form let through.
    with pytest.raises(ValidationFailed) as refused:
        INVALIDATE[kind](reload(kind, record.id), actor=actor, reason="   ")
    assert refused.value.message == "请填写作废原因"
    assert reload(kind, record.id).valid


@pytest.mark.parametrize("kind", MODELS)
def test_invalidation_outside_the_jurisdiction_is_404(client, make, writer, urban, kind):
    record = create(make, kind, OUTSIDE[kind])
    writer(kind)
    assert client.get(f"/desk/{kind}/{record.id}").status_code == 404
    response = invalidate(client, kind, record.id)
    assert response.status_code == 404
    assert "援助对象" not in page(response) and "退休人员" not in page(response)
    assert reload(kind, record.id).valid


@pytest.mark.parametrize(("kind", "role", "division"), [
    ("aid", "county_leader", BANNER),
    ("attrition", "township_reviewer", STREET),  # a desk clerk, but not for attrition
    ("totals", "township_reviewer", STREET),
])
def test_a_reader_sees_the_record_but_cannot_invalidate_it(client, make, login_as, kind, role,
                                                           division):
    record = create(make, kind, INSIDE[kind] if kind != "totals" else STREET)
    login_as(role, division)
    shown = page(client.get(f"/desk/{kind}/{record.id}"))
    assert "/invalidate" not in shown
    assert invalidate(client, kind, record.id).status_code == 404
    assert invalidate(client, kind, record.id, "").status_code == 404  # not a 422 either
    assert reload(kind, record.id).valid


@pytest.mark.parametrize("kind", MODELS)
def test_invalidation_is_audited_with_before_and_after(client, make, writer, kind):
    record = create(make, kind, INSIDE[kind])
    db.session.commit()
    user = writer(kind)
    invalidate(client, kind, record.id, "重复录入")
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == MODELS[kind].__tablename__,
        AuditEvent.target_id == str(record.id), AuditEvent.action == "update")).one()
    assert (event.actor_id, event.division_code) == (user.id, INSIDE[kind])
    assert event.before == {"invalid_reason": None, "invalidated_at": None,
                            "invalidated_by_id": None}
    assert event.after == {"invalid_reason": "重复录入", "invalidated_at": "2026-06-15T09:30:00",
                           "invalidated_by_id": user.id}


@pytest.mark.parametrize(("kind", "status", "shown"), [
    ("aid", "invalid", True), ("aid", "exited", False),
    ("attrition", "invalid", True), ("attrition", "valid", False),
    ("totals", "invalid", True), ("totals", "valid", False),
])
def test_lists_filter_by_the_invalid_status(client, make, writer, kind, status, shown):
    record = create(make, kind, INSIDE[kind])
    writer(kind)
    invalidate(client, kind, record.id)
    listed = page(client.get(f"/desk/lists/{kind}?status={status}"))
    assert (f"/desk/{kind}/{record.id}" in listed) == shown
    assert ('class="state-invalid"' in listed) == shown


def test_invalidated_totals_fall_back_to_the_childrens_sum(client, make, writer, urban):
    banner = create(make, "totals", BANNER)
    make.employed_total(STREET, TODAY, 500, 0)
    make.employed_total("152201100000", TODAY, 700, 100)
    writer("totals")
    assert urban("employed_total", division=BANNER) == 11700
    invalidate(client, "totals", banner.id)
    db.session.expire_all()
    assert urban("employed_total", division=BANNER) == 1100


def test_invalidated_aid_no_longer_bars_a_new_recognition(client, make, writer, looked_up):
    person = make.person(dt.date(1975, 2, 3), "female")
    stale = make.aid(person, dt.date(2025, 6, 1), division=COMMUNITY)
    writer("aid")
    looked_up(person)
    invalidate(client, "aid", stale.id)
    response = client.post(f"/desk/persons/{person.id}/aid", data={
        "division_code": COMMUNITY, "recognized_on": "2026-02-01", "category": "disabled"})
    assert response.status_code == 302


def test_an_invalidated_aid_record_cannot_be_exited(client, make, writer):
    record = create(make, "aid", INSIDE["aid"])
    writer("aid")
    invalidate(client, "aid", record.id)
    response = client.post(f"/desk/aid/{record.id}/exit", follow_redirects=True,
                           data={"exited_on": "2026-06-01", "reason": "other"})
    assert "已作废的记录不能再修改" in page(response)
    assert reload("aid", record.id).exit_reason.value == "unit_employment"


# --- the same key entered again --------------------------------------------------------

REENTRY = {
    "totals": lambda record: ("/desk/totals/new", {
        "division_code": BANNER, "as_of": TODAY.isoformat(), "employed_total": "12500",
        "deduction": "0"}),
    "attrition": lambda record: (f"/desk/persons/{record.person_id}/attrition", {
        "division_code": COMMUNITY, "occurred_on": "2026-04-30", "reason": "death"}),
    "aid": lambda record: (f"/desk/persons/{record.person_id}/aid", {
        "division_code": COMMUNITY, "recognized_on": "2026-01-05", "category": "disabled"}),
}
NAMED = {"totals": "乌兰浩特市2026-06-15的期末从业人员总数（12000，扣除300）",
         "attrition": "该人员2026-04-30的自然减员记录",
         "aid": "该人员2026-01-05的就业困难人员认定"}


@pytest.mark.parametrize("kind", MODELS)
def test_reentering_an_invalidated_key_names_it_and_revives_it_only_when_confirmed(
        client, make, writer, looked_up, kind):
    record = create(make, kind, INSIDE[kind])
    user = writer(kind)
    if kind != "totals":
        looked_up(record.person)
    invalidate(client, kind, record.id, "数字有误")
    url, data = REENTRY[kind](record)

    refused = client.post(url, data=data)

    assert refused.status_code == 422
    shown = page(refused)
    assert f"{NAMED[kind]}已于2026-06-15 09:30作废（数字有误）" in shown
    assert 'id="revive"' in shown and "恢复已作废的记录" in shown
    assert not reload(kind, record.id).valid
    assert 'id="revive"' not in page(client.get(url))  # not offered before it is asked for

    assert client.post(url, data=data | {"revive": "y"}).status_code == 302
    revived = reload(kind, record.id)
    assert (revived.valid, revived.invalid_reason, revived.invalidated_by_id) == (
        True, None, None)
    assert db.session.scalars(select(MODELS[kind])).all() == [revived]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == MODELS[kind].__tablename__,
        AuditEvent.target_id == str(record.id)).order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == user.id
    assert event.before["invalid_reason"] == "数字有误" and event.after["invalid_reason"] is None


def test_a_revived_total_counts_with_the_new_figure(client, make, writer, urban):
    record = create(make, "totals", BANNER)
    writer("totals")
    invalidate(client, "totals", record.id)
    url, data = REENTRY["totals"](record)
    client.post(url, data=data | {"revive": "y"})
    db.session.expire_all()
    assert urban("employed_total", division=BANNER) == 12500


# --- exports and imports ----------------------------------------------------------------

@pytest.fixture
def invalidated(make):
    """One counted and one invalidated record of each kind, committed."""
    kept, dropped = {}, {}
    for kind in MODELS:
        kept[kind] = create(make, kind, INSIDE[kind] if kind != "totals" else STREET)
        dropped[kind] = create(make, kind, COMMUNITY if kind != "totals" else BANNER)
        dropped[kind].invalid_reason = "作废"
        dropped[kind].invalidated_at = dt.datetime(2026, 6, 1, 8, 0)
    db.session.commit()
    return kept, dropped


def test_the_exporter_leaves_invalidated_records_out_and_the_indicators_survive(
        app_ctx, invalidated, indicators, tmp_path):
    def figures():
        return [indicators(code, dt.date(2026, 1, 1), TODAY) for code in (BANNER, STREET)]

    before = figures()
    counts = export_dataset(db.session.connection(), tmp_path, BANNER)
    db.session.rollback()
    assert (counts["employment_aid.csv"], counts["natural_attrition.csv"],
            counts["employed_totals.csv"]) == (1, 1, 1)
    assert f"{BANNER},{TODAY}" not in (tmp_path / "employed_totals.csv").read_text()
    empty_database()
    assert import_dataset(db.session.connection(), tmp_path).ok
    assert figures() == before


def test_the_desk_interchange_export_leaves_invalidated_records_out(client, login_as,
                                                                    invalidated):
    login_as("county_statistician", BANNER)
    for kind, filename in (("aid", "employment_aid.csv"),
                           ("attrition", "natural_attrition.csv"),
                           ("totals", "employed_totals.csv")):
        response = client.get(f"/desk/lists/{kind}/export.zip")
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            rows = archive.read(filename).decode().splitlines()
        assert len(rows) == 2, (kind, rows)  # the header and the record that counts


@pytest.mark.parametrize(("kind", "filename", "row", "changed"), [
    ("aid", "employment_aid.csv", "{id},152201001001,2026-01-05,2026-05-01,self_employment",
     ("exit_reason", "self_employment")),
    ("attrition", "natural_attrition.csv", "{id},152201001001,2026-04-30,death",
     ("reason", "death")),
    ("totals", "employed_totals.csv", "152201000000,2026-06-15,13000,0",
     ("employed_total", 13000)),
])
def test_reimporting_the_key_of_an_invalidated_record_updates_it_and_keeps_it_invalid(
        app_ctx, invalidated, urban, tmp_path, kind, filename, row, changed):
    record = invalidated[1][kind]
    before = urban(*COUNTS[kind][:1], division=COUNTS[kind][1])
    number = record.person.id_number if kind != "totals" else ""
    header = ",".join(next(spec for spec in FILES if spec.filename == filename).column_names)
    (tmp_path / filename).write_text(f"{header}\n{row.replace('{id}', number)}\n")

    result = import_dataset(db.session.connection(), tmp_path)

    assert result.ok, result.errors
    assert vars(result.counts[filename]) == {"inserted": 0, "updated": 1, "unchanged": 0}
    db.session.expire_all()
    column, value = changed
    assert getattr(record, column) == value
    assert (record.valid, record.invalid_reason) == (False, "作废")
    assert urban(*COUNTS[kind][:1], division=COUNTS[kind][1]) == before


@pytest.mark.parametrize("kind", MODELS)
@pytest.mark.parametrize("half", ["invalid_reason", "invalidated_at"])
def test_the_database_refuses_a_reason_without_a_time_or_a_time_without_a_reason(
        app_ctx, make, kind, half):
    record = create(make, kind, INSIDE[kind])
    setattr(record, half, "录入错误" if half == "invalid_reason" else dt.datetime(2026, 6, 1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
