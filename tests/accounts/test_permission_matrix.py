"""The permission matrix: every route, every role, a record inside the role's subtree and one
outside it, read and write. Outside (or not the role's business) is always 404, and no
response ever carries the outside record's name."""
from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import func, select

from field_app.accounts.models import AccountSecurity, RestoreRequest, User
from field_app.accounts.roles import AccountState, Role
from field_app.audit.actor import Actor
from field_app.audit.models import AuditEvent
from field_app.audit.operations import record
from field_app.core.codes import Level, level_of
from field_app.extensions import db
from tests.factories import PASSWORD

ALL = frozenset(Role)
ADMINS = frozenset({Role.COUNTY_ADMIN, Role.LEAGUE_ADMIN, Role.REGION_ADMIN})
AUDIT_READERS = ADMINS | {Role.AUDITOR}
STATISTICS = ALL - {Role.AUDITOR}

INSIDE, OUTSIDE, OWN = "inside", "outside", "own"

# Beyond the factory tree: another league in the region, and another region.
EXTRA_TREE = [
    ("150100000000", "呼和浩特市", "150000000000"),
    ("150102000000", "新城区", "150100000000"),
    ("140000000000", "山西省", None),
    ("140100000000", "太原市", "140000000000"),
    ("140105000000", "小店区", "140100000000"),
]
# (inside, outside) for each role: a division below the role's own, and the nearest one it
# must not reach. Target accounts and restore requests sit at these divisions too.
SUBTREES = {
    Role.VILLAGE_COLLECTOR: ("152201100201", "152201001001"),
    Role.TOWNSHIP_REVIEWER: ("152201100201", "152201001000"),
    Role.COUNTY_STATISTICIAN: ("152201100000", "152202000000"),
    Role.COUNTY_LEADER: ("152201100000", "152202000000"),
    # Its own county: the accounts it manages sit there too (a county statistician's).
    Role.COUNTY_ADMIN: ("152201000000", "152202000000"),
    Role.LEAGUE_STATISTICIAN: ("152202000000", "150102000000"),
    Role.REGION_STATISTICIAN: ("150102000000", "140105000000"),
    Role.LEAGUE_ADMIN: ("152202000000", "150102000000"),
    Role.REGION_ADMIN: ("150102000000", "140105000000"),
    Role.AUDITOR: ("152201000000", "150102000000"),
}
ROLE_AT_LEVEL = {Level.VILLAGE: Role.VILLAGE_COLLECTOR, Level.TOWNSHIP: Role.TOWNSHIP_REVIEWER,
                 Level.COUNTY: Role.COUNTY_STATISTICIAN}
NEW_USERNAME = "matrix-new"


@dataclasses.dataclass(frozen=True)
class Side:
    """The records on one side of the role's jurisdiction boundary."""

    division: str
    division_name: str
    account: int
    account_username: str
    account_name: str
    request: int
    requester_username: str
    probe_note: str
    probe: int = 0  # the probe's audit event

    @property
    def markers(self) -> list[str]:
        return [self.division_name, self.account_username, self.account_name,
                self.requester_username, self.probe_note]


@dataclasses.dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str  # placeholders are filled from a Side, plus {me}
    allowed: frozenset[Role]
    status: int  # for an allowed role, inside
    outside: int | None = 404  # for an allowed role, outside; None: the route has no target
    data: dict[str, str] | None = None
    shows: str | None = None  # the Side field an allowed inside read must show
    state: str | None = None  # a key of STATES: what an allowed inside write changes
    by_role: dict[Role, int] | None = None  # an allowed role's own status, where it differs

    def expected(self, role: Role, where: str) -> int:
        if role not in self.allowed:
            return 404
        if self.by_role and role in self.by_role:
            return self.by_role[role]
        return self.outside if where == OUTSIDE else self.status

    def __str__(self) -> str:
        return f"{self.endpoint}-{self.method}"


def _account_row(side: Side):
    return tuple(db.session.execute(select(User.__table__).where(User.id == side.account)).one())


