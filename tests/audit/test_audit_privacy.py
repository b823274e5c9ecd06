"""The audit log shows personal data masked, on the page and in the CSV; an auditor may
reveal one event in full, and that reveal, every page shown and every export made are
audit events themselves; the CSV plants no formula; no filter value gives a 500."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from field_app.audit.actor import SESSION_KEY, Actor, actor_for, set_actor
from field_app.audit.masking import mask_name, mask_text
from field_app.audit.models import AuditEvent
from field_app.audit.operations import record
from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.extensions import db

OLD_PHONE, NEW_PHONE = "13912345678", "13987654321"
OLD_NAME, NEW_NAME = "包金花", "包金华"
FORMULA = '=HYPERLINK("http://e.vil","点击")'  # fits the username field


def events(**where) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query))


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def changed_person(make):
    """A person of 乌兰浩特市 renamed and given a new phone by the county's statistician,
    and a failed sign-in by someone who typed the person's ID number as username."""
    person = make.person(name=OLD_NAME, phone=OLD_PHONE)
    make.employment(person, dt.date(2026, 3, 1), division="152201001001")
    clerk = make.user("county_statistician", "152201000000")
    set_actor(db.session, actor_for(clerk))
    person.name, person.phone = NEW_NAME, NEW_PHONE
    db.session.flush()
    db.session.info.pop(SESSION_KEY)
    record(db.session, "sign_in_failed", actor=Actor(None, person.id_number),
           division="152201000000", note="unknown username")
    # An import keys a new person's event by the ID number.
    record(db.session, "create", actor=Actor(None, "cli:ops"), division="152201001001",
           target_type="persons", target_id=person.id_number,
           after={"id_number": person.id_number, "name": OLD_NAME, "phone": OLD_PHONE})
    db.session.commit()
    return person


def the_change(person) -> AuditEvent:
    (change,) = [e for e in events(action="update", target_type="persons",
                                   target_id=str(person.id))]
    return change


def personal_values(person) -> list[str]:
    return [person.id_number, OLD_PHONE, NEW_PHONE, OLD_NAME, NEW_NAME]


def masked_values(person) -> list[str]:
    return [mask_id_number(person.id_number), mask_phone(OLD_PHONE), mask_phone(NEW_PHONE),
            mask_name(OLD_NAME), mask_name(NEW_NAME)]


def test_masks_keep_the_ends_and_hide_the_middle():
    assert mask_name(NEW_NAME) == "包**"
    assert mask_phone(NEW_PHONE) == "139****4321"
    assert mask_text("登录名 152201199005170012 电话13912345678。") == (
        "登录名 152201********0012 电话139****5678。")
    # Division codes (12 digits), household codes (17) and registration numbers stay.
    assert mask_text("152201100201 15220110020100001 JY000000123456789012") == (
        "152201100201 15220110020100001 JY000000123456789012")


@pytest.mark.parametrize("role", ["auditor", "league_admin"])
def test_audit_page_masks_id_numbers_phones_and_names(client, changed_person, login_as,
                                                      role):
    login_as(role)
    page = client.get("/audit/").get_data(as_text=True)
    for value in personal_values(changed_person):
        assert value not in page
    for value in masked_values(changed_person):
        assert value in page


def test_audit_csv_masks_id_numbers_phones_and_names(client, changed_person, login_as):
    login_as("league_admin")
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for value in personal_values(changed_person):
        assert value not in body
    for value in masked_values(changed_person):
        assert value in body


def test_auditor_reveals_one_event_in_full_and_the_reveal_is_logged(client, changed_person,
                                                                    login_as):
    auditor = login_as("auditor")
    change = the_change(changed_person)
    page = client.get("/audit/").get_data(as_text=True)
    assert f"/audit/{change.id}/reveal" in page and "显示完整内容" in page
    response = client.post(f"/audit/{change.id}/reveal")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = response.get_data(as_text=True)
    for value in (OLD_PHONE, NEW_PHONE, OLD_NAME, NEW_NAME):
        assert value in shown
    (reveal,) = events(action="audit_reveal")
    assert (reveal.actor_id, reveal.target_type, reveal.target_id) == (
        auditor.id, "audit_events", str(change.id))
    # Filed where the revealed event is: its auditors see who looked.
    assert reveal.division_code == change.division_code


def test_only_events_with_something_hidden_offer_a_reveal(client, make, login_as):
    record(db.session, "probe", actor=Actor(None, "alice"), division="152201000000",
           note="nothing personal")
    login_as("auditor")
    page = client.get("/audit/?action=probe").get_data(as_text=True)
    assert "nothing personal" in page and "/reveal" not in page


@pytest.mark.parametrize(("role", "division"), [
    ("league_admin", None),
    ("region_admin", None),
    ("county_statistician", None),
    ("auditor", "152202000000"),  # another county: the event is not in its log
], ids=["league admin", "region admin", "statistician", "other county's auditor"])
def test_reveal_is_refused_to_who_may_not_see_the_event_in_full(client, changed_person,
                                                                login_as, role, division):
    login_as(role, division)
    change = the_change(changed_person)
    response = client.post(f"/audit/{change.id}/reveal")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    for value in personal_values(changed_person):
        assert value not in body
    assert events(action="audit_reveal") == []


