"""Account administration: the county administrator for the posts of its county, the league
administrator for its league (county administrators and league statisticians included), the
region administrator for the league's administrators and the region's statisticians; nobody
for their own account or a peer's."""
from __future__ import annotations


import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from field_app.accounts.models import RestoreRequest, User
from field_app.accounts.roles import AccountState, RestoreState, Role
from field_app.extensions import db
from tests.accounts.helpers import flashes, form_errors, sign_in

NEW_PASSWORD = "Initial-pass-9"
NOT_ALLOWED = "无权在该区划设置此岗位"
NON_ADMINS = [Role.VILLAGE_COLLECTOR, Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN,
              Role.COUNTY_LEADER, Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN,
              Role.AUDITOR]


@pytest.fixture
def browser(app):
    """``browser()``: another user's own test client."""
    return lambda: app.test_client()


@pytest.fixture
def make(make):
    """The factory tree plus a second league, 锡林郭勒盟, with one banner."""
    make.division("152500000000", "锡林郭勒盟", "150000000000")
    make.division("152501000000", "二连浩特市", "152500000000")
    return make


def create(client, role, division, username="zhao.liu", password=NEW_PASSWORD):
    return client.post("/accounts/new", data={
        "username": username, "display_name": "赵六", "phone": "", "role": role,
        "division_code": division, "password": password})


def user_named(username) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


# --- creating accounts ------------------------------------------------------------------

@pytest.mark.parametrize(("actor", "role", "division", "allowed"), [
    ("league_admin", "village_collector", "152201100201", True),
    ("league_admin", "township_reviewer", "152202100000", True),
    ("league_admin", "county_statistician", "152201000000", True),
    ("league_admin", "county_leader", "152202000000", True),
    ("league_admin", "auditor", "152200000000", True),
    ("league_admin", "county_statistician", "152501000000", False),  # another league
    ("league_admin", "auditor", "150000000000", False),  # above its league
    ("league_admin", "village_collector", "152201100000", False),  # a township, not a village
    ("league_admin", "league_admin", "152200000000", False),
    ("league_admin", "region_admin", "150000000000", False),
    ("region_admin", "league_admin", "152200000000", True),
    ("region_admin", "league_admin", "152500000000", True),
    ("region_admin", "league_admin", "152201000000", False),  # a banner, not a league
    ("region_admin", "region_admin", "150000000000", False),
    # The league appoints the county administrators of its league, and its statisticians.
    ("league_admin", "county_admin", "152201000000", True),
    ("league_admin", "county_admin", "152501000000", False),  # a banner of another league
    ("league_admin", "county_admin", "152200000000", False),  # the league, not a banner
    ("league_admin", "league_statistician", "152200000000", True),
    ("league_admin", "league_statistician", "152500000000", False),
    ("league_admin", "region_statistician", "150000000000", False),
    ("region_admin", "region_statistician", "150000000000", True),
    ("region_admin", "league_statistician", "152500000000", True),
    ("region_admin", "county_admin", "152501000000", True),
    ("region_admin", "region_statistician", "152200000000", False),  # a league
    # The county administrator fills the posts of its own county.
    ("county_admin", "village_collector", "152201100201", True),
    ("county_admin", "township_reviewer", "152201001000", True),
    ("county_admin", "county_statistician", "152201000000", True),
    ("county_admin", "county_leader", "152201000000", True),
    ("county_admin", "county_statistician", "152202000000", False),  # the next banner
    ("county_admin", "village_collector", "152202100201", False),
    ("county_admin", "county_admin", "152201000000", False),  # a peer
    ("county_admin", "league_statistician", "152200000000", False),
    ("county_admin", "league_admin", "152200000000", False),
    ("county_admin", "auditor", "152201000000", False),
    ("county_admin", "region_statistician", "150000000000", False),
])
def test_accounts_are_created_by_the_administrator_of_the_division_above(
        client, login_as, make, actor, role, division, allowed):
    admin = login_as(actor)
    response = create(client, role, division)
    created = user_named("zhao.liu")
    if allowed:
        assert response.headers["Location"] == f"/accounts/{created.id}"
        assert (created.role, created.division_code, created.created_by_id) == (
            Role(role), division, admin.id)
    else:
        assert form_errors(response) == [NOT_ALLOWED]
        assert created is None


