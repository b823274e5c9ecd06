"""Rectification notices (限期改正): issued by an office to a division directly below it,
answered by that division, closed or reopened by the office; overdue when still open past
the deadline; scoped; every step in the audit log; the states backed by CHECKs."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from field_app.accounts.roles import Role
from field_app.appraisal import operations
from field_app.appraisal.models import (
    TRANSITIONS,
    NoticeEvent,
    NoticeState,
    RectificationNotice,
    next_state,
)
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.reporting.calendar import Period

LEAGUE, ULANHOT, ARXAN = "152200000000", "152201000000", "152202000000"
TOWNSHIP = "152201100000"
TODAY = dt.date(2026, 12, 10)


@pytest.fixture
def people(make):
    clock.set(dt.datetime(2026, 12, 10, 9, 0))
    return {"league": make.user(Role.LEAGUE_STATISTICIAN, LEAGUE),
            "county": make.user(Role.COUNTY_STATISTICIAN, ULANHOT),
            "other_county": make.user(Role.COUNTY_STATISTICIAN, ARXAN),
            "leader": make.user(Role.COUNTY_LEADER, ULANHOT),
            "township": make.user(Role.TOWNSHIP_REVIEWER, TOWNSHIP),
            "region": make.user(Role.REGION_STATISTICIAN, "150000000000")}


def _issue(people, code=ULANHOT, by="league", deadline=dt.date(2026, 12, 20), **kwargs):
    return operations.issue_notice(db.session, db.session.get(Division, code), actor=people[by],
                                   issue="十一月报表数与系统数相差超过5%，请核实更正",
                                   deadline=deadline, **kwargs)


def test_the_transition_table_is_open_answered_closed_with_reopening():
    assert next_state(NoticeState.OPEN, NoticeEvent.ANSWER) == NoticeState.ANSWERED
    assert next_state(NoticeState.ANSWERED, NoticeEvent.CLOSE) == NoticeState.CLOSED
    assert next_state(NoticeState.ANSWERED, NoticeEvent.REOPEN) == NoticeState.OPEN
    assert next_state(NoticeState.OPEN, NoticeEvent.CLOSE) is None
    assert next_state(NoticeState.CLOSED, NoticeEvent.REOPEN) is None
    assert len(TRANSITIONS) == 3


def test_a_notice_goes_open_answered_reopened_answered_closed(people):
    notice = _issue(people, period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert (notice.state, notice.issuer_code, notice.issued_on) == (
        NoticeState.OPEN, LEAGUE, TODAY)
    operations.answer_notice(db.session, notice, actor=people["county"], answer="已核实并更正")
    assert notice.state == NoticeState.ANSWERED and notice.answered_by_id == people["county"].id
    operations.reopen_notice(db.session, notice, actor=people["league"], reason="未附更正后的报表",
                             deadline=dt.date(2026, 12, 31))
    assert (notice.state, notice.answer, notice.reopen_count, notice.deadline) == (
        NoticeState.OPEN, None, 1, dt.date(2026, 12, 31))
    operations.answer_notice(db.session, notice, actor=people["county"], answer="已补报")
    operations.close_notice(db.session, notice, actor=people["league"])
    db.session.flush()
    assert notice.state == NoticeState.CLOSED and notice.closed_by_id == people["league"].id
    with pytest.raises(InvalidTransition):
        operations.reopen_notice(db.session, notice, actor=people["league"], reason="再查")
    with pytest.raises(InvalidTransition):
        operations.answer_notice(db.session, notice, actor=people["county"], answer="again")
    # Every step is in the audit log, filed under the notice's division.
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "rectification_notices",
        AuditEvent.target_id == str(notice.id))).all()
    assert len(events) >= 5
    assert {e.division_code for e in events} == {ULANHOT}


def test_only_the_office_directly_above_issues_and_decides(people):
    with pytest.raises(NotAllowed):
        _issue(people, by="region")  # the region is not the county's parent
    with pytest.raises(NotAllowed):
        _issue(people, code=TOWNSHIP)  # the league is not the township's parent
    township_notice = _issue(people, code=TOWNSHIP, by="county")
    assert township_notice.issuer_code == ULANHOT
    notice = _issue(people)
    with pytest.raises(NotAllowed):  # another county, and the leader, cannot answer
        operations.answer_notice(db.session, notice, actor=people["other_county"], answer="x")
    with pytest.raises(NotAllowed):
        operations.answer_notice(db.session, notice, actor=people["leader"], answer="x")
    operations.answer_notice(db.session, notice, actor=people["county"], answer="已更正")
    with pytest.raises(NotAllowed):  # the answering county cannot close its own notice
        operations.close_notice(db.session, notice, actor=people["county"])


def test_bad_input_is_refused_with_a_message_on_its_field(people):
    with pytest.raises(ValidationFailed) as refused:
        _issue(people, deadline=dt.date(2026, 12, 9))
    assert "deadline" in refused.value.errors
    with pytest.raises(ValidationFailed):
        _issue(people, deadline=dt.date(2028, 1, 1))
    notice = _issue(people)
    with pytest.raises(ValidationFailed) as refused:
        operations.answer_notice(db.session, notice, actor=people["county"], answer="   ")
    assert "answer" in refused.value.errors
    assert notice.state == NoticeState.OPEN


def test_a_notice_is_overdue_only_while_open_past_its_deadline(people):
    notice = _issue(people, deadline=dt.date(2026, 12, 15))
    assert not notice.is_overdue(clock.today())
    clock.advance(dt.timedelta(days=5))  # the 15th: the last day
    assert not notice.is_overdue(clock.today())
    clock.advance(dt.timedelta(days=1))
    assert notice.is_overdue(clock.today())
    operations.answer_notice(db.session, notice, actor=people["county"], answer="已更正（逾期）")
    assert not notice.is_overdue(clock.today())
    operations.reopen_notice(db.session, notice, actor=people["league"], reason="不完整")
    assert notice.is_overdue(clock.today())  # reopened without a new deadline


def test_the_database_refuses_inconsistent_states(people):
    notice = _issue(people)
    db.session.flush()
    table = RectificationNotice.__tablename__
    for statement in (f"UPDATE {table} SET state = 'answered' WHERE id = :id",
                      f"UPDATE {table} SET state = 'closed' WHERE id = :id",
                      f"UPDATE {table} SET deadline = '2026-01-01' WHERE id = :id",
                      f"UPDATE {table} SET state = 'bogus' WHERE id = :id"):
        savepoint = db.session.begin_nested()
        with pytest.raises(IntegrityError):
            db.session.execute(text(statement), {"id": notice.id})
        savepoint.rollback()


def _sign_in(client, user):
    from tests.factories import PASSWORD

    client.post("/logout")
    assert client.post("/login", data={"username": user.username,
                                       "password": PASSWORD}).status_code == 302


def test_the_pages_take_a_notice_from_issue_to_closure(people, client):
    db.session.commit()
    _sign_in(client, people["league"])
    response = client.post(f"/appraisal/{ULANHOT}/notices/new",
                           data={"issue": "请更正十一月报表", "deadline": "2026-12-20",
                                 "period": "2026-11"})
    assert response.status_code == 302, response.get_data(as_text=True)
    notice_url = response.headers["Location"]
    notice_id = int(notice_url.rstrip("/").rsplit("/", 1)[1])
    # The lower division sees it in its list and answers it.
    _sign_in(client, people["county"])
    listing = client.get("/appraisal/notices").get_data(as_text=True)
    assert f"/appraisal/notices/{notice_id}" in listing and "待整改" in listing
    assert client.post(f"/appraisal/notices/{notice_id}/answer",
                       data={"answer-answer": ""}).status_code == 422
    assert client.post(f"/appraisal/notices/{notice_id}/answer",
                       data={"answer-answer": "已更正并重新报送"}).status_code == 302
    assert client.post(f"/appraisal/notices/{notice_id}/close", data={}).status_code == 422
    # The office closes it.
    _sign_in(client, people["league"])
    page = client.get(f"/appraisal/notices/{notice_id}").get_data(as_text=True)
    assert "已更正并重新报送" in page and 'id="close"' in page
    assert client.post(f"/appraisal/notices/{notice_id}/close", data={}).status_code == 302
    assert db.session.get(RectificationNotice, notice_id).state == NoticeState.CLOSED


def test_a_bad_deadline_gets_a_chinese_message(people, client):
    db.session.commit()
    _sign_in(client, people["league"])
    for deadline, message in (("2026-12-32", "日期格式应为"), ("", "请填写整改期限"),
                              ("2026-12-01", "整改期限不能早于今天")):
        response = client.post(f"/appraisal/{ULANHOT}/notices/new",
                               data={"issue": "x", "deadline": deadline})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    response = client.post(f"/appraisal/{ULANHOT}/notices/new",
                           data={"issue": "x", "deadline": "2026-12-20", "period": "2026-13"})
    assert response.status_code == 422 and "月份应写作" in response.get_data(as_text=True)
    assert db.session.scalar(select(RectificationNotice.id)) is None


def test_notices_are_scoped_to_the_reader_s_subtree(people, client):
    notice = _issue(people)
    db.session.commit()
    _sign_in(client, people["other_county"])
    assert client.get(f"/appraisal/notices/{notice.id}").status_code == 404
    assert client.get(f"/appraisal/notices?division={ULANHOT}").status_code == 404
    assert f"/appraisal/notices/{notice.id}" not in client.get(
        "/appraisal/notices").get_data(as_text=True)
    assert client.post(f"/appraisal/notices/{notice.id}/answer",
                       data={"answer-answer": "x"}).status_code == 404
    _sign_in(client, people["township"])  # below the county: not its notice
    assert client.get(f"/appraisal/notices/{notice.id}").status_code == 404
