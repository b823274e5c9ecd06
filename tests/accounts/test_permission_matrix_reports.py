"""The permission matrix for printed reports: the printing roles reach only their subtree's
divisions and reports; /verify is public by design and shows no one's personal data."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import insert

from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.reports.models import Report, ReportDocument
from tests.accounts.test_permission_matrix import (
    ALL,
    EXTRA_TREE,
    INSIDE,
    OUTSIDE,
    SUBTREES,
    Route,
)

# The notice has county offices print and sign; a township prints its own tables and its
# villages' rosters; the league and region statisticians and administrators print their
# subtree's too (the capability table is held to this in ..._capabilities).
REPORT_ROLES = frozenset(
    {Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN, Role.COUNTY_LEADER,
     Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN, Role.LEAGUE_ADMIN, Role.REGION_ADMIN}
)

REPORT_MATRIX = [
    Route("reports.index", "GET", "/reports/?division={division}", REPORT_ROLES, 200),
    Route("reports.generate", "POST", "/reports/", REPORT_ROLES, 200,
          data={"kind": "urban", "division": "{division}", "period": "2026Q1"}),
    Route("reports.download", "GET", "/reports/{number}.pdf", REPORT_ROLES, 200),
    # Public: anyone holding a printed copy checks it; figures only, never names.
    Route("reports.verify", "GET", "/verify/{number}", ALL, 200, outside=200),
    Route("reports.verify", "POST", "/verify/{number}", ALL, 200, outside=200,
          data={"sha256": "0" * 64}),
]
_serial = iter(range(1, 10_000))


def _report(division: str, where: str) -> str:
    pdf = f"%PDF-1.7 {where}".encode()
    number = f"{division[:6]}-2026Q1-{where}"
    report = Report(number=number, serial=next(_serial), kind="urban", division_code=division,
                    period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                    sha256=hashlib.sha256(pdf).hexdigest(), content_sha256="a" * 64,
                    figures={"division": {"name": f"{where}-figures"},
                             "columns": ["new_employment_gross"],
                             "total": {"name": "", "code": division,
                                       "values": {"new_employment_gross": 1}},
                             "rows": []})
    db.session.add(report)
    db.session.flush()
    db.session.execute(insert(ReportDocument.__table__).values(report_id=report.id, pdf=pdf))
    return number


@pytest.fixture
def report_sides(make):
    def build(role: Role) -> dict[str, dict[str, str]]:
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        sides = {}
        for where, code in zip((INSIDE, OUTSIDE), SUBTREES[role]):
            sides[where] = {"division": code, "number": _report(code, where)}
        db.session.commit()
        return sides

    return build


CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in REPORT_MATRIX for role in Role for where in (INSIDE, OUTSIDE)]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_printing_roles_reach_only_their_subtrees_reports(client, report_sides, login_as, route,
                                                          role, where):
    sides = report_sides(role)
    login_as(role)
    values = sides[where]
    url = route.url.format(**values)
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={k: v.format(**values)
                                          for k, v in (route.data or {}).items()})
    assert response.status_code == route.expected(role, where)
    if response.status_code == 200 and route.endpoint in ("reports.generate",
                                                          "reports.download"):
        assert response.mimetype == "application/pdf"
    if where == OUTSIDE and route.endpoint != "reports.verify":
        assert sides[OUTSIDE]["number"] not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/reports/", "/reports/152201-2026Q1-inside.pdf"])
def test_signed_out_visitor_cannot_print_or_download(client, make, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_verify_needs_no_sign_in(client, report_sides):
    number = report_sides(Role.COUNTY_STATISTICIAN)[INSIDE]["number"]
    assert client.get(f"/verify/{number}").status_code == 200
