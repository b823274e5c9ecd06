"""The permission matrix of the registration desk (/desk/): every desk route, every role, a
person and records inside the role's subtree and outside it, read and write. Outside (or not
the role's business) is always 404, never 403; no response, page or export, carries an outside
person's name, ID number or phone; and a write changes something only when it is allowed and
inside. ``test_permission_matrix`` counts these rows in its coverage test."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from field_app.accounts.roles import Role
from field_app.audit.models import AuditEvent
from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.extensions import db
from field_app.households.models import Person
from field_app.registrations.exports import XLSX_MIMETYPE
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from tests.accounts.test_permission_matrix import EXTRA_TREE, INSIDE, OUTSIDE, OWN, Route
from tests.factories import make_id_number

CLERKS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN})
STATISTICIANS = frozenset({Role.COUNTY_STATISTICIAN})
READERS = CLERKS | {Role.COUNTY_LEADER, Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN,
                    Role.LEAGUE_ADMIN, Role.REGION_ADMIN}

# (where the role signs in, inside, outside). Inside is always the community the brief's
# records sit in; outside is the other banner's village, or, for the administrators whose
# subtree holds both banners, a division of another league or region.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201001001", "152201001001", "152202100201"),
    Role.TOWNSHIP_REVIEWER: ("152201001000", "152201001001", "152202100201"),
    Role.COUNTY_STATISTICIAN: ("152201000000", "152201001001", "152202100201"),
    Role.COUNTY_LEADER: ("152201000000", "152201001001", "152202100201"),
    Role.COUNTY_ADMIN: ("152201000000", "152201001001", "152202100201"),
    Role.LEAGUE_STATISTICIAN: ("152200000000", "152201001001", "150102000000"),
    Role.REGION_STATISTICIAN: ("150000000000", "152201001001", "140105000000"),
    Role.LEAGUE_ADMIN: ("152200000000", "152201001001", "150102000000"),
    Role.REGION_ADMIN: ("150000000000", "152201001001", "140105000000"),
    Role.AUDITOR: ("152200000000", "152201001001", "150102000000"),
}
NEW_ID_NUMBER = make_id_number(dt.date(1999, 9, 9))
TODAY = dt.date(2026, 6, 15)


@dataclasses.dataclass(frozen=True)
class DeskSide:
    """One side of the boundary: ``person`` has only closed records there (the target of the
    person pages and forms); ``holder`` holds the open records the record pages act on."""

    division: str
    person: int
    person_name: str
    id_number: str
    phone: str
    holder_name: str
    holder_id_number: str
    holder_phone: str
    employment: int
    unemployment: int
    aid: int
    attrition: int
    total: int
    total_figure: str  # the side's employed total: what a totals page or list shows

    @property
    def markers(self) -> list[str]:
        people = ((self.person_name, self.id_number, self.phone),
                  (self.holder_name, self.holder_id_number, self.holder_phone))
        return [text for name, number, phone in people
                for text in (name, number, phone, mask_id_number(number), mask_phone(phone))]


@dataclasses.dataclass(frozen=True)
class DeskRoute(Route):
    upload: dict[str, str] | None = None  # file name -> contents, sent as multipart


def _person_records(side: DeskSide) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).where(model.person_id == side.person))
                 for model in (EmploymentRegistration, UnemploymentRegistration, EmploymentAid,
                               NaturalAttrition))


def _row(model, attribute: str):
    def state(side: DeskSide):
        table = model.__table__
        return tuple(db.session.execute(
            select(table).where(table.c.id == getattr(side, attribute))).one())

    return state


STATES = {
    "person_records": _person_records,
    "revealed": lambda side: db.session.scalar(select(func.count()).where(
        AuditEvent.action == "view_full_id", AuditEvent.target_id == str(side.person))),
    "new_person": lambda side: db.session.scalar(select(func.count()).where(
        Person.id_number == NEW_ID_NUMBER)),
    "totals_at": lambda side: db.session.scalar(select(func.count()).where(
        EmployedTotal.division_code == side.division)),
    "employment": _row(EmploymentRegistration, "employment"),
    "unemployment": _row(UnemploymentRegistration, "unemployment"),
    "aid": _row(EmploymentAid, "aid"),
    "attrition": _row(NaturalAttrition, "attrition"),
    "total": _row(EmployedTotal, "total"),
}

INVALIDATE = {"reason": "录入错误"}
# Each record kind: its page, the role set that changes it, and what its page shows.
RECORDS = [("employment", "employment", CLERKS), ("unemployment", "unemployment", CLERKS),
           ("aid", "aid", CLERKS), ("attrition", "attrition", STATISTICIANS),
           ("totals", "total", STATISTICIANS)]


def _shows(kind: str) -> str:
    return "total_figure" if kind == "totals" else "holder_name"


DESK_MATRIX = [
    # The desk itself and new persons: no target record.
    DeskRoute("registrations.lookup", "GET", "/desk/", CLERKS, 200, outside=None),
    DeskRoute("registrations.create_person", "POST", "/desk/persons", CLERKS, 302, outside=None,
              data={"id_number": NEW_ID_NUMBER, "name": "新登记人员"}, state="new_person"),
    DeskRoute("registrations.new_total", "GET", "/desk/totals/new", STATISTICIANS, 200,
              outside=None),
    DeskRoute("registrations.import_attrition", "GET", "/desk/attrition/import", STATISTICIANS,
              200, outside=None),
    # Looking a number up finds the person wherever their records are (README: person
    # first); the answer is a redirect carrying nothing but the person's id.
    DeskRoute("registrations.lookup", "POST", "/desk/", CLERKS, 302, outside=302,
              data={"id_number": "{id_number}"}),
    # The person pages and forms: outside is 404.
    DeskRoute("registrations.person", "GET", "/desk/persons/{person}", CLERKS, 200,
              shows="person_name"),
    DeskRoute("registrations.reveal", "POST", "/desk/persons/{person}/reveal", CLERKS, 200,
              shows="id_number", state="revealed"),
    *[DeskRoute(f"registrations.new_{kind}", "GET", f"/desk/persons/{{person}}/{kind}",
                allowed, 200, shows="person_name")
      for kind, allowed in (("employment", CLERKS), ("unemployment", CLERKS), ("aid", CLERKS),
                            ("attrition", STATISTICIANS))],
    DeskRoute("registrations.new_employment", "POST", "/desk/persons/{person}/employment",
              CLERKS, 302, state="person_records", data={
                  "division_code": "{division}", "employment_type": "public_welfare_post",
                  "start_date": "2026-05-02", "registered_on": "2026-05-02",
                  "person_category": "new_entrant"}),
    DeskRoute("registrations.new_unemployment", "POST", "/desk/persons/{person}/unemployment",
              CLERKS, 302, state="person_records",
              data={"division_code": "{division}", "registered_on": "2026-05-01"}),
    DeskRoute("registrations.new_aid", "POST", "/desk/persons/{person}/aid", CLERKS, 302,
              state="person_records", data={
                  "division_code": "{division}", "recognized_on": "2026-05-01",
                  "category": "disabled"}),
    DeskRoute("registrations.new_attrition", "POST", "/desk/persons/{person}/attrition",
              STATISTICIANS, 302, state="person_records", data={
                  "division_code": "{division}", "occurred_on": "2026-05-15",
                  "reason": "retirement"}),
    # An extract naming an outside division is refused whole, and names no one.
    DeskRoute("registrations.import_attrition", "POST", "/desk/attrition/import",
              STATISTICIANS, 200, outside=422, state="person_records", upload={
                  "natural_attrition.csv": "id_number,division_code,occurred_on,reason\n"
                                           "{id_number},{division},2026-05-20,retirement\n"}),
    # A figure for an outside division is not among the form's choices.
    DeskRoute("registrations.new_total", "POST", "/desk/totals/new", STATISTICIANS, 302,
              outside=422, state="totals_at", data={
                  "division_code": "{division}", "as_of": "2026-06-30",
                  "employed_total": "5000", "deduction": "0"}),
    # Record pages and what may be done on them.
    *[DeskRoute(f"registrations.{endpoint}", "GET", f"/desk/{kind}/{{{endpoint}}}", READERS,
                200, shows=_shows(kind)) for kind, endpoint, _ in RECORDS],
    *[DeskRoute("registrations.invalidate", "POST", f"/desk/{kind}/{{{endpoint}}}/invalidate",
                writers, 302, data=INVALIDATE, state=endpoint)
      for kind, endpoint, writers in RECORDS],
    DeskRoute("registrations.end_employment", "POST", "/desk/employment/{employment}/end",
              CLERKS, 302, data={"end_date": "2026-05-31"}, state="employment"),
    DeskRoute("registrations.cancel_unemployment", "POST",
              "/desk/unemployment/{unemployment}/cancel", CLERKS, 302,
              data={"cancelled_on": "2026-05-20", "reason": "moved_away"}, state="unemployment"),
    DeskRoute("registrations.exit_aid", "POST", "/desk/aid/{aid}/exit", CLERKS, 302,
              data={"exited_on": "2026-05-01", "reason": "other"}, state="aid"),
    # Lists show what is in scope and never the outside record; the exports are filtered to
    # the side's division, which selects nothing outside.
    *[DeskRoute("registrations.records", "GET", f"/desk/lists/{kind}", READERS, 200,
                outside=200, shows=_shows(kind)) for kind, _, _ in RECORDS],
    *[DeskRoute("registrations.export_xlsx", "GET",
                f"/desk/lists/{kind}/export.xlsx?division={{division}}", READERS, 200,
                outside=200, shows=_shows(kind)) for kind, _, _ in RECORDS],
    *[DeskRoute("registrations.export_interchange", "GET",
                f"/desk/lists/{kind}/export.zip?division={{division}}", CLERKS, 200,
                outside=200, shows="total_figure" if kind == "totals" else "holder_id_number")
      for kind, _, _ in RECORDS],
]

CASES = [
    pytest.param(route, role, where, id=f"{route}-{route.url}-{role.value}-{where}")
    for route in DESK_MATRIX
    for role in Role
    for where in ((OWN,) if route.outside is None else (INSIDE, OUTSIDE))
]


def _side(make, where: str, division: str, figure: int) -> DeskSide:
    label = "内" if where == INSIDE else "外"
    person = make.person(dt.date(1980, 3, 3), name=f"辖区{label}人员",
                         phone=f"1391111{figure % 10000:04d}")
    make.employment(person, dt.date(2025, 3, 1), end=dt.date(2025, 12, 31), division=division)
    holder = make.person(dt.date(1985, 4, 4), "female", name=f"辖区{label}登记人",
                         phone=f"1382222{figure % 10000:04d}")
    employment = make.employment(holder, dt.date(2026, 2, 1), division=division)
    unemployment = make.unemployment(holder, dt.date(2026, 1, 10), division=division)
    aid = make.aid(holder, dt.date(2026, 1, 5), division=division)
    attrition = make.attrition(holder, dt.date(2026, 4, 30), division=division)
    total = make.employed_total(division, TODAY, figure, 0)
    return DeskSide(division, person.id, person.name, person.id_number, person.phone,
                    holder.name, holder.id_number, holder.phone, employment.id,
                    unemployment.id, aid.id, attrition.id, total.id, str(figure))


@pytest.fixture
def desk_sides(make):
    """``desk_sides(role)``: the inside and outside people and records, committed."""

    def build(role: Role) -> dict[str, DeskSide]:
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        _, inside, outside = SIDES[role]
        built = {INSIDE: _side(make, INSIDE, inside, 24681),
                 OUTSIDE: _side(make, OUTSIDE, outside, 13579)}
        built[OWN] = built[INSIDE]
        db.session.commit()
        return built

    return build


def _values(side: DeskSide) -> dict[str, str]:
    return {field.name: str(getattr(side, field.name)) for field in dataclasses.fields(side)}


def _send(client, route: DeskRoute, values: dict[str, str]):
    url = route.url.format(**values)
    if route.method == "GET":
        return client.get(url)
    if route.upload:
        files = [(io.BytesIO(text.format(**values).encode()), name)
                 for name, text in route.upload.items()]
        return client.post(url, data={"files": files}, content_type="multipart/form-data")
    return client.post(url, data={key: value.format(**values)
                                  for key, value in (route.data or {}).items()})


def _text(response) -> str:
    """What the response says, spreadsheets and archives read out."""
    if response.mimetype == XLSX_MIMETYPE:
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(",".join(str(cell) for cell in row if cell is not None)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return response.get_data(as_text=True)


def _route_id(route: DeskRoute) -> str:
    return f"{route}-{route.url}"


@pytest.mark.parametrize("route", DESK_MATRIX, ids=_route_id)
def test_each_desk_matrix_url_reaches_its_endpoint(app, route):
    values = {name: "1" for name in ("person", "employment", "unemployment", "aid",
                                     "attrition", "total")} | {"division": "152201001001"}
    path = route.url.split("?")[0].format(**values)
    assert app.url_map.bind("localhost").match(path, method=route.method)[0] == route.endpoint


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_role_uses_the_desk_only_inside_its_subtree(client, desk_sides, login_as, route, role,
                                                     where):
    built = desk_sides(role)
    login_as(role, SIDES[role][0])
    side = built[where]
    state = STATES.get(route.state)
    before = state(side) if state else None

    response = _send(client, route, _values(side))

    body = _text(response)
    assert response.status_code == route.expected(role, where), body[:500]
    for marker in built[OUTSIDE].markers:
        assert marker not in body
    allowed_inside = role in route.allowed and where in (INSIDE, OWN)
    if route.shows and allowed_inside:
        assert getattr(side, route.shows) in body
    if state:
        db.session.expire_all()
        assert (state(side) != before) == allowed_inside


@pytest.mark.parametrize("route", DESK_MATRIX, ids=_route_id)
def test_signed_out_visitor_is_sent_to_sign_in_from_the_desk(client, desk_sides, route):
    side = desk_sides(Role.REGION_ADMIN)[INSIDE]
    state = STATES.get(route.state)
    before = state(side) if state else None

    response = _send(client, route, _values(side))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    for marker in side.markers:
        assert marker not in _text(response)
    if state:
        assert state(side) == before