@pytest.mark.parametrize("role", NON_ADMINS)
@pytest.mark.parametrize("path", ["/accounts", "/accounts/new", "/restore-requests"])
def test_other_roles_do_not_reach_account_administration(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("role", NON_ADMINS)
def test_other_roles_cannot_create_accounts(client, login_as, role):
    login_as(role)
    assert create(client, "village_collector", "152201100201").status_code == 404
    assert user_named("zhao.liu") is None


@pytest.mark.parametrize(("username", "password", "message"), [
    ("taken", NEW_PASSWORD, "用户名已存在"),
    ("zhao.liu", "short1A", "密码至少8位"),
    ("zhao.liu", "Zhao.Liu-2026", "密码不能包含用户名"),
])
def test_a_new_account_needs_a_free_username_and_a_policy_password(client, login_as, make,
                                                                   username, password, message):
    make.user("village_collector", username="taken")
    login_as("league_admin")
    response = create(client, "village_collector", "152201100201", username, password)
    assert message in form_errors(response)[0]


def test_a_new_account_changes_its_password_at_first_sign_in(client, browser, login_as):
    login_as("league_admin")
    create(client, "village_collector", "152201100201")
    newcomer = browser()
    assert sign_in(newcomer, "zhao.liu", NEW_PASSWORD).status_code == 302
    assert newcomer.get("/divisions/152201100201").headers["Location"] == "/password"
    assert user_named("zhao.liu").must_change_password is True


# --- who manages whom -------------------------------------------------------------------

@pytest.mark.parametrize(("actor", "role", "division", "manages"), [
    ("league_admin", "village_collector", "152201100201", True),
    ("league_admin", "auditor", "152200000000", True),
    ("league_admin", "league_admin", "152200000000", False),  # a peer
    ("league_admin", "league_admin", "152500000000", False),
    ("league_admin", "region_admin", "150000000000", False),
    ("league_admin", "county_statistician", "152501000000", False),  # another league
    ("region_admin", "league_admin", "152200000000", True),
    ("region_admin", "region_admin", "150000000000", False),
    ("league_admin", "county_admin", "152201000000", True),
    ("league_admin", "league_statistician", "152200000000", True),
    ("region_admin", "region_statistician", "150000000000", True),
    ("region_admin", "county_admin", "152201000000", True),
    ("county_admin", "village_collector", "152201100201", True),
    ("county_admin", "township_reviewer", "152201100000", True),
    ("county_admin", "county_statistician", "152201000000", True),
    ("county_admin", "county_leader", "152201000000", True),
    ("county_admin", "county_admin", "152201000000", False),  # a peer of the same county
    ("county_admin", "auditor", "152201000000", False),  # bound in its county, not its post
    ("county_admin", "county_statistician", "152202000000", False),  # the next banner
    ("county_admin", "league_statistician", "152200000000", False),
    ("county_admin", "league_admin", "152200000000", False),
])
def test_an_administrator_manages_only_accounts_below_it(client, login_as, make, actor, role,
                                                         division, manages):
    login_as(actor)
    target = make.user(role, division, username="target.user")
    db.session.commit()
    assert client.get(f"/accounts/{target.id}").status_code == (200 if manages else 404)
    listed = client.get("/accounts").get_data(as_text=True)
    assert (target.username in listed) == manages
    response = client.post(f"/accounts/{target.id}/deactivate", data={"reason": "transfer"})
    assert response.status_code == (302 if manages else 404)
    db.session.refresh(target)
    assert (target.state == AccountState.DEACTIVATED) == manages


@pytest.mark.parametrize(("method", "action", "data"), [
    ("get", "", None),
    ("post", "/assignment", {"role": "league_admin", "division_code": "152500000000"}),
    ("post", "/deactivate", {"reason": "resignation"}),
    ("post", "/password", {"password": NEW_PASSWORD}),
])
@pytest.mark.parametrize("role", ["county_admin", "league_admin", "region_admin"])
def test_nobody_manages_their_own_account(client, login_as, role, method, action, data):
    admin = login_as(role)
    before = (admin.role, admin.division_code, admin.state, admin.password_hash)
    response = getattr(client, method)(f"/accounts/{admin.id}{action}", data=data)
    assert response.status_code == 404
    db.session.refresh(admin)
    assert (admin.role, admin.division_code, admin.state, admin.password_hash) == before


# --- changing role and division ---------------------------------------------------------

@pytest.fixture
def collector(make):
    user = make.user("village_collector", username="wang.wu")
    db.session.commit()
    return user


@pytest.mark.parametrize(("role", "division", "allowed"), [
    ("village_collector", "152202100201", True),  # to another banner's village
    ("township_reviewer", "152201100000", True),
    ("auditor", "152200000000", True),
    ("village_collector", "152501000000", False),  # into another league
    ("league_admin", "152200000000", False),
    ("county_statistician", "152201100201", False),  # wrong level
])
def test_the_league_administrator_changes_role_and_division_within_its_league(
        client, login_as, collector, role, division, allowed):
    login_as("league_admin")
    response = client.post(f"/accounts/{collector.id}/assignment",
                           data={"role": role, "division_code": division}, follow_redirects=True)
    if allowed:
        assert flashes(response) == ["岗位已更新"]
    else:
        assert response.status_code == 422 and form_errors(response) == [NOT_ALLOWED]
    db.session.refresh(collector)
    expected = (Role(role), division) if allowed else (Role.VILLAGE_COLLECTOR, "152201100201")
    assert (collector.role, collector.division_code) == expected


def test_a_deactivated_account_given_a_new_post_signs_in_again(client, browser, login_as,
                                                              collector):
    login_as("league_admin")
    client.post(f"/accounts/{collector.id}/deactivate", data={"reason": "transfer"})
    assert collector.username in client.get("/accounts").get_data(as_text=True)
    client.post(f"/accounts/{collector.id}/assignment",
                data={"role": "township_reviewer", "division_code": "152202100000"})
    db.session.refresh(collector)
    assert (collector.state, collector.role, collector.former_division_code) == (
        AccountState.ACTIVE, Role.TOWNSHIP_REVIEWER, None)
    assert sign_in(browser(), collector.username).status_code == 302


def test_a_password_reset_ends_the_holders_sessions_and_forces_a_change(client, browser,
                                                                         login_as, collector):
    holder = browser()
    assert sign_in(holder, collector.username).status_code == 302
    assert holder.get("/divisions/152201100201").status_code == 200
    login_as("league_admin")
    response = client.post(f"/accounts/{collector.id}/password",
                           data={"password": NEW_PASSWORD}, follow_redirects=True)
    assert flashes(response) == ["密码已重置，用户下次登录须修改密码"]
    db.session.refresh(collector)
    assert check_password_hash(collector.password_hash, NEW_PASSWORD)
    assert holder.get("/divisions/152201100201").headers["Location"].startswith("/login")
    assert sign_in(holder, collector.username, NEW_PASSWORD).status_code == 302
    assert holder.get("/").headers["Location"] == "/password"


# --- restore requests are decided by the division above ---------------------------------

def pending_request(make, role, division=None) -> RestoreRequest:
    user = make.user(role, division, state=AccountState.LOCKED)
    request = RestoreRequest(user_id=user.id, reason="出差归来")
    db.session.add(request)
    db.session.commit()
    return request


@pytest.mark.parametrize(("actor", "role", "division", "decides"), [
    ("league_admin", "village_collector", None, True),
    ("league_admin", "county_statistician", "152501000000", False),  # another league
    ("league_admin", "league_admin", None, False),  # a peer
    ("region_admin", "league_admin", None, True),
    ("league_admin", "county_admin", None, True),
    ("county_admin", "township_reviewer", None, True),
    ("county_admin", "county_leader", None, True),
    ("county_admin", "county_admin", None, False),  # a peer
    ("county_admin", "village_collector", "152202100201", False),  # the next banner
    ("county_admin", "league_statistician", None, False),
])
def test_restore_requests_are_decided_by_the_administrator_above(client, login_as, make, actor,
                                                                 role, division, decides):
    request = pending_request(make, role, division)
    login_as(actor)
    listed = client.get("/restore-requests").get_data(as_text=True)
    assert ("出差归来" in listed) == decides
    response = client.post(f"/restore-requests/{request.id}/approve")
    assert response.status_code == (302 if decides else 404)
    db.session.refresh(request)
    assert request.state == (RestoreState.APPROVED if decides else RestoreState.PENDING)
    assert (request.user.state == AccountState.ACTIVE) == decides


def test_the_list_narrows_to_one_divisions_accounts_and_stays_scoped(client, login_as, make):
    """The appraisal's account-upkeep column links to the accounts of one division below."""
    login_as("league_admin", "152200000000")
    inside = make.user("village_collector", "152201100201", username="in.wulanhaote")
    county = make.user("county_statistician", "152201000000", username="county.wulanhaote")
    other = make.user("village_collector", "152202100201", username="in.aershan")
    elsewhere = make.user("county_statistician", "152501000000", username="other.league")
    db.session.commit()
    page = client.get("/accounts?division=152201000000").get_data(as_text=True)
    assert inside.username in page and county.username in page
    assert other.username not in page and elsewhere.username not in page
    assert 'id="division-filter"' in page and 'name="division" value="152201000000"' in page
    # Outside the administrator's jurisdiction the list stays empty, however asked.
    page = client.get("/accounts?division=152500000000").get_data(as_text=True)
    assert elsewhere.username not in page and "没有账号" in page
    # A malformed code is no filter.
    page = client.get("/accounts?division=x' OR 1=1").get_data(as_text=True)
    assert inside.username in page and other.username in page and "division-filter" not in page
    page = client.get("/accounts?division=152201000000&q=county").get_data(as_text=True)
    assert county.username in page and inside.username not in page  # with the search