def _request_row(side: Side):
    table = RestoreRequest.__table__
    return tuple(db.session.execute(select(table).where(table.c.id == side.request)).one())


def _new_accounts(side: Side) -> int:
    return db.session.scalar(select(func.count()).where(User.username == NEW_USERNAME))


def _account_sessions(side: Side):
    """The account's session generation: what ends its sessions."""
    return db.session.scalar(select(AccountSecurity.session_generation)
                             .where(AccountSecurity.user_id == side.account))


STATES = {"account": _account_row, "request": _request_row, "new_account": _new_accounts,
          "account_sessions": _account_sessions}

MATRIX = [
    # Records: outside is 404.
    Route("statistics.show", "GET", "/divisions/{division}", STATISTICS, 200,
          shows="division_name"),
    Route("api.indicators", "GET", "/api/divisions/{division}/indicators?period=2026",
          STATISTICS, 200, shows="division_name"),
    Route("accounts.show_account", "GET", "/accounts/{account}", ADMINS, 200,
          shows="account_username"),
    Route("accounts.assign", "POST", "/accounts/{account}/assignment", ADMINS, 302,
          data={"role": "county_leader", "division_code": "{division}"}, state="account"),
    Route("accounts.deactivate", "POST", "/accounts/{account}/deactivate", ADMINS, 302,
          data={"reason": "transfer"}, state="account"),
    Route("accounts.reset_password", "POST", "/accounts/{account}/password", ADMINS, 302,
          data={"password": "Reset-pass-2027"}, state="account"),
    Route("accounts.decide_restore", "POST", "/restore-requests/{request}/approve", ADMINS,
          302, state="request"),
    Route("accounts.reset_second_factor", "POST", "/accounts/{account}/two-factor/reset", ADMINS,
          302, state="account_sessions"),
    # Listings and filters: the outside record is simply not among the results.
    Route("accounts.list_accounts", "GET", "/accounts", ADMINS, 200, outside=200,
          shows="account_username"),
    Route("accounts.restore_requests", "GET", "/restore-requests", ADMINS, 200, outside=200,
          shows="requester_username"),
    Route("audit.index", "GET", "/audit/?division={division}", AUDIT_READERS, 200,
          outside=200, shows="probe_note"),
    Route("audit.export", "GET", "/audit/export.csv?division={division}", AUDIT_READERS, 200,
          outside=200, shows="probe_note"),
    # An event in full: auditors only, and only an event their log shows.
    Route("audit.reveal", "POST", "/audit/{probe}/reveal", frozenset({Role.AUDITOR}), 200,
          shows="probe_note"),
    # A new account at an outside division is refused in the form, and nothing is written.
    Route("accounts.new_account", "POST", "/accounts/new", ADMINS, 302, outside=422,
          data={"username": NEW_USERNAME, "display_name": "新账号",
                "role": "county_statistician", "division_code": "{division}",
                "password": "Matrix-pass-2027"}, state="new_account"),
    # No target record: the signed-in user's own pages.
    Route("accounts.new_account", "GET", "/accounts/new", ADMINS, 200, outside=None),
    Route("statistics.home", "GET", "/", ALL, 302, outside=None),
    Route("accounts.login", "GET", "/login", ALL, 200, outside=None),
    Route("accounts.login", "POST", "/login", ALL, 302, outside=None,
          data={"username": "{me}", "password": PASSWORD}),
    Route("accounts.logout", "POST", "/logout", ALL, 302, outside=None),
    Route("accounts.change_password", "GET", "/password", ALL, 200, outside=None),
    Route("accounts.change_password", "POST", "/password", ALL, 302, outside=None,
          data={"current": PASSWORD, "new": "Changed-pass-2027"}),
    Route("accounts.restore_request", "GET", "/restore-request", ALL, 200, outside=None),
    # The second step of sign-in, reached signed in without a pending sign-in: back to /login.
    Route("accounts.second_factor", "GET", "/login/verify", ALL, 302, outside=None),
    Route("accounts.second_factor", "POST", "/login/verify", ALL, 302, outside=None,
          data={"code": "000000"}),
    Route("accounts.enrol_at_sign_in", "GET", "/login/enrol", ALL, 302, outside=None),
    Route("accounts.enrol_at_sign_in", "POST", "/login/enrol", ALL, 302, outside=None,
          data={"code": "000000"}),
    # One's own second factor: administrators (county ones too) and auditors have enrolled
    # at sign-in, and may not turn it off.
    Route("accounts.two_factor_settings", "GET", "/account/two-factor", ALL, 200,
          outside=None),
    Route("accounts.enrol_second_factor", "GET", "/account/two-factor/enrol", ALL, 200,
          outside=None, by_role=dict.fromkeys(AUDIT_READERS, 302)),
    Route("accounts.enrol_second_factor", "POST", "/account/two-factor/enrol", ALL, 422,
          outside=None, data={"code": "000000"}, by_role=dict.fromkeys(AUDIT_READERS, 302)),
    Route("accounts.renew_recovery_codes", "POST", "/account/two-factor/recovery-codes", ALL,
          422, outside=None, data={"code": "000000"}),
    Route("accounts.disable_second_factor", "POST", "/account/two-factor/disable", ALL, 302,
          outside=None, data={"password": PASSWORD},
          by_role=dict.fromkeys(AUDIT_READERS, 422)),
    # Only a locked account may file; the signed-in holder of an active one is told so.
    Route("accounts.restore_request", "POST", "/restore-request", ALL, 422, outside=None,
          data={"username": "{me}", "password": PASSWORD, "reason": "恢复"}),
]
PUBLIC = {"accounts.login", "accounts.restore_request"}

