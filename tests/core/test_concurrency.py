"""Writers at the same moment, through the real HTTP path: every request gets its own thread,
test client, app context, session and connection, and they are released together.

Numbers (registration numbers, report serials, household codes) come from a counter row
taken under a lock, so none collides and none of the writes is lost; SQLite writers wait for
the write lock (WAL, busy timeout, BEGIN IMMEDIATE) instead of failing.
"""
from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from field_app.core.clock import clock
from field_app.core.counters import NumberCounter, next_number
from field_app.extensions import db
from field_app.households.models import Household
from field_app.registrations.models import EmploymentRegistration
from field_app.reports.models import Report
from tests.factories import uscc_for

COMMUNITY = "152201001001"  # 第一社区, a village of the clerk's street
STREET = "152201001000"
BANNER = "152201000000"
GACHA = "152201100201"  # the collector's village


def in_parallel(app, cookie: str, work: Callable, jobs: list) -> list:
    """Run ``work(client, job, start)`` for every job, each in its own thread with its own
    test client carrying the signed-in session ``cookie``; ``start()`` waits until every
    thread is ready, so the writes really cross. Returns what each call returned."""
    db.session.close()  # the test's own session holds no transaction while the threads run
    barrier = threading.Barrier(len(jobs), timeout=120)
    results: list = [None] * len(jobs)

    def run(index: int, job) -> None:
        client = app.test_client()
        client.set_cookie("session", cookie)
        try:
            results[index] = work(client, job, barrier.wait)
        except BaseException as error:  # reported below, not lost in the thread
            barrier.abort()
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]
    return results


def session_cookie(client) -> str:
    return client.get_cookie("session").value


@pytest.fixture
def signed_in(client, login_as):
    """``signed_in(role, division=None)``: the session cookie of a fresh account of the role."""

    def sign_in(role, division=None) -> str:
        login_as(role, division)
        return session_cookie(client)

    return sign_in


def test_twenty_desk_registrations_at_once_are_all_saved_with_distinct_numbers(
        app, make, signed_in):
    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    cookie = signed_in("township_reviewer", STREET)
    people = [(p.id, p.id_number) for p in (make.person(dt.date(1980 + n, 5, 17))
                                            for n in range(20))]
    db.session.commit()

    def register(client, person, start):
        person_id, id_number = person
        looked_up = client.post("/desk/", data={"id_number": id_number})
        assert looked_up.status_code == 302, looked_up.get_data(as_text=True)[:300]
        start()
        return client.post(f"/desk/persons/{person_id}/employment", data={
            "division_code": COMMUNITY, "employment_type": "unit", "employer_uscc": uscc_for(3),
            "employer_name": "兴安盟某某有限公司", "start_date": "2026-03-02",
            "registered_on": "2026-03-05", "person_category": "new_entrant"}).status_code

    statuses = in_parallel(app, cookie, register, people)

    assert statuses == [302] * 20
    numbers = db.session.scalars(select(EmploymentRegistration.registration_no)).all()
    assert sorted(numbers) == [f"JY{COMMUNITY[:6]}2026{n:05d}" for n in range(1, 21)]


def test_ten_reports_generated_at_once_get_ten_distinct_serials(app, make, signed_in):
    clock.set(dt.datetime(2025, 2, 3, 9, 30))
    cookie = signed_in("county_statistician", BANNER)
    make.rural_person(village=GACHA)
    db.session.commit()

    def generate(client, month, start):
        start()
        response = client.post("/reports/", data={"kind": "rural", "division": BANNER,
                                                   "period": f"2024-{month:02d}"})
        return response.status_code, response.mimetype

    answers = in_parallel(app, cookie, generate, list(range(1, 11)))

    assert answers == [(200, "application/pdf")] * 10
    reports = db.session.scalars(select(Report)).all()
    assert sorted(r.serial for r in reports) == list(range(1, 11))
    assert len({r.number for r in reports}) == 10
    assert sorted(r.period_start.month for r in reports) == list(range(1, 11))


def test_the_same_report_asked_for_at_once_gets_one_number(app, make, signed_in):
    clock.set(dt.datetime(2025, 2, 3, 9, 30))
    cookie = signed_in("county_statistician", BANNER)
    db.session.commit()

    def generate(client, _job, start):
        start()
        response = client.post("/reports/", data={"kind": "rural", "division": BANNER,
                                                   "period": "2024"})
        return response.status_code, response.headers.get("Content-Disposition")

    answers = in_parallel(app, cookie, generate, list(range(4)))

    assert {status for status, _ in answers} == {200}
    assert len({disposition for _, disposition in answers}) == 1
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_ten_new_households_synced_at_once_are_all_saved_with_distinct_codes(
        app, make, signed_in):
    make.survey_round()
    cookie = signed_in("village_collector", GACHA)
    db.session.commit()

    def new_household(client, number, start):
        token = client.get("/api/survey/session").get_json()["csrf_token"]
        ref = str(uuid.uuid4())
        start()
        response = client.post("/api/survey/sync", headers={"X-CSRFToken": token}, json={
            "changes": [{"uuid": str(uuid.uuid4()), "op": "household.save",
                         "household_ref": ref, "target_ref": ref, "base_version": None,
                         "data": {"address": f"第{number}组1号"},
                         "made_at": "2026-11-27T08:00:00+08:00"}]})
        return response.status_code, [r["status"] for r in response.get_json()["results"]]

    answers = in_parallel(app, cookie, new_household, list(range(1, 11)))

    assert answers == [(200, ["applied"])] * 10
    codes = db.session.scalars(select(Household.code)
                               .where(Household.village_code == GACHA)).all()
    assert sorted(codes) == [f"{GACHA}{n:05d}" for n in range(1, 11)]


