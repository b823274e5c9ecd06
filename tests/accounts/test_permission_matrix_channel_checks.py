"""The permission matrix of the checks' desk pages (/channels/hires, /channels/payees,
/channels/batches): the desk's readers see the reviews, payees and batches of their subtree;
only the desk's clerks settle a review or open the registration form for a payee, and only
inside their subtree. Everyone else, and everything outside, is 404; no page names an outside
person, file or registration."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.accounts.roles import Role
from field_app.channels.models import (
    BenefitPayee,
    Channel,
    ChannelBatch,
    HireReview,
    HireReviewState,
)
from field_app.core.clock import clock
from field_app.extensions import db
from tests.accounts.test_permission_matrix import EXTRA_TREE, INSIDE, OUTSIDE, Route
from tests.accounts.test_permission_matrix_desk import CLERKS, READERS
from tests.factories import uscc_for

CHANNEL_CHECKS_MATRIX = [
    Route("channel_checks.hire_list", "GET", "/channels/hires", READERS, 200, outside=None,
          shows="name"),
    Route("channel_checks.confirm_hire", "POST", "/channels/hires/{review}/confirm", CLERKS,
          302, state="review"),
    Route("channel_checks.keep_registration", "POST", "/channels/hires/{review}/keep", CLERKS,
          302, data={"note": "查无此人"}, state="review"),
    Route("channel_checks.payee_list", "GET", "/channels/payees", READERS, 200, outside=None,
          shows="payee_name"),
    Route("channel_checks.register_payee", "POST", "/channels/payees/{payee}/register", CLERKS,
          302),
    Route("channel_checks.batch_list", "GET", "/channels/batches", READERS, 200, outside=None,
          shows="filename"),
    Route("channel_checks.batch", "GET", "/channels/batches/{batch}", READERS, 200,
          shows="filename"),
]

# (inside, outside) for every role: a village in the account's subtree and the nearest
# division outside it.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201100201", "152201001001"),
    Role.TOWNSHIP_REVIEWER: ("152201100201", "152201001001"),
    Role.COUNTY_STATISTICIAN: ("152201100201", "152202100201"),
    Role.COUNTY_LEADER: ("152201100201", "152202100201"),
    Role.COUNTY_ADMIN: ("152201100201", "152202100201"),
    Role.LEAGUE_STATISTICIAN: ("152202100201", "150102000000"),
    Role.LEAGUE_ADMIN: ("152202100201", "150102000000"),
    Role.REGION_STATISTICIAN: ("150102000000", "140105000000"),
    Role.REGION_ADMIN: ("150102000000", "140105000000"),
    Role.AUDITOR: ("152201100201", "150102000000"),
}
CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in CHANNEL_CHECKS_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]


def _side(make, division: str, where: str, seed: int) -> dict[str, str]:
    mark = where.upper()
    hired = make.person(dt.date(1980 + seed, 1, 2), name=f"录用{mark}")
    paid = make.person(dt.date(1970 + seed, 3, 4), name=f"领取{mark}", hukou="urban")
    batch = ChannelBatch(channel=Channel.CIVIL_SERVICE, division_code=division,
                         filename=f"录用{mark}.xlsx", file_format="xlsx", sha256="0" * 64,
                         rows=1, inserted=1, updated=0, unchanged=0, uploaded_at=clock.now())
    payees = ChannelBatch(channel=Channel.SI_PAYEES, division_code=division,
                          filename=f"领取{mark}.csv", file_format="csv", sha256="1" * 64,
                          rows=1, inserted=1, updated=0, unchanged=0, uploaded_at=clock.now())
    db.session.add_all([batch, payees])
    db.session.flush()
    registration = make.unemployment(hired, dt.date(2026, 2, 1), division=division)
    employment = make.employment(hired, dt.date(2026, 5, 10), division=division,
                                 employment_type="unit", employer_uscc=uscc_for(5))
    employment.channel_batch_id = batch.id
    review = HireReview(employment_registration_id=employment.id,
                        unemployment_registration_id=registration.id, division_code=division,
                        state=HireReviewState.OPEN, channel_batch_id=batch.id)
    payee = BenefitPayee(person_id=paid.id, division_code=division, month=dt.date(2026, 5, 1),
                         channel_batch_id=payees.id)
    db.session.add_all([review, payee])
    db.session.flush()
    return {"name": hired.name, "payee_name": paid.name, "filename": batch.filename,
            "review": str(review.id), "payee": str(payee.id), "batch": str(batch.id),
            "registration": registration.registration_no,
            "markers": [hired.name, paid.name, batch.filename, payees.filename,
                        registration.registration_no]}


@pytest.fixture
def check_sides(make):
    def build(role: Role) -> dict[str, dict]:
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        built = {where: _side(make, division, where, seed)
                 for seed, (where, division) in enumerate(zip((INSIDE, OUTSIDE), SIDES[role]))}
        db.session.commit()
        return built

    return build


def _review_state(review_id: str):
    db.session.expire_all()
    return db.session.scalar(select(HireReview.state).where(HireReview.id == int(review_id)))


@pytest.fixture(autouse=True)
def _today():
    clock.set(dt.datetime(2026, 6, 15, 9, 30))


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_check_pages_reach_only_ones_subtree(client, check_sides, login_as, route, role, where):
    sides = check_sides(role)
    login_as(role)
    side = sides[where]
    before = _review_state(side["review"])
    url = route.url.format(**side)
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=route.data or {})
    body = response.get_data(as_text=True)

    assert response.status_code == route.expected(role, where), body[:400]
    for marker in sides[OUTSIDE]["markers"]:
        assert marker not in body
    allowed_inside = role in route.allowed and where == INSIDE
    if route.shows and allowed_inside:
        assert side[route.shows] in body
    if route.state:
        assert (_review_state(side["review"]) != before) == allowed_inside


@pytest.mark.parametrize("url", ["/channels/hires", "/channels/payees", "/channels/batches",
                                 "/channels/batches/1"])
def test_signed_out_visitor_is_sent_to_sign_in(client, make, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