CASES = [
    pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
    for route in MATRIX
    for role in Role
    for where in ((OWN,) if route.outside is None else (INSIDE, OUTSIDE))
]


def _side(make, where: str, code: str) -> Side:
    name = next(n for c, n, _ in make.TREE + EXTRA_TREE if c == code)
    role = ROLE_AT_LEVEL[level_of(code)]
    account = make.user(role, code, username=f"{where}-account")
    account.display_name = f"辖区{'内' if where == INSIDE else '外'}人员"
    requester = make.user(role, code, username=f"{where}-requester", state=AccountState.LOCKED)
    request = RestoreRequest(user_id=requester.id, reason="申请恢复")
    db.session.add(request)
    db.session.flush()
    record(db.session, "probe", actor=Actor(None, "probe"), division=code,
           note=f"{where}-probe")
    probe = db.session.scalar(select(func.max(AuditEvent.id)))
    return Side(code, name, account.id, account.username, account.display_name, request.id,
                requester.username, f"{where}-probe", probe)


@pytest.fixture
def sides(make):
    """``sides(role)``: the inside and outside records for ``role``, committed."""

    def build(role: Role) -> dict[str, Side]:
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        inside, outside = SUBTREES[role]
        built = {INSIDE: _side(make, INSIDE, inside), OUTSIDE: _side(make, OUTSIDE, outside)}
        built[OWN] = built[INSIDE]
        db.session.commit()
        return built

    return build


def _values(side: Side, me: str) -> dict[str, str]:
    values = {field.name: str(getattr(side, field.name)) for field in dataclasses.fields(Side)}
    return values | {"me": me}


def _send(client, route: Route, values: dict[str, str]):
    url = route.url.format(**values)
    if route.method == "GET":
        return client.get(url)
    data = {key: value.format(**values) for key, value in (route.data or {}).items()}
    return client.post(url, data=data)


def _text(response) -> str:
    """The body as a reader sees it: JSON decoded, so that escaped Chinese is compared too."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def matrices() -> list[Route]:
    """The rows of every permission matrix: this module's and those of each
    ``test_permission_matrix_<area>.py`` beside it (their lists named ``*_MATRIX``). Imported
    here, not at the top, because those modules build on this one's Route."""
    import importlib
    import pkgutil

    import tests.accounts

    rows = list(MATRIX)
    for module in pkgutil.iter_modules(tests.accounts.__path__):
        if not module.name.startswith("test_permission_matrix_"):
            continue
        found = importlib.import_module(f"tests.accounts.{module.name}")
        for name, value in vars(found).items():
            if name.endswith("_MATRIX") and isinstance(value, list):
                rows += [row for row in value if isinstance(row, Route)]
    return rows


