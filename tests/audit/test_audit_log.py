"""The audit trail: every write through the web or the command line leaves an entry with who,
when, from where, which record and the values before and after; the log itself is
append-only, filterable and exportable; records show who entered and last changed them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select, text

from field_app.accounts.models import RestoreRequest, User
from field_app.accounts.roles import AccountState
from field_app.audit.actor import Actor
from field_app.audit.models import AuditEvent
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.households.models import Person
from tests.factories import PASSWORD, make_id_number

MOMENT = dt.datetime(2026, 5, 20, 9, 30)
ADDRESS = "10.20.30.40"
NEW_PASSWORD = "Another-pass-2027"


@pytest.fixture
def web(client):
    """The test client, sending every request from ``ADDRESS``."""
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return client


@pytest.fixture
def at_moment():
    clock.set(MOMENT)


def events(**where) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query))


def only_event(**where) -> AuditEvent:
    found = events(**where)
    assert len(found) == 1, [(e.action, e.target_type, e.target_id, e.note) for e in found]
    return found[0]


def assert_web_entry(event: AuditEvent, actor: User | None) -> None:
    assert event.at == MOMENT
    assert event.ip == ADDRESS
    if actor is not None:
        assert (event.actor_id, event.actor_name) == (actor.id, actor.username)


def test_sign_in_is_logged_with_the_account_and_address(web, make, at_moment):
    user = make.user("county_statistician")
    db.session.commit()
    assert web.post("/login", data={"username": user.username, "password": PASSWORD}
                    ).status_code == 302
    event = only_event(action="sign_in")
    assert_web_entry(event, user)
    assert (event.target_type, event.target_id) == ("users", str(user.id))
    assert event.division_code == user.division_code


def test_failed_sign_in_is_logged_with_the_name_tried_and_changes_no_account(web, make,
                                                                           at_moment):
    user = make.user("county_statistician")
    db.session.commit()
    assert web.post("/login", data={"username": user.username, "password": "wrong"}
                    ).status_code == 401
    assert web.post("/login", data={"username": "nobody", "password": "wrong"}
                    ).status_code == 401
    known, unknown = events(action="sign_in_failed")
    assert_web_entry(known, None)
    # Nobody has proved who they are: the attempt names the account tried, not an actor.
    assert (known.actor_id, known.actor_name) == (None, user.username)
    assert known.division_code == user.division_code
    assert (known.target_type, known.target_id, known.note) == ("users", str(user.id),
                                                                 "wrong password")
    assert_web_entry(unknown, None)
    assert (unknown.actor_id, unknown.actor_name, unknown.note) == (None, "nobody",
                                                                     "unknown username")
    # Failures are throttled, not counted on the account (no stranger can lock it).
    assert events(action="update", target_type="users", target_id=str(user.id)) == []


def test_sign_out_is_logged(web, make, login_as, at_moment):
    user = login_as("township_reviewer")
    assert web.post("/logout").status_code == 302
    event = only_event(action="sign_out")
    assert_web_entry(event, user)
    assert (event.target_type, event.target_id) == ("users", str(user.id))


def test_account_creation_is_logged_with_the_admin_and_the_new_values(web, login_as,
                                                                      at_moment):
    admin = login_as("league_admin")
    response = web.post("/accounts/new", data={
        "username": "wang.wei", "display_name": "王伟", "phone": "13900000000",
        "role": "county_statistician", "division_code": "152202000000",
        "password": "Initial-pass-2027"})
    assert response.status_code == 302
    account = db.session.scalar(select(User).where(User.username == "wang.wei"))
    event = only_event(action="create", target_type="users", target_id=str(account.id))
    assert_web_entry(event, admin)
    assert event.before is None
    assert event.after["username"] == "wang.wei"
    assert event.after["role"] == "county_statistician"
    assert event.after["division_code"] == "152202000000"
    assert event.after["created_by_id"] == admin.id
    assert event.after["password_hash"] == "***"
    assert event.division_code == "152202000000"


@pytest.mark.parametrize(("url", "data", "before", "after"), [
    ("assignment", {"role": "county_leader", "division_code": "152202000000"},
     {"role": "county_statistician"}, {"role": "county_leader"}),
    ("deactivate", {"reason": "resignation"},
     {"state": "active", "role": "county_statistician", "division_code": "152202000000",
      "former_division_code": None, "state_reason": None},
     {"state": "deactivated", "role": None, "division_code": None,
      "former_division_code": "152202000000", "state_reason": "离职"}),
    ("password", {"password": "Reset-pass-2027"},
     {"password_hash": "***", "must_change_password": False},
     {"password_hash": "***", "must_change_password": True}),
], ids=["assignment change", "deactivation", "password reset"])
def test_account_change_is_logged_with_values_before_and_after(web, make, login_as, at_moment,
                                                               url, data, before, after):
    account = make.user("county_statistician", "152202000000")
    admin = login_as("league_admin")
    assert web.post(f"/accounts/{account.id}/{url}", data=data).status_code == 302
    event = only_event(action="update", target_type="users", target_id=str(account.id))
    assert_web_entry(event, admin)
    assert (event.before, event.after) == (before, after)
    assert event.division_code == "152202000000"


def test_own_password_change_is_logged_without_the_hash(web, login_as, at_moment):
    user = login_as("village_collector", must_change_password=True)
    response = web.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD})
    assert response.status_code == 302
    signed_in, event = events(action="update", target_type="users", target_id=str(user.id))
    assert "last_login_at" in signed_in.after
    assert_web_entry(event, user)
    assert event.before == {"password_hash": "***", "must_change_password": True}
    assert event.after == {"password_hash": "***", "must_change_password": False}


def test_no_password_hash_ever_reaches_the_log(web, make, login_as):
    account = make.user("county_statistician", "152202000000")
    login_as("league_admin")
    web.post("/accounts/new", data={"username": "li.na", "display_name": "李娜",
                                    "role": "county_leader", "division_code": "152201000000",
                                    "password": "Initial-pass-2027"})
    web.post(f"/accounts/{account.id}/password", data={"password": "Reset-pass-2027"})
    web.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD})
    hashes = {user.password_hash for user in db.session.scalars(select(User))}
    dumped = json.dumps([[e.before, e.after, e.note] for e in events()])
    assert "scrypt" not in dumped
    assert not any(h in dumped for h in hashes)


def test_restore_request_filing_is_logged_for_the_holders_administrators(web, make,
                                                                         at_moment):
    holder = make.user("county_statistician", "152202000000", state=AccountState.LOCKED)
    db.session.commit()
    response = web.post("/restore-request", data={"username": holder.username,
                                                  "password": PASSWORD, "reason": "出差归来"})
    assert response.status_code == 302
    request = db.session.scalar(select(RestoreRequest))
    event = only_event(action="create", target_type="restore_requests",
                       target_id=str(request.id))
    assert event.at == MOMENT and event.ip == ADDRESS
    assert event.after["reason"] == "出差归来"
    assert event.after["state"] == "pending"
    # Who filed it, and where: the holder's administrators find it in their log.
    assert (event.actor_id, event.actor_name) == (holder.id, holder.username)
    assert event.division_code == "152202000000"


def test_restore_decision_is_logged_on_the_request_and_the_account(web, make, login_as,
                                                                   at_moment):
    holder = make.user("county_statistician", "152202000000", state=AccountState.LOCKED)
    request = RestoreRequest(user_id=holder.id, reason="出差归来")
    db.session.add(request)
    admin = login_as("league_admin")
    response = web.post(f"/restore-requests/{request.id}/approve", data={"note": "同意"})
    assert response.status_code == 302
    decided = only_event(action="update", target_type="restore_requests",
                         target_id=str(request.id))
    assert_web_entry(decided, admin)
    assert decided.before["state"] == "pending" and decided.after["state"] == "approved"
    assert decided.after["decided_by_id"] == admin.id
    assert decided.after["decision_note"] == "同意"
    restored = only_event(action="update", target_type="users", target_id=str(holder.id))
    assert_web_entry(restored, admin)
    assert (restored.before["state"], restored.after["state"]) == ("locked", "active")


def test_account_sweep_command_logs_each_lock(runner, make):
    clock.set(dt.datetime(2026, 1, 5))
    idle = make.user("village_collector")
    db.session.commit()
    clock.set(dt.datetime(2026, 2, 10))
    result = runner.invoke(args=["accounts", "sweep"])
    assert result.exit_code == 0, result.output
    event = only_event(action="update", target_type="users", target_id=str(idle.id))
    assert event.at == dt.datetime(2026, 2, 10)
    assert event.actor_id is None and event.actor_name.startswith("cli:")
    assert (event.before["state"], event.after["state"]) == ("active", "locked")
    assert event.division_code == idle.division_code


def test_create_region_admin_command_logs_the_new_account(runner, make):
    db.session.commit()
    result = runner.invoke(args=["accounts", "create-region-admin", "--username", "root.admin",
                                 "--name", "区管理员", "--password", "Region-pass-2027"])
    assert result.exit_code == 0, result.output
    account = db.session.scalar(select(User).where(User.username == "root.admin"))
    event = only_event(action="create", target_type="users", target_id=str(account.id))
    assert event.actor_name.startswith("cli:")
    assert event.after["role"] == "region_admin"
    assert event.after["password_hash"] == "***"


def _write_dataset(directory, person_name: str, id_number: str):
    directory.mkdir(exist_ok=True)
    (directory / "divisions.csv").write_text(
        "code,name,parent_code\n152201100202,巴达尔胡嘎查,152201100000\n", encoding="utf-8")
    (directory / "persons.csv").write_text(
        f"id_number,name,hukou,phone\n{id_number},{person_name},rural,13800000001\n",
        encoding="utf-8")
    return directory


def _last_event_id() -> int:
    return max((e.id for e in events()), default=0)


def _import_events(table: str, action: str, after_id: int) -> list[AuditEvent]:
    found = [e for e in events(action=action, target_type=table) if e.id > after_id]
    assert all(e.actor_name.startswith("cli:") and e.actor_id is None for e in found)
    return found


def test_import_data_logs_every_inserted_row_with_its_values(runner, make, tmp_path):
    number = make_id_number(dt.date(1988, 3, 4))
    dataset = _write_dataset(tmp_path / "set", "包金花", number)
    db.session.commit()
    last = _last_event_id()
    result = runner.invoke(args=["import-data", str(dataset)])
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.id_number == number))
    division = _import_events("divisions", "create", last)
    assert [(e.target_id, e.after["name"]) for e in division] == [
        ("152201100202", "巴达尔胡嘎查")]
    created = _import_events("persons", "create", last)
    assert len(created) == 1
    assert created[0].target_id in (str(person.id), number)
    assert created[0].after["name"] == "包金花"


def test_import_data_logs_every_updated_row_before_and_after(runner, make, tmp_path):
    number = make_id_number(dt.date(1988, 3, 4))
    db.session.commit()
    first = runner.invoke(args=["import-data", str(_write_dataset(tmp_path / "a", "包金花",
                                                                 number))])
    assert first.exit_code == 0, first.output
    last = _last_event_id()
    second = runner.invoke(args=["import-data", str(_write_dataset(tmp_path / "b", "包金华",
                                                                  number))])
    assert second.exit_code == 0, second.output
    updated = _import_events("persons", "update", last)
    assert len(updated) == 1
    assert (updated[0].before["name"], updated[0].after["name"]) == ("包金花", "包金华")


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET note = 'rewritten'",
    "DELETE FROM audit_events",
])
def test_the_database_refuses_to_rewrite_the_log(make, statement):
    db.session.commit()
    count = len(events())
    assert count > 0
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert len(events()) == count
    assert not any(e.note == "rewritten" for e in events())


# Events the filters choose among; the auditor sits at the league 152200000000.
PROBES = [
    ("probe-one", "alice", "152201100201", ("users", "7"), dt.datetime(2026, 5, 1, 10)),
    ("probe-two", "bob", "152202100201", ("users", "8"), dt.datetime(2026, 5, 2, 23, 59)),
    ("probe-three", "alice", "152201001001", ("restore_requests", "7"),
     dt.datetime(2026, 5, 3)),
    ("probe-elsewhere", "alice", "150102000000", ("users", "7"), dt.datetime(2026, 5, 2)),
]


@pytest.fixture
def probes(make):
    for note, actor, division, (target_type, target_id), at in PROBES:
        record(db.session, "probe", actor=Actor(None, actor), division=division,
               target_type=target_type, target_id=target_id, at=at, note=note)
    db.session.commit()


FILTERS = [
    ("", {"probe-one", "probe-two", "probe-three"}),
    ("actor=alice", {"probe-one", "probe-three"}),
    ("actor=bob", {"probe-two"}),
    ("division=152201000000", {"probe-one", "probe-three"}),
    ("division=152202000000", {"probe-two"}),
    ("division=150102000000", set()),
    ("target_type=users&target_id=7", {"probe-one"}),
    ("target_type=restore_requests", {"probe-three"}),
    ("since=2026-05-02&until=2026-05-02", {"probe-two"}),
    ("since=2026-05-02", {"probe-two", "probe-three"}),
    ("until=2026-05-01", {"probe-one"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[q or "none" for q, _ in FILTERS])
def test_audit_log_page_filters_within_the_readers_division(web, probes, login_as, query,
                                                            expected):
    login_as("auditor")
    response = web.get(f"/audit/?action=probe&{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert {note for note, *_ in PROBES if note in page} == expected


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[q or "none" for q, _ in FILTERS])
def test_csv_export_holds_the_filtered_rows_only(web, probes, login_as, query, expected):
    login_as("league_admin")
    response = web.get(f"/audit/export.csv?action=probe&{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(body[1:]))
    assert header[1] == "操作人 actor" and header[-1] == "说明 note"
    assert sorted(row[-1] for row in rows) == sorted(expected)
    by_note = {row[-1]: row for row in rows}
    if "probe-one" in by_note:
        assert by_note["probe-one"][:7] == ["2026-05-01 10:00:00", "alice", "", "probe",
                                            "users", "7", "152201100201"]


def test_auditor_reads_the_log_but_no_statistics(web, make, login_as):
    login_as("auditor")
    assert web.get("/").headers["Location"].endswith("/audit/")
    assert web.get("/audit/").status_code == 200
    assert web.get("/audit/export.csv").status_code == 200
    for code in ("152200000000", "152201000000", "152201100201"):
        assert web.get(f"/divisions/{code}").status_code == 404
        api = web.get(f"/api/divisions/{code}/indicators?period=2026")
        assert api.status_code == 404 and api.get_json()["code"] == "not_found"
    assert web.get("/accounts").status_code == 404


def test_account_page_shows_who_created_and_who_last_changed_it(web, make, login_as):
    creator = login_as("league_admin")
    web.post("/accounts/new", data={"username": "zhao.min", "display_name": "赵敏",
                                    "role": "county_statistician",
                                    "division_code": "152202000000",
                                    "password": "Initial-pass-2027"})
    account = db.session.scalar(select(User).where(User.username == "zhao.min"))
    assert web.post("/logout").status_code == 302
    changer = login_as("region_admin")
    web.post(f"/accounts/{account.id}/assignment",
             data={"role": "county_leader", "division_code": "152202000000"})
    page = web.get(f"/accounts/{account.id}").get_data(as_text=True)
    created = page.split("创建")[1].split("</dd>")[0]
    changed = page.split("最后修改")[1].split("</dd>")[0]
    assert creator.username in created
    assert changer.username in changed and creator.username not in changed