def test_administrators_are_offered_no_reveal(client, changed_person, login_as):
    login_as("league_admin")
    page = client.get("/audit/").get_data(as_text=True)
    assert "/reveal" not in page and "显示完整内容" not in page


@pytest.mark.parametrize("event_id", ["0", "99999999999999999999", "2147483648"])
def test_reveal_of_no_such_event_is_not_found(client, make, login_as, event_id):
    login_as("auditor")
    assert client.post(f"/audit/{event_id}/reveal").status_code == 404
    assert events(action="audit_reveal") == []


def test_reading_the_log_is_one_audit_event_with_the_filters(client, make, login_as):
    reader = login_as("auditor", "152201000000")
    before = event_count()
    response = client.get("/audit/?actor=alice&since=2026-05-01&page=2")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert event_count() == before + 1
    (view,) = events(action="audit_view")
    assert (view.actor_id, view.actor_name) == (reader.id, reader.username)
    assert view.division_code == "152201000000"
    assert view.target_type == "audit_events"
    assert view.note == "page=2 actor=alice since=2026-05-01"


def test_exporting_the_log_is_one_audit_event_with_the_filters_and_row_count(client, make,
                                                                           login_as):
    for note in ("one", "two"):
        record(db.session, "probe", actor=Actor(None, "alice"), division="152201100201",
               note=note)
    admin = login_as("league_admin")
    before = event_count()
    response = client.get("/audit/export.csv?action=probe&actor=alice")
    assert response.status_code == 200
    assert event_count() == before + 1
    (export,) = events(action="audit_export")
    assert (export.actor_id, export.division_code) == (admin.id, admin.division_code)
    assert export.note == "rows=2 actor=alice action=probe"


def test_the_reads_of_the_log_show_in_the_log(client, make, login_as):
    login_as("auditor")
    client.get("/audit/export.csv")
    page = client.get("/audit/").get_data(as_text=True)
    assert "导出审计日志" in page


def test_a_formula_typed_as_username_is_inert_in_the_audit_csv(client, make, login_as):
    db.session.commit()
    assert client.post("/login", data={"username": FORMULA, "password": "x"}
                       ).status_code in (401, 429)
    record(db.session, "probe", actor=Actor(None, "@SUM(1+1)"), division="152201000000",
           target_type="users", target_id="-1+2", note="+cmd|' /C calc'!A0")
    login_as("region_admin")
    body = client.get("/audit/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert [FORMULA] == [row[1][1:] for row in rows if FORMULA in row[1]]
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells
    assert {"'@SUM(1+1)", "'-1+2", "'+cmd|' /C calc'!A0"} <= set(cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


# Query strings that must not give a 500: the faulty ones are refused with a message (422),
# the rest answered (200); stray keys are ignored, never handed to url_for.
BAD_ARGS = [
    ("page=99999999999999999999", 422),
    ("page=0", 422),
    ("page=-1", 422),
    ("page=abc", 422),
    ("page=%EF%BC%92", 422),  # a full-width digit
    ("page=100000", 200),
    ("until=9999-12-31", 200),
    ("since=0001-01-01&until=9999-12-31", 200),
    ("since=2026-13-01", 422),
    ("until=20260501", 422),
    ("until=2026-W01-1", 422),
    ("division=abc", 422),
    ("division=%EF%BC%91%EF%BC%95%EF%BC%92%EF%BC%92%EF%BC%90%EF%BC%91000000", 422),
    ("actor=%00", 422),
    ("target_id=a%00b", 422),
    (f"target_id={'9' * 65}", 422),
    ("action=" + "x" * 41, 422),
    ("kind=x&endpoint=x&_method=POST&_external=1&_anchor=x&_scheme=javascript", 200),
    ("target_type=%27%3B%20DROP%20TABLE%20users%3B--", 200),
]


@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv"])
@pytest.mark.parametrize(("query", "status"), BAD_ARGS, ids=[q for q, _ in BAD_ARGS])
def test_odd_filter_values_are_refused_or_answered_never_a_server_error(client, make,
                                                                         login_as, path,
                                                                         query, status):
    record(db.session, "probe", actor=Actor(None, "alice"), division="152201000000",
           note="the probe")
    login_as("auditor")
    before = event_count()
    response = client.get(f"{path}?{query}")
    assert response.status_code == status
    if status == 422:
        assert "筛选条件有误" in response.get_data(as_text=True)
        assert event_count() == before  # nothing was read, nothing logged
    elif path == "/audit/" and "page=100000" not in query and "target_type" not in query:
        assert "the probe" in response.get_data(as_text=True)
        assert "evil" not in response.get_data(as_text=True)


def test_pager_links_carry_only_the_filters(client, make, login_as):
    for n in range(51):
        record(db.session, "probe", actor=Actor(None, "alice"), division="152201000000",
               note=f"n{n}")
    login_as("auditor")
    page = client.get("/audit/?action=probe&endpoint=x&_external=1").get_data(as_text=True)
    assert 'href="/audit/?page=2&amp;action=probe"' in page
    assert 'href="/audit/export.csv?action=probe"' in page