def test_every_route_and_method_has_a_row_in_the_matrix(app):
    routed = {(rule.endpoint, rule_method) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"
              for rule_method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == {(route.endpoint, route.method) for route in matrices()}


def test_the_matrix_of_every_area_is_found():
    from tests.accounts.test_permission_matrix_desk import DESK_MATRIX
    from tests.accounts.test_permission_matrix_reports import REPORT_MATRIX
    from tests.accounts.test_permission_matrix_survey import SURVEY_MATRIX

    rows = matrices()
    assert all(route in rows for route in MATRIX + DESK_MATRIX + REPORT_MATRIX + SURVEY_MATRIX)


@pytest.mark.parametrize("route", MATRIX, ids=str)
def test_each_matrix_url_reaches_its_endpoint(app, route):
    values = {"division": "152201000000", "account": "1", "request": "1", "probe": "1",
              "me": "x"}
    adapter = app.url_map.bind("localhost")
    path = route.url.format(**values).split("?")[0]
    assert adapter.match(path, method=route.method)[0] == route.endpoint


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_role_reads_and_writes_only_inside_its_subtree(client, sides, login_as, route, role,
                                                       where):
    built = sides(role)
    me = login_as(role)
    side = built[where]
    state = STATES.get(route.state)
    before = state(side) if state else None

    response = _send(client, route, _values(side, me.username))

    assert response.status_code == route.expected(role, where), _text(response)[:500]
    body = _text(response)
    for marker in built[OUTSIDE].markers:
        assert marker not in body
    allowed_inside = role in route.allowed and where == INSIDE
    if route.shows and allowed_inside:
        assert getattr(side, route.shows) in body
    if state:
        assert (state(side) != before) == allowed_inside


@pytest.mark.parametrize("role", sorted(ADMINS))
def test_administrator_cannot_move_an_account_out_of_its_subtree(client, sides, login_as, role):
    built = sides(role)
    login_as(role)
    assign = next(route for route in MATRIX if route.endpoint == "accounts.assign")
    values = {"account": built[INSIDE].account, "division": built[OUTSIDE].division}
    before = _account_row(built[INSIDE])
    response = _send(client, assign, values)
    assert response.status_code == 422
    assert _account_row(built[INSIDE]) == before
    for marker in built[OUTSIDE].markers:
        assert marker not in _text(response)


@pytest.mark.parametrize("role", sorted(ALL - {Role.REGION_ADMIN, Role.REGION_STATISTICIAN}))
def test_the_division_above_the_role_is_outside_it(client, make, login_as, role):
    me = login_as(role)
    parent = next(p for c, _, p in make.TREE if c == me.division_code)
    assert client.get(f"/divisions/{parent}").status_code == 404
    assert client.get(f"/api/divisions/{parent}/indicators?period=2026").status_code == 404


@pytest.mark.parametrize("route", [r for r in MATRIX if r.endpoint not in PUBLIC], ids=str)
def test_signed_out_visitor_is_sent_to_sign_in(client, sides, route):
    side = sides(Role.REGION_ADMIN)[INSIDE]
    before = STATES[route.state](side) if route.state else None

    response = _send(client, route, _values(side, side.account_username))

    if route.endpoint.startswith("api."):
        assert response.status_code == 401
        assert response.get_json()["status"] == 401
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    for marker in side.markers:
        assert marker not in _text(response)
    if route.state:
        assert STATES[route.state](side) == before


@pytest.mark.parametrize("url", ["/login", "/restore-request"])
def test_sign_in_and_restore_request_pages_are_open_to_visitors(client, url):
    assert client.get(url).status_code == 200
