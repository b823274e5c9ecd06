"""The payee check: every urban-hukou payee of a month in the reader's jurisdiction without a
valid unemployment registration open at the month's end is listed for the desk to register;
rural payees and registered ones are counted, not listed."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from field_app.channels.models import Channel
from field_app.channels.payees import payee_check
from field_app.extensions import db
from tests.channels.checks_support import (
    BANNER,
    COMMUNITY,
    OTHER_VILLAGE,
    batch,
    payee,
    set_today,
)

MAY = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _today():
    set_today()


@pytest.fixture
def payees(make):
    """One payee of May 2026 for each case, by name."""
    made = batch(channel=Channel.SI_PAYEES, filename="领取人员.csv", rows=7)
    people = {}

    def add(name, *, hukou="urban", division=COMMUNITY, month=MAY):
        person = make.person(dt.date(1980 + len(people), 1, 15), name=name, hukou=hukou)
        payee(person, made, month, division=division)
        people[name] = person
        return person

    add("甲未登记")
    make.unemployment(add("乙已登记"), dt.date(2026, 3, 1))
    make.unemployment(add("丙月中注销"), dt.date(2026, 3, 1), cancelled_on=dt.date(2026, 5, 20))
    make.unemployment(add("丁月末后登记"), dt.date(2026, 6, 2))
    make.unemployment(add("戊已作废"), dt.date(2026, 3, 1), valid=False)
    add("己农村", hukou="rural")
    add("庚外县", division=OTHER_VILLAGE)
    add("辛四月", month=dt.date(2026, 4, 1))
    # registered in another county: a registration anywhere counts
    make.unemployment(add("壬外地登记"), dt.date(2026, 3, 1), division=OTHER_VILLAGE)
    # cancelled on the month's last day: not open at its end
    make.unemployment(add("癸月末注销"), dt.date(2026, 3, 1), cancelled_on=dt.date(2026, 5, 31))
    db.session.flush()
    return people


def test_the_check_lists_urban_payees_without_a_registration_open_at_month_end(
        make, payees):
    user = make.user("county_statistician", BANNER)
    check = payee_check(db.session, user, MAY)

    listed = [person.name for _, person in check.unregistered]
    assert sorted(listed) == sorted(["甲未登记", "丙月中注销", "丁月末后登记", "戊已作废",
                                     "癸月末注销"])
    assert (check.checked, check.rural, check.registered, check.missing) == (8, 1, 2, 5)


def test_the_page_defaults_to_the_latest_month_and_masks_id_numbers(
        make, payees, client, login_as):
    login_as("county_statistician", BANNER)
    response = client.get("/channels/payees")
    shown = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="2026-05"' in shown
    assert "共核对领取人员 8 人" in shown and "未进行失业登记 5 人" in shown
    for name in ("甲未登记", "丙月中注销", "丁月末后登记"):
        assert name in shown
    for name in ("乙已登记", "己农村", "庚外县", "辛四月", "壬外地登记"):
        assert name not in shown
    assert payees["甲未登记"].id_number not in shown

    april = client.get("/channels/payees?month=2026-04").get_data(as_text=True)
    assert "辛四月" in april and "甲未登记" not in april


@pytest.mark.parametrize("month", ["2026-13", "五月", "2026-5-1x", "9" * 60])
def test_a_bad_month_is_refused_in_chinese(make, payees, client, login_as, month):
    login_as("county_statistician", BANNER)
    response = client.get("/channels/payees", query_string={"month": month})
    assert response.status_code == 422
    assert "月份应写作" in response.get_data(as_text=True)


def test_the_register_button_opens_the_desk_form_for_the_person(
        make, payees, client, login_as):
    from field_app.channels.models import BenefitPayee

    login_as("township_reviewer", "152201001000")
    person = payees["甲未登记"]
    row = db.session.scalar(select(BenefitPayee).where(BenefitPayee.person_id == person.id))
    shown = client.get("/channels/payees").get_data(as_text=True)
    assert f"/channels/payees/{row.id}/register" in shown

    response = client.post(f"/channels/payees/{row.id}/register")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/desk/persons/{person.id}/unemployment?division={row.division_code}&benefit=1")
    form = client.get(response.headers["Location"])
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert person.name in page
    # The form starts from the payee's division and the benefit the payee draws.
    assert re.search(rf'<option selected value="{row.division_code}">', page)
    assert re.search(r'<input checked id="receives_benefit"', page)
    # A division the clerk may not register in is not taken from the link.
    other = client.get(f"/desk/persons/{person.id}/unemployment?division=152202000000")
    assert 'selected value="152202000000"' not in other.get_data(as_text=True)
    assert "checked" not in re.search(r'<input[^>]*id="receives_benefit"[^>]*>',
                                      other.get_data(as_text=True)).group(0)

    saved = client.post(f"/desk/persons/{person.id}/unemployment", data={
        "division_code": COMMUNITY, "registered_on": "2026-05-15"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    assert "甲未登记" not in client.get("/channels/payees").get_data(as_text=True)


def test_another_countys_payee_cannot_be_registered_from_here(make, payees, client, login_as):
    from field_app.channels.models import BenefitPayee

    login_as("county_statistician", BANNER)
    outside = db.session.scalar(select(BenefitPayee).where(
        BenefitPayee.person_id == payees["庚外县"].id))
    assert client.post(f"/channels/payees/{outside.id}/register").status_code == 404
    assert client.get(f"/desk/persons/{payees['庚外县'].id}/unemployment").status_code == 404


def test_a_reader_sees_the_list_without_register_buttons(make, payees, client, login_as):
    login_as("league_statistician", "152200000000")
    shown = client.get("/channels/payees").get_data(as_text=True)
    assert "庚外县" in shown  # the league covers both banners
    assert not re.search(r"/channels/payees/\d+/register", shown)


def test_no_payees_in_scope_says_so(make, client, login_as):
    login_as("county_statistician", BANNER)
    response = client.get("/channels/payees")
    assert response.status_code == 200
    assert "还没有上传的失业保险金领取人员名单" in response.get_data(as_text=True)
