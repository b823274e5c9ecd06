"""The roles of the reporting chain in the role model: who appoints whom (every administrator ×
every role, at a division of the role's level inside and outside the administrator's
subtree), what the account forms offer, the menu each role sees, and the account lifecycle,
which applies to every role alike. The route rows of these roles are in
``test_permission_matrix`` (its SUBTREES) and the other matrices; this file adds no route."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from field_app.accounts.capabilities import Capability, role_can
from field_app.accounts.models import User
from field_app.accounts.roles import AccountState, Role
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.extensions import db
from tests.accounts.helpers import form_errors, sign_in
from tests.factories import DIVISION_FOR_ROLE

R = Role
COUNTY_POSTS = frozenset({R.VILLAGE_COLLECTOR, R.TOWNSHIP_REVIEWER, R.COUNTY_STATISTICIAN,
                          R.COUNTY_LEADER})
# The contract, written out: what each administrator may give.
GRANTED = {
    R.COUNTY_ADMIN: COUNTY_POSTS,
    R.LEAGUE_ADMIN: COUNTY_POSTS | {R.COUNTY_ADMIN, R.LEAGUE_STATISTICIAN, R.AUDITOR},
    R.REGION_ADMIN: frozenset(Role) - {R.REGION_ADMIN},
}
# Who appoints each role (and so deactivates it); the region administrator is made on the
# command line, by nobody in the application.
APPOINTER = {role: R.COUNTY_ADMIN for role in COUNTY_POSTS} | {
    R.COUNTY_ADMIN: R.LEAGUE_ADMIN, R.LEAGUE_STATISTICIAN: R.LEAGUE_ADMIN,
    R.AUDITOR: R.LEAGUE_ADMIN, R.LEAGUE_ADMIN: R.REGION_ADMIN,
    R.REGION_STATISTICIAN: R.REGION_ADMIN,
}
# A division of each level on the factory tree's path of the county administrator
# (乌兰浩特市), and one of each level beside it, outside every administrator's subtree but
# the one above it.
LEVEL_PLACES = {
    "inside": {"region": "150000000000", "league": "152200000000",
               "county": "152201000000", "township": "152201100000",
               "village": "152201100201"},
    "outside": {"region": "140000000000", "league": "152500000000",
                "county": "152501000000", "township": "152501100000",
                "village": "152501100201"},
}
ROLE_PLACE = {R.VILLAGE_COLLECTOR: "village", R.TOWNSHIP_REVIEWER: "township",
              R.COUNTY_STATISTICIAN: "county", R.COUNTY_LEADER: "county",
              R.COUNTY_ADMIN: "county", R.LEAGUE_STATISTICIAN: "league",
              R.LEAGUE_ADMIN: "league", R.REGION_STATISTICIAN: "region",
              R.REGION_ADMIN: "region"}
OUTSIDE_TREE = [
    ("140000000000", "山西省", None),
    ("152500000000", "锡林郭勒盟", "150000000000"),
    ("152501000000", "二连浩特市", "152500000000"),
    ("152501100000", "格日勒敖都苏木", "152501000000"),
    ("152501100201", "巴音乌拉嘎查", "152501100000"),
]
NEW = "roles-new"


def _place(admin: Role, role: Role, where: str) -> str:
    """Where ``admin`` is asked to give ``role``: the role's level on the path (inside) or
    beside it (outside). An auditor is bound at the administrator's own level."""
    if role == R.AUDITOR:
        level = {R.COUNTY_ADMIN: "county", R.LEAGUE_ADMIN: "league",
                 R.REGION_ADMIN: "region"}[admin]
        return LEVEL_PLACES[where][level]
    return LEVEL_PLACES[where][ROLE_PLACE[role]]


@pytest.fixture
def outside_tree(make):
    for code, name, parent in OUTSIDE_TREE:
        make.division(code, name, parent)
    db.session.commit()


def _create(client, role: Role, division: str):
    return client.post("/accounts/new", data={
        "username": NEW, "display_name": "新任", "phone": "", "role": role.value,
        "division_code": division, "password": "Appointed-2027"})


def _new_accounts() -> int:
    return db.session.scalar(select(func.count()).where(User.username == NEW))


GRANT_CASES = [
    pytest.param(admin, role, where, id=f"{admin.value}-gives-{role.value}-{where}")
    for admin in GRANTED for role in Role for where in ("inside", "outside")
    # Nothing lies outside the region administrator's region at the region's own level but
    # another region; the rest of its "outside" is inside another league of its region.
    if not (admin == R.REGION_ADMIN and where == "outside" and ROLE_PLACE.get(role) != "region"
            and role != R.AUDITOR)
]


@pytest.mark.parametrize(("admin", "role", "where"), GRANT_CASES)
def test_each_administrator_gives_exactly_its_roles_inside_its_subtree(
        client, login_as, outside_tree, admin, role, where):
    login_as(admin, LEVEL_PLACES["inside"][{R.COUNTY_ADMIN: "county", R.LEAGUE_ADMIN: "league",
                                            R.REGION_ADMIN: "region"}[admin]])
    division = _place(admin, role, where)

    response = _create(client, role, division)

    allowed = role in GRANTED[admin] and where == "inside"
    assert response.status_code == (302 if allowed else 422), form_errors(response)
    assert _new_accounts() == (1 if allowed else 0)
    if not allowed:
        assert form_errors(response) == ["无权在该区划设置此岗位"]
        for code, name, _parent in OUTSIDE_TREE:
            assert name not in response.get_data(as_text=True)


