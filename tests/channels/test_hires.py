"""The civil-service hire check: a hire whose person was registered unemployed on the day of
hire is 再就业 at once; the registration ends by the import in the uploader's county, and is
listed for the other county's desk (or in a locked period) otherwise."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from field_app.audit.models import AuditEvent, AuditEventDivision
from field_app.channels.hires import settle_hires
from field_app.channels.models import HireReview, HireReviewState
from field_app.extensions import db
from field_app.locks import operations as locks
from field_app.registrations.models import CancelReason, PersonCategory
from tests.channels.checks_support import (
    BANNER,
    COMMUNITY,
    HIRED,
    OTHER_BANNER,
    OTHER_VILLAGE,
    STREET,
    VILLAGE,
    batch,
    hire,
    set_today,
)


@pytest.fixture(autouse=True)
def _today():
    set_today()


@pytest.fixture
def uploader(make):
    return make.user("county_statistician", BANNER)


def _reviews():
    return db.session.execute(select(HireReview.unemployment_registration_id,
                                     HireReview.state, HireReview.division_code)
                              .order_by(HireReview.id)).all()


def test_a_hire_with_an_open_registration_in_scope_ends_it_and_counts_as_reemployed(
        make, uploader, indicators):
    person = make.person(dt.date(1990, 5, 17))
    registered = make.unemployment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    made = batch(uploader)
    hired = hire(make, person, made)
    before = indicators(BANNER, dt.date(2026, 1, 1), dt.date(2026, 6, 30))

    assert settle_hires(db.session, made, actor=uploader) == {"ended": 1, "listed": 0}

    assert registered.cancelled_on == HIRED
    assert registered.cancel_reason == CancelReason.EMPLOYED
    assert hired.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED
    assert _reviews() == [(registered.id, HireReviewState.ENDED, COMMUNITY)]
    after = indicators(BANNER, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert before["reemployment_of_unemployed"] == 0
    assert after["reemployment_of_unemployed"] == 1
    # audited: the cancellation and the hire's new category by the session hooks
    changed = set(db.session.scalars(select(AuditEvent.target_type).where(
        AuditEvent.action == "update")))
    assert {"unemployment_registrations", "employment_registrations"} <= changed


def test_a_registration_in_another_county_is_listed_for_its_desk(make, uploader, indicators):
    person = make.person(dt.date(1990, 5, 17))
    elsewhere = make.unemployment(person, dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    made = batch(uploader)
    hired = hire(make, person, made)

    assert settle_hires(db.session, made, actor=uploader) == {"ended": 0, "listed": 1}

    assert elsewhere.cancelled_on is None
    assert hired.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED
    assert _reviews() == [(elsewhere.id, HireReviewState.OPEN, OTHER_VILLAGE)]
    assert indicators(BANNER, dt.date(2026, 1, 1),
                      dt.date(2026, 6, 30))["reemployment_of_unemployed"] == 1
    # the summary event is filed for the uploader's county and the other county
    summary = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "channel_hires_settled"))
    assert summary.division_code == BANNER
    assert summary.after == {"ended": 0, "listed": 1}
    assert db.session.scalars(select(AuditEventDivision.division_code).where(
        AuditEventDivision.event_id == summary.id)).all() == [OTHER_VILLAGE]


@pytest.mark.parametrize("registered_on, cancelled_on, valid", [
    (dt.date(2026, 5, 11), None, True),  # opened after the hire day
    (dt.date(2026, 2, 1), dt.date(2026, 4, 1), True),  # already cancelled before
    (dt.date(2026, 2, 1), HIRED, True),  # cancelled on the hire day itself
    (dt.date(2026, 2, 1), None, False),  # invalidated
])
def test_a_registration_not_open_on_the_hire_day_is_left_alone(
        make, uploader, registered_on, cancelled_on, valid):
    person = make.person(dt.date(1990, 5, 17))
    registration = make.unemployment(person, registered_on, division=COMMUNITY,
                                     cancelled_on=cancelled_on, valid=valid)
    made = batch(uploader)
    hired = hire(make, person, made)

    assert settle_hires(db.session, made, actor=uploader) == {"ended": 0, "listed": 0}
    assert registration.cancelled_on == cancelled_on
    assert hired.person_category == PersonCategory.OTHER
    assert _reviews() == []


def test_only_unit_hires_of_the_batch_are_checked(make, uploader):
    person = make.person(dt.date(1990, 5, 17))
    registration = make.unemployment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    made, other = batch(uploader), batch(uploader)
    hire(make, person, other)  # another batch's hire
    hire(make, person, made, employment_type="individual_business")

    assert settle_hires(db.session, made, actor=uploader) == {"ended": 0, "listed": 0}
    assert registration.cancelled_on is None


def test_settling_twice_adds_nothing(make, uploader):
    person = make.person(dt.date(1990, 5, 17))
    make.unemployment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    make.unemployment(make.person(dt.date(1991, 5, 17)), dt.date(2026, 2, 1),
                      division=COMMUNITY)
    other_person = make.person(dt.date(1992, 5, 17))
    make.unemployment(other_person, dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    made = batch(uploader)
    hire(make, person, made)
    hire(make, other_person, made)

    assert settle_hires(db.session, made, actor=uploader) == {"ended": 1, "listed": 1}
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert settle_hires(db.session, made, actor=uploader) == {"ended": 0, "listed": 0}
    assert len(_reviews()) == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_reupload_that_sets_the_category_back_is_reemployed_again_without_new_reviews(
        make, uploader):
    person = make.person(dt.date(1990, 5, 17))
    make.unemployment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    first = batch(uploader)
    hired = hire(make, person, first)
    assert settle_hires(db.session, first, actor=uploader) == {"ended": 1, "listed": 0}
    # the importer, given the file again, writes the file's 其他 and marks its own batch
    second = batch(uploader)
    hired.person_category, hired.channel_batch_id = PersonCategory.OTHER, second.id
    db.session.flush()

    assert settle_hires(db.session, second, actor=uploader) == {"ended": 0, "listed": 0}
    assert hired.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED
    assert len(_reviews()) == 1


def test_a_locked_period_lists_the_registration_instead_of_ending_it(make, uploader):
    person = make.person(dt.date(1990, 5, 17))
    registration = make.unemployment(person, dt.date(2026, 2, 1), division=COMMUNITY)
    made = batch(uploader)
    hired = hire(make, person, made, division=VILLAGE)  # hired outside the locked township
    locks.lock_period(db.session, division_code=STREET, start=dt.date(2026, 4, 1),
                      end=dt.date(2026, 6, 30), reason="测试锁定", actor_id=None)

    assert settle_hires(db.session, made, actor=uploader) == {"ended": 0, "listed": 1}
    assert registration.cancelled_on is None
    assert _reviews() == [(registration.id, HireReviewState.OPEN, COMMUNITY)]
    assert hired.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED


# --- the desk page ---------------------------------------------------------------------------

def _open_review_elsewhere(make, uploader):
    """A hire uploaded in 乌兰浩特市 whose person is registered unemployed in 阿尔山市."""
    person = make.person(dt.date(1990, 5, 17), name="王录用")
    registration = make.unemployment(person, dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    made = batch(uploader)
    hire(make, person, made)
    settle_hires(db.session, made, actor=uploader)
    review = db.session.scalar(select(HireReview))
    db.session.commit()
    return person, registration, review


def test_the_other_countys_desk_sees_and_confirms_the_review(make, uploader, client, login_as):
    person, registration, review = _open_review_elsewhere(make, uploader)
    login_as("county_statistician", OTHER_BANNER)

    shown = client.get("/channels/hires").get_data(as_text=True)
    assert "王录用" in shown and registration.registration_no in shown
    assert person.id_number not in shown  # masked
    assert person.id_number[:6] in shown

    response = client.post(f"/channels/hires/{review.id}/confirm")
    assert response.status_code == 302
    db.session.expire_all()
    assert registration.cancelled_on == HIRED
    assert registration.cancel_reason == CancelReason.EMPLOYED
    assert review.state == HireReviewState.CONFIRMED
    assert review.decided_by_id is not None and review.decided_at is not None
    audited = db.session.scalars(select(AuditEvent.target_type).where(
        AuditEvent.action == "update", AuditEvent.actor_id == review.decided_by_id)).all()
    assert {"hire_reviews", "unemployment_registrations"} <= set(audited)
    # the uploader's county is told too
    told = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "channel_hire_settled"))
    assert told.division_code == OTHER_VILLAGE
    assert db.session.scalars(select(AuditEventDivision.division_code).where(
        AuditEventDivision.event_id == told.id)).all() == [BANNER]
    # settled: below, with who
    shown = client.get("/channels/hires").get_data(as_text=True)
    assert "已确认终止" in shown
    again = client.post(f"/channels/hires/{review.id}/confirm")
    assert again.status_code == 422
    assert "该核实事项已处理" in again.get_data(as_text=True)


def test_the_uploaders_county_cannot_see_or_settle_the_other_countys_review(
        make, uploader, client, login_as):
    _, registration, review = _open_review_elsewhere(make, uploader)
    login_as("county_statistician", BANNER)

    assert "王录用" not in client.get("/channels/hires").get_data(as_text=True)
    assert client.post(f"/channels/hires/{review.id}/confirm").status_code == 404
    assert client.post(f"/channels/hires/{review.id}/keep",
                       data={"note": "不属实"}).status_code == 404
    db.session.expire_all()
    assert registration.cancelled_on is None
    assert review.state == HireReviewState.OPEN


def test_keeping_a_registration_needs_a_reason(make, uploader, client, login_as):
    _, registration, review = _open_review_elsewhere(make, uploader)
    login_as("county_statistician", OTHER_BANNER)

    refused = client.post(f"/channels/hires/{review.id}/keep", data={"note": "  "})
    assert refused.status_code == 422
    assert "请填写保留原因" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert review.state == HireReviewState.OPEN

    response = client.post(f"/channels/hires/{review.id}/keep", data={"note": "身份证号码录入错误"})
    assert response.status_code == 302
    db.session.expire_all()
    assert review.state == HireReviewState.DISMISSED
    assert review.note == "身份证号码录入错误"
    assert registration.cancelled_on is None
    assert "身份证号码录入错误" in client.get("/channels/hires").get_data(as_text=True)


def test_confirming_a_registration_no_longer_open_is_refused(make, uploader, client, login_as):
    _, registration, review = _open_review_elsewhere(make, uploader)
    registration.cancelled_on = dt.date(2026, 3, 1)  # cancelled before the hire meanwhile
    registration.cancel_reason = CancelReason.MOVED_AWAY
    db.session.commit()
    login_as("county_statistician", OTHER_BANNER)

    refused = client.post(f"/channels/hires/{review.id}/confirm")
    assert refused.status_code == 422
    assert "请选择保留" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert registration.cancelled_on == dt.date(2026, 3, 1)
    assert review.state == HireReviewState.OPEN


def test_a_reader_sees_the_reviews_but_has_no_buttons(make, uploader, client, login_as):
    _, _, review = _open_review_elsewhere(make, uploader)
    login_as("league_statistician", "152200000000")

    shown = client.get("/channels/hires").get_data(as_text=True)
    assert "王录用" in shown
    assert f"/channels/hires/{review.id}/confirm" not in shown
    assert client.post(f"/channels/hires/{review.id}/confirm").status_code == 404


def test_confirming_in_a_locked_period_is_refused_with_the_lock(make, uploader, client, login_as):
    _, registration, review = _open_review_elsewhere(make, uploader)
    locks.lock_period(db.session, division_code=OTHER_BANNER, start=dt.date(2026, 4, 1),
                      end=dt.date(2026, 6, 30), reason="测试锁定", actor_id=None)
    db.session.commit()
    login_as("county_statistician", OTHER_BANNER)

    refused = client.post(f"/channels/hires/{review.id}/confirm")
    assert refused.status_code == 422
    assert "已报送锁定" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert registration.cancelled_on is None
    assert review.state == HireReviewState.OPEN
