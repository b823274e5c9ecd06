"""No input gives a 5xx: every rule of the URL map, as every role and signed out, with
generated path values, query strings, form fields and JSON bodies (Hypothesis).

Bounded for CI: EXAMPLES requests per rule and role, derandomised so that every run sends
the same requests; a failure prints the request that answered 5xx. Demo-like records are
loaded first so that real ids, codes and numbers reach the views behind the 404s.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, BuildError, IntegerConverter

from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.reports.operations import generate_report
from tests.paths import ROOT

EXAMPLES = 15
# The phone's sync takes any JSON from the field: it gets more tries.
EXAMPLES_FOR = {"api.survey_sync": 80}
ROLES = [None, *(role.value for role in Role)]

# Form field names of every form in the application, read from the source so that a new
# form is fuzzed without editing this file.
FORM_FIELDS = sorted({
    name for path in (ROOT / "field_app").rglob("forms.py")
    for name in re.findall(r"^\s+(\w+) = \w*Field\(", path.read_text(encoding="utf-8"), re.M)
} | {"csrf_token", "next", "sha256", "code", "recovery_code", "otp", "token"})
QUERY_KEYS = ["kind", "endpoint", "_method", "_external", "_anchor", "page", "period", "from",
              "to", "since", "until", "division", "status", "type", "next", "sha256",
              "id_number", "q", "lang", "v", "action", "actor", "target_type", "full"]
SYNC_OPS = ["household.save", "member.save", "member.remove", "spell.save", "spell.remove",
            "training.save", "training.remove", "household.submit", "x"]

ODD_TEXT = st.one_of(
    st.text(alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\x01", "\x0b", "\r", "\n", "\t", "\u202e", "\u200b",
                         "\ufeff", "\ud7ff", "𠀀", "=", "+", "-", "@", "%", "/", "\\", "'",
                         '"', "<", ">"])), max_size=40),
    st.sampled_from(["..", "../..", "{{7*7}}", "%00", "//evil.example", "\r\nSet-Cookie: x=1",
                     "=HYPERLINK(\"x\")", "𠀀" * 300, "9" * 50]))
HUGE_INTS = st.one_of(st.integers(-2**70, 2**70), st.sampled_from(
    [0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20]))
DATES = st.sampled_from(["0001-01-01", "0000-00-00", "9999-12-31", "1899-12-31", "2026-02-30",
                         "2026-01-01", "2026", "2026Q1", "2026Q9", "0001", "0000",
                         "2026-01..2025-01", "20260101"])


def _values(known: list[str]):
    return st.one_of(ODD_TEXT, HUGE_INTS.map(str), DATES, st.sampled_from(known or [""]))


def _json_value(known):
    scalars = st.one_of(st.none(), st.booleans(), HUGE_INTS, st.floats(allow_nan=False),
                        _values(known))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(ODD_TEXT, inner, max_size=3)), max_leaves=8)


def _sync_body(known):
    change = st.fixed_dictionaries({
        "uuid": st.one_of(st.uuids().map(str), ODD_TEXT),
        "op": st.sampled_from(SYNC_OPS),
        "household_ref": st.one_of(st.sampled_from(known or ["s1"]), st.uuids().map(str),
                                   ODD_TEXT, st.just("s" + "9" * 39), _json_value(known)),
        "target_ref": st.one_of(st.sampled_from(known or ["s1"]), st.uuids().map(str), ODD_TEXT,
                                _json_value(known)),
        "base_version": st.one_of(st.none(), HUGE_INTS, ODD_TEXT),
        "data": st.dictionaries(st.sampled_from(FORM_FIELDS + ["member_ref", "address"]),
                                st.one_of(_values(known), HUGE_INTS, st.none(), st.booleans()),
                                max_size=6),
        "made_at": st.one_of(ODD_TEXT, st.just("2026-01-01T00:00:00Z")),
    })
    return st.one_of(st.fixed_dictionaries({"changes": st.lists(change, max_size=3)}),
                     _json_value(known))


def _path_value(converter, known_ints: list[int], known_text: list[str]):
    # Mostly values that exist, so that the requests get past the 404s to the views.
    if isinstance(converter, IntegerConverter):
        real, odd = st.sampled_from(known_ints or [1]), HUGE_INTS.map(abs)
    elif isinstance(converter, AnyConverter):
        real, odd = st.sampled_from(sorted(converter.items)), ODD_TEXT
    else:
        real, odd = st.sampled_from(known_text or ["x"]), ODD_TEXT
    return st.one_of(real, real, real, odd)


def _url(app, rule, values: dict) -> str:
    try:
        with app.test_request_context():
            adapter = app.url_map.bind("localhost")
            return adapter.build(rule.endpoint, values, method=next(iter(rule.methods)))
    except (BuildError, ValueError, TypeError):
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<[^>]*:?{name}>", quote(str(value), safe=""), path)
        return path


def request_strategy(app, rule, known):
    """(method, url, kwargs) for one request to ``rule``."""
    path = st.fixed_dictionaries({
        name: _path_value(converter, known["ints"], known["by_name"].get(name, known["text"]))
        for name, converter in rule._converters.items()})
    query = st.dictionaries(st.sampled_from(QUERY_KEYS), _values(known["text"]), max_size=4)
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    form = st.dictionaries(st.sampled_from(FORM_FIELDS), _values(known["text"]), max_size=8)
    is_api = rule.rule.startswith("/api/")
    json_body = _sync_body(known["refs"]) if is_api else _json_value(known["text"])

    @st.composite
    def build(draw):
        method = draw(st.sampled_from(methods))
        url = _url(app, rule, draw(path))
        args = draw(query)
        if args:
            url += ("&" if "?" in url else "?") + urlencode(args)
        kwargs = {}
        if method != "GET":
            # Pages take forms (JSON is refused with 415 outside /api/): mostly forms there.
            if draw(st.integers(0, 4)) < (1 if is_api else 4):
                kwargs["data"] = draw(form)
            else:
                kwargs["data"] = json.dumps(draw(json_body), ensure_ascii=False)
                kwargs["content_type"] = "application/json"
        return method, url, kwargs

    return build()


def _load_records(make) -> dict:
    """A small jurisdiction's worth of every kind of record; what the strategies pick from."""
    from field_app.review.models import HouseholdSurvey

    person = make.person(name="张三")
    other = make.person(name="李四", birth=dt.date(1962, 3, 1))
    member = make.rural_person()
    employment = make.employment(person, dt.date(2026, 1, 5))
    unemployment = make.unemployment(other, dt.date(2026, 2, 1), division="152201100201")
    aid = make.aid(person, dt.date(2026, 1, 10))
    attrition = make.attrition(other, dt.date(2026, 3, 1))
    total = make.employed_total("152201001001", dt.date(2025, 12, 31), 1200)
    make.spell(member, dt.date(2025, 3, 1))
    round_ = make.survey_round()
    report, _ = generate_report(db.session, kind="urban", division_code="152201000000",
                                start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), actor=None)
    surveys = db.session.scalars(db.select(HouseholdSurvey.id)).all()
    db.session.commit()
    household = member.membership.household
    refs = [f"s{household.id}", str(household.uid), f"s{member.membership.id}"]
    ints = [person.id, other.id, member.id, employment.id, unemployment.id, aid.id,
            attrition.id, total.id, round_.id, *surveys]
    text = ["152201000000", "152201100201", "152202000000", "152201001001", report.number,
            person.id_number, other.id_number, "employment", "totals", "approve", report.sha256]
    by_name = {"number": [report.number], "code": text[:4], "kind": ["employment", "totals"],
               "filename": ["app.css", "js/idcheck.js"]}
    return {"ints": ints, "text": text, "refs": refs or ["s1"], "by_name": by_name}