def test_a_counter_starts_after_the_highest_number_already_taken(app_ctx):
    taken = iter([41, None])
    assert next_number(db.session, "test:seeded", taken=lambda: next(taken)) == 42
    # From then on the counter row remembers, also when the numbers it gave are gone.
    assert next_number(db.session, "test:seeded", taken=lambda: next(taken)) == 43
    assert db.session.get(NumberCounter, "test:seeded").value == 43


def test_a_counter_skips_numbers_written_past_it_by_an_import(app_ctx):
    assert next_number(db.session, "test:imported", taken=lambda: 0) == 1
    # An import wrote number 7 without the counter: the next number goes past it.
    assert next_number(db.session, "test:imported", taken=lambda: 7) == 8
    assert next_number(db.session, "test:imported", taken=lambda: 7) == 9


def test_a_new_household_code_follows_the_village_highest_code(app, make, signed_in):
    """Codes given before the counter existed (imports, the demo) keep the sequence going."""
    make.survey_round()
    make.household(GACHA, code=f"{GACHA}00007")
    cookie = signed_in("village_collector", GACHA)
    db.session.commit()

    def new_household(client, _job, start):
        token = client.get("/api/survey/session").get_json()["csrf_token"]
        ref = str(uuid.uuid4())
        start()
        return client.post("/api/survey/sync", headers={"X-CSRFToken": token}, json={
            "changes": [{"uuid": str(uuid.uuid4()), "op": "household.save",
                         "household_ref": ref, "target_ref": ref, "base_version": None,
                         "data": {"address": "第1组1号"},
                         "made_at": "2026-11-27T08:00:00+08:00"}]}).status_code

    assert in_parallel(app, cookie, new_household, [1]) == [200]
    assert sorted(db.session.scalars(select(Household.code))) == [
        f"{GACHA}00007", f"{GACHA}00008"]


def test_one_batch_resent_while_the_first_send_runs_is_applied_once(app, make, signed_in):
    make.survey_round()
    cookie = signed_in("village_collector", GACHA)
    db.session.commit()
    ref = str(uuid.uuid4())
    batch = {"changes": [{"uuid": str(uuid.uuid4()), "op": "household.save",
                          "household_ref": ref, "target_ref": ref, "base_version": None,
                          "data": {"address": "第一组1号"},
                          "made_at": "2026-11-27T08:00:00+08:00"}]}

    def send(client, _, start):
        token = client.get("/api/survey/session").get_json()["csrf_token"]
        start()
        response = client.post("/api/survey/sync", headers={"X-CSRFToken": token}, json=batch)
        return response.status_code, [r["status"] for r in response.get_json()["results"]]

    answers = in_parallel(app, cookie, send, [1, 2, 3])

    assert answers == [(200, ["applied"])] * 3
    assert db.session.scalar(select(func.count()).select_from(Household)
                             .where(Household.village_code == GACHA)) == 1


def test_one_new_employer_named_by_desks_of_different_villages_at_once_is_kept_once(
        app, make, signed_in):
    from field_app.registrations.models import Employer

    clock.set(dt.datetime(2026, 6, 15, 9, 30))
    cookie = signed_in("county_statistician", BANNER)
    villages = ["152201001001", "152201001002", "152201100201"] * 2
    people = [(make.person(dt.date(1981 + n, 3, 9)), village)
              for n, village in enumerate(villages)]
    jobs = [(p.id, p.id_number, village) for p, village in people]
    db.session.commit()

    def register(client, job, start):
        person_id, id_number, village = job
        assert client.post("/desk/", data={"id_number": id_number}).status_code == 302
        start()
        return client.post(f"/desk/persons/{person_id}/employment", data={
            "division_code": village, "employment_type": "unit", "employer_uscc": uscc_for(7),
            "employer_name": "科右前旗新办企业", "start_date": "2026-03-02",
            "registered_on": f"2026-03-0{villages.index(village) + 3}",
            "person_category": "new_entrant"}).status_code

    statuses = in_parallel(app, cookie, register, jobs)

    assert statuses == [302] * 6
    assert db.session.scalars(select(Employer.name)).all() == ["科右前旗新办企业"]
    assert db.session.scalar(select(func.count()).select_from(EmploymentRegistration)) == 6