@pytest.mark.parametrize("admin", sorted(GRANTED))
def test_the_account_forms_offer_only_the_roles_the_administrator_gives(client, login_as, make,
                                                                        admin):
    me = login_as(admin)
    target = make.user(R.VILLAGE_COLLECTOR, username="offered.to")
    db.session.commit()
    for page in (client.get("/accounts/new"), client.get(f"/accounts/{target.id}")):
        select_ = re.search(r'<select[^>]*name="role".*?</select>', page.get_data(as_text=True),
                            re.S).group(0)
        offered = set(re.findall(r'<option[^>]*value="([a-z_]+)"', select_))
        assert offered == {role.value for role in GRANTED[admin]}, me.role


def test_the_league_administrator_appoints_a_county_administrator_who_then_fills_its_county(
        app, client, login_as, make):
    login_as(R.LEAGUE_ADMIN)
    assert _create(client, R.COUNTY_ADMIN, "152202000000").status_code == 302
    appointed = db.session.scalar(select(User).where(User.username == NEW))
    assert (appointed.role, appointed.division_code) == (R.COUNTY_ADMIN, "152202000000")
    # At its first sign-in it enrols an authenticator, as every administrator does.
    county = app.test_client()
    response = county.post("/login", data={"username": NEW, "password": "Appointed-2027"})
    assert response.headers["Location"] == "/login/enrol"


def test_a_county_administrator_cannot_move_an_account_of_its_county_to_a_higher_post(
        client, login_as, make):
    login_as(R.COUNTY_ADMIN)
    statistician = make.user(R.COUNTY_STATISTICIAN, username="stays.put")
    db.session.commit()
    for role, division in ((R.COUNTY_ADMIN, "152201000000"), (R.LEAGUE_STATISTICIAN,
                                                             "152200000000"),
                           (R.AUDITOR, "152201000000"), (R.COUNTY_LEADER, "152202000000")):
        response = client.post(f"/accounts/{statistician.id}/assignment",
                               data={"role": role.value, "division_code": division})
        assert response.status_code == 422
        db.session.refresh(statistician)
        assert (statistician.role, statistician.division_code) == (R.COUNTY_STATISTICIAN,
                                                                   "152201000000")


def test_a_made_up_role_is_refused_as_a_choice(client, login_as):
    login_as(R.REGION_ADMIN)
    response = client.post("/accounts/new", data={
        "username": NEW, "display_name": "新任", "role": "super_admin",
        "division_code": "150000000000", "password": "Appointed-2027"})
    assert response.status_code == 422 and _new_accounts() == 0


# --- the menu -----------------------------------------------------------------------------

MENU = {  # the entry's link → the capability that shows it
    "/accounts": Capability.MANAGE_ACCOUNTS,
    "/restore-requests": Capability.MANAGE_ACCOUNTS,
    "/reports/": Capability.PRINT_REPORTS,
    "/audit/": Capability.READ_AUDIT,
    "/review/": Capability.REVIEW_HOUSEHOLDS,
    "/survey/rounds": Capability.VIEW_ROUNDS,
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_menu_entries_of_its_capabilities(client, login_as, role):
    login_as(role)
    page = client.get("/password").get_data(as_text=True)
    menu = page.split('<nav class="menu">', 1)[1].split("</nav>", 1)[0]
    links = set(re.findall(r'href="([^"?]+)', menu))
    for link, capability in MENU.items():
        assert (link in links) == role_can(role, capability), link
    assert {"/password", "/account/two-factor"} <= links


# --- the lifecycle applies to every role --------------------------------------------------

T0 = dt.datetime(2026, 3, 2, 9, 0)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_locks_after_thirty_idle_days_and_is_cancelled_after_two_years(
        client, runner, make, role):
    clock.set(T0)
    holder = make.user(role, username="idle.holder")
    db.session.commit()
    clock.advance(dt.timedelta(days=30))
    assert form_errors(sign_in(client, holder.username)) == [
        "账号因30天未登录已被锁定，请提交恢复权限申请"]
    clock.advance(dt.timedelta(days=700))
    assert "注销 cancelled: 1" in runner.invoke(args=["accounts", "sweep"]).output
    db.session.refresh(holder)
    assert holder.state == AccountState.CANCELLED
    assert form_errors(sign_in(client, holder.username)) == ["账号已注销，不能再登录"]


@pytest.mark.parametrize("role", sorted(APPOINTER))
def test_every_role_is_deactivated_on_transfer_by_the_administrator_who_appoints_it(
        client, app, login_as, make, role):
    holder = make.user(role, username="moving.on")
    db.session.commit()
    phone = app.test_client()
    assert sign_in(phone, holder.username).status_code == 302
    assert phone.get("/password").status_code == 200
    login_as(APPOINTER[role], DIVISION_FOR_ROLE[APPOINTER[role]])

    response = client.post(f"/accounts/{holder.id}/deactivate", data={"reason": "transfer"})

    assert response.status_code == 302
    db.session.refresh(holder)
    assert (holder.state, holder.role, holder.division_code, holder.former_division_code) == (
        AccountState.DEACTIVATED, None, None, DIVISION_FOR_ROLE[role])
    assert phone.get("/password").headers["Location"].startswith("/login")
    assert db.session.scalar(select(func.count()).where(
        AuditEvent.target_id == str(holder.id), AuditEvent.action == "update")) >= 1