def _signed_in(client) -> bool:
    return client.get("/password").status_code == 200


def _csrf_header(client) -> dict[str, str]:
    """The token the sync asks for even where forms are not checked (the phone's session
    hands it out; other roles get none and their sync is refused anyway)."""
    session = client.get("/api/survey/session")
    token = session.get_json().get("csrf_token") if session.status_code == 200 else None
    return {"X-CSRFToken": token} if token else {}


def _reset_throttle() -> None:
    """The fuzzer's own failed sign-ins must not throttle its next sign-in."""
    from field_app import extensions

    limiter = getattr(extensions, "limiter", None)
    if limiter is not None:
        limiter.reset()


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_no_route_answers_5xx_to_any_input(app, client, make, login_as, role):
    known = _load_records(make)
    rules = sorted((r for r in app.url_map.iter_rules()), key=lambda r: r.rule)
    failures, headers, answered = [], {}, set()
    for rule in rules:
        if role is not None and not _signed_in(client):
            _reset_throttle()
            login_as(role)
            headers = _csrf_header(client)

        @settings(max_examples=EXAMPLES_FOR.get(rule.endpoint, EXAMPLES), deadline=None,
                  derandomize=True, database=None, suppress_health_check=list(HealthCheck))
        @given(request=request_strategy(app, rule, known))
        def answers_without_5xx(request):
            method, url, kwargs = request
            response = client.open(url, method=method, headers=headers, **kwargs)
            response.close()
            if response.status_code == 200:
                answered.add(rule.rule)
            db.session.rollback()
            assert response.status_code < 500, f"{response.status_code}: {method} {url} " \
                                               f"{kwargs!r:.300}"

        try:
            answers_without_5xx()
        except Exception as error:  # every rule is tried; all failures are listed at the end
            db.session.rollback()
            failures.append(f"{rule.rule}: {_first_line(error)}")
    assert not failures, "\n".join(failures)
    # The requests got past sign-in and the 404s to the views themselves.
    assert len(answered - {"/login", "/restore-request"}) >= (0 if role is None else 4), answered


def _first_line(error: Exception) -> str:
    """The 5xx request (assertion) or the exception a test client request propagated."""
    if isinstance(error, BaseExceptionGroup):
        return " ; ".join(_first_line(e) for e in error.exceptions)
    if isinstance(error, AssertionError):
        return str(error).splitlines()[0]
    notes = " | ".join(getattr(error, "__notes__", [])[:3]).replace("\n", " ")
    return f"{type(error).__name__}: {str(error)[:200]} {notes[:400]}"


def test_the_fuzzer_reaches_every_rule_and_form_field(app):
    rules = {r.endpoint for r in app.url_map.iter_rules()}
    assert {"registrations.records", "api.survey_sync", "reports.verify",
            "accounts.login"} <= rules
    assert {"username", "id_number", "period", "employed_total"} <= set(FORM_FIELDS)
