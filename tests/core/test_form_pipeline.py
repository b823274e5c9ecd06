"""One form pipeline (core.forms.handle_form): one invalid submission through every HTML form
of the app gets the same answer: status 422, nothing written, the same page again, and the
message in the form (on its field, or above it), never a flash.

Every POST endpoint of the URL map is either a row of ``FORMS`` or named in ``NO_FORM`` with
the reason; a new POST endpoint without either fails ``test_every_post_endpoint_has_a_row``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask import template_rendered
from sqlalchemy import func, select

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from tests.accounts.helpers import sign_in
from tests.appraisal.helpers import step_url as appraisal_step
from tests.factories import PASSWORD, make_id_number
from tests.surveys import helpers as h

STREET = "152201001000"  # 都林街道: the desk clerk's township
COMMUNITY = "152201001001"
BANNER = "152201000000"

# POST endpoints that are not forms a user fills in: nothing a user types can be refused.
NO_FORM = {
    "accounts.logout": "a button: signs out",
    "accounts.reset_second_factor": "a button (ConfirmForm): nothing to fill in",
    "audit.reveal": "a button: shows one event in full",
    "registrations.reveal": "a button: shows the full numbers",
    "survey.close": "a button (CloseRoundForm): nothing to fill in",
    "reports.verify": "public, reads only: compares a hash, writes nothing",
    "api.survey_sync": "JSON API: errors answered as {code, status, message, errors}",
    "reporting.approve": "a button (StepForm): approves the submission shown",
    "analysis.approve": "a button (StepForm): approves the quarterly analysis shown",
    "reporting.sign_off": "a button (StepForm): the leader's sign-off",
    "partners.rotate": "a button (ConfirmForm): a new token for the client shown",
    "partners.revoke": "a button (ConfirmForm): revokes the client shown",
    "api_v1.register_employment": "REST API v1: errors answered as {code, status, message, errors}",
    "api_v1.person_status": "REST API v1: errors answered as {code, status, message, errors}",
    "api_v1.register_unemployment": "REST API v1: errors answered as {code, status, message, errors}",
    "api_v1.upload_dataset": "REST API v1: errors answered as {code, status, message, errors}",
    "appraisal.close": "a button (CloseForm): closes the notice shown",
    "channel_checks.confirm_hire": "a button (ConfirmHireForm): ends the registration shown",
    "channel_checks.register_payee": "a button (RegisterPayeeForm): opens the desk's form",
}


@dataclasses.dataclass(frozen=True)
class Form:
    endpoint: str
    template: str
    setup: Callable  # (ctx) -> the URL to post to, with the user signed in
    data: dict
    files: bool = False

    def __str__(self) -> str:
        return self.endpoint


class Ctx:
    def __init__(self, client, make, login_as):
        self.client, self.make, self.login_as = client, make, login_as

    def clerk(self):
        return self.login_as("township_reviewer", STREET)

    def looked_up_person(self):
        person = self.make.person(dt.date(1990, 5, 17))
        self.make.employment(person, dt.date(2026, 3, 1), division=COMMUNITY)
        db.session.commit()
        response = self.client.post("/desk/", data={"id_number": person.id_number})
        assert response.status_code == 302, response.get_data(as_text=True)
        return person

    def record(self, kind: str):
        self.clerk()
        person = self.make.person(dt.date(1988, 2, 3))
        record = {"employment": lambda: self.make.employment(person, dt.date(2026, 3, 1),
                                                             division=COMMUNITY),
                  "unemployment": lambda: self.make.unemployment(person, dt.date(2026, 3, 1),
                                                                 division=COMMUNITY),
                  "aid": lambda: self.make.aid(person, dt.date(2026, 3, 1),
                                               division=COMMUNITY)}[kind]()
        db.session.commit()
        return record.id

    def admin_and_account(self):
        self.login_as("league_admin")
        account = self.make.user(Role.VILLAGE_COLLECTOR, "152201100201")
        db.session.commit()
        return account.id

    def pending_sign_in(self, *, enrolled: bool):
        user = self.make.user(Role.LEAGUE_ADMIN, second_factor=enrolled)
        db.session.commit()
        response = self.client.post("/login", data={"username": user.username,
                                                    "password": PASSWORD})
        assert response.status_code == 302
        return user

    def collector_household(self):
        self.make.survey_round()
        collector = self.make.user(Role.VILLAGE_COLLECTOR)
        reviewer = self.make.user(Role.TOWNSHIP_REVIEWER)
        db.session.commit()
        sign_in(self.client, collector.username)
        phone, house = h.Phone(self.client), h.household()
        ref = house["target_ref"]
        head = h.member(ref, make_id_number(dt.date(1980, 1, 2)))
        phone.sync(house, head)
        assert phone.sync(h.change("household.submit", ref))[0]["status"] == "applied"
        self.client.post("/logout")
        sign_in(self.client, reviewer.username)
        from field_app.review.models import HouseholdSurvey
        from field_app.review.states import SurveyStatus

        return db.session.scalar(select(HouseholdSurvey.id).where(
            HouseholdSurvey.status == SurveyStatus.SUBMITTED))


def _submission(ctx, division: str, submitter_role: str, viewer_role: str) -> int:
    """A May submission of ``division`` by its submitter, with ``viewer_role`` signed in."""
    from field_app.indicators import Policy
    from field_app.reporting import operations
    from field_app.reporting.calendar import Period

    submitter = ctx.make.user(submitter_role, division)
    submission = operations.submit(
        db.session, division_code=division, period=Period(dt.date(2026, 5, 1),
                                                          dt.date(2026, 5, 31)),
        actor=submitter, policy=Policy(), site_url="http://127.0.0.1:5000", explanation="核对")
    db.session.commit()
    ctx.login_as(viewer_role, BANNER)
    return submission.id


def _warning_finding(ctx) -> int:
    """A quality warning (a household without location) to explain."""
    from field_app.indicators import Policy
    from field_app.quality.models import QualityFinding
    from field_app.quality.operations import scan
    from field_app.quality.rules import Settings

    ctx.make.rural_person()
    statistician = ctx.login_as("county_statistician", BANNER)
    division = db.session.get(__import__("field_app.divisions.models", fromlist=["Division"])
                              .Division, BANNER)
    scan(db.session, division, dt.date(2026, 1, 1), dt.date(2026, 5, 31),
         settings=Settings(policy=Policy()), actor=statistician)
    db.session.commit()
    return db.session.scalar(select(QualityFinding.id).where(
        QualityFinding.severity == "warning").limit(1))


def _closed_round(ctx) -> int:
    from field_app.surveys.operations import close_round

    round_ = ctx.make.survey_round(BANNER, 2026)
    statistician = ctx.login_as("county_statistician", BANNER)
    close_round(db.session, round_, actor=statistician, confirmed=True)
    db.session.commit()
    return round_.id


def _submitted_analysis(ctx) -> str:
    """The banner's first-quarter analysis, submitted, with the league statistician signed in."""
    from field_app.analysis import operations
    from field_app.indicators import Policy
    from field_app.reporting.calendar import Period

    writer = ctx.make.user("county_statistician", BANNER)
    sections = {"situation": "平稳", "problems": "无", "measures": "继续"}
    analysis = operations.save(db.session, division_code=BANNER, actor=writer, sections=sections,
                               period=Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)))
    operations.submit(db.session, analysis, actor=writer, policy=Policy(),
                      site_url="http://127.0.0.1:5000")
    db.session.commit()
    ctx.login_as("league_statistician", "152200000000")
    return f"/analysis/{BANNER}/2026Q1/return"


def _signed_in(role, division=None, url="/"):
    def setup(ctx):
        ctx.login_as(role, division)
        return url
    return setup


def _anonymous(url):
    return lambda ctx: url


def _person_form(kind, role="township_reviewer", division=STREET):
    def setup(ctx):
        ctx.login_as(role, division)
        return f"/desk/persons/{ctx.looked_up_person().id}/{kind}"
    return setup


def _record_action(kind, action):
    return lambda ctx: f"/desk/{kind}/{ctx.record(kind)}/{action}"


def _account_action(action):
    return lambda ctx: f"/accounts/{ctx.admin_and_account()}/{action}"


def _restore_decision(ctx):
    from field_app.accounts.models import RestoreRequest
    from field_app.accounts.roles import AccountState

    holder = ctx.make.user(Role.VILLAGE_COLLECTOR, "152201100201", state=AccountState.LOCKED)
    db.session.flush()
    request = RestoreRequest(user_id=holder.id, reason="回来了", filed_at=clock.now())
    db.session.add(request)
    db.session.commit()
    ctx.login_as("league_admin")
    return f"/restore-requests/{request.id}/approve"


def _open_hire_review(ctx):
    """A hire uploaded in 乌兰浩特市 listed for the 阿尔山市 desk, whose statistician signs in."""
    from field_app.audit.actor import Actor
    from field_app.channels.hires import settle_hires
    from field_app.channels.models import HireReview
    from tests.channels.checks_support import batch, hire

    person = ctx.make.person(dt.date(1990, 5, 17))
    ctx.make.unemployment(person, dt.date(2026, 2, 1), division="152202100201")
    made = batch()
    hire(ctx.make, person, made)
    settle_hires(db.session, made, actor=Actor(None, "test"))
    review = db.session.scalar(select(HireReview))
    db.session.commit()
    ctx.login_as("county_statistician", "152202000000")
    return f"/channels/hires/{review.id}/keep"


FORMS = [
    Form("accounts.login", "accounts/login.html", _anonymous("/login"),
         {"username": "", "password": ""}),
    Form("accounts.second_factor", "accounts/second_factor.html",
         lambda ctx: ctx.pending_sign_in(enrolled=True) and "/login/verify", {"code": ""}),
    Form("accounts.enrol_at_sign_in", "accounts/enrol.html",
         lambda ctx: ctx.pending_sign_in(enrolled=False) and "/login/enrol", {"code": ""}),
    Form("accounts.change_password", "accounts/password.html",
         _signed_in("village_collector", url="/password"), {"current": "", "new": ""}),
    Form("accounts.enrol_second_factor", "accounts/enrol.html",
         _signed_in("village_collector", url="/account/two-factor/enrol"), {"code": ""}),
    Form("accounts.renew_recovery_codes", "accounts/two_factor.html",
         _signed_in("league_admin", url="/account/two-factor/recovery-codes"), {"code": ""}),
    Form("accounts.disable_second_factor", "accounts/two_factor.html",
         lambda ctx: ctx.login_as("village_collector", second_factor=True) and
         "/account/two-factor/disable", {"password": ""}),
    Form("accounts.restore_request", "accounts/restore_request.html",
         _anonymous("/restore-request"), {"username": "", "password": "", "reason": ""}),
    Form("accounts.new_account", "accounts/new.html", _signed_in("league_admin", url="/accounts/new"),
         {"username": "", "display_name": "", "role": "", "division_code": "", "password": ""}),
    Form("accounts.assign", "accounts/show.html", _account_action("assignment"),
         {"role": "", "division_code": ""}),
    Form("accounts.deactivate", "accounts/show.html", _account_action("deactivate"),
         {"reason": "bogus"}),
    Form("accounts.reset_password", "accounts/show.html", _account_action("password"),
         {"password": ""}),
    Form("accounts.decide_restore", "accounts/restore_requests.html", _restore_decision,
         {"note": "长" * 201}),
    Form("registrations.lookup", "registrations/lookup.html",
         _signed_in("township_reviewer", STREET, "/desk/"), {"id_number": ""}),
    Form("registrations.create_person", "registrations/lookup.html",
         _signed_in("township_reviewer", STREET, "/desk/persons"),
         {"id_number": make_id_number(dt.date(1991, 1, 1)), "name": ""}),
    Form("registrations.new_employment", "registrations/form.html",
         _person_form("employment"), {}),
    Form("registrations.new_unemployment", "registrations/form.html",
         _person_form("unemployment"), {}),
    Form("registrations.new_aid", "registrations/form.html", _person_form("aid"), {}),
    Form("registrations.new_attrition", "registrations/form.html",
         _person_form("attrition", "county_statistician", BANNER), {}),
    Form("registrations.new_total", "registrations/form.html",
         _signed_in("county_statistician", BANNER, "/desk/totals/new"), {}),
    Form("registrations.import_attrition", "registrations/import.html",
         _signed_in("county_statistician", BANNER, "/desk/attrition/import"), {}, files=True),
    Form("registrations.end_employment", "registrations/record.html",
         _record_action("employment", "end"), {"end_date": ""}),
    Form("registrations.cancel_unemployment", "registrations/record.html",
         _record_action("unemployment", "cancel"), {"cancelled_on": "", "reason": "moved_away"}),
    Form("registrations.exit_aid", "registrations/record.html", _record_action("aid", "exit"),
         {"exited_on": "", "reason": "other"}),
    Form("registrations.invalidate", "registrations/record.html",
         _record_action("employment", "invalidate"), {"reason": ""}),
    Form("review.household", "review/household.html",
         lambda ctx: f"/review/households/{ctx.collector_household()}",
         {"send_back": "1", "reason": ""}),
    Form("survey.open_round", "survey/rounds.html",
         _signed_in("county_statistician", BANNER, "/survey/rounds"), {"open": "1", "year": ""}),
    Form("snapshots.create", "snapshots/index.html",
         _signed_in("region_admin", "150000000000", "/snapshots/"), {"month": ""}),
    Form("reports.generate", "reports/index.html",
         _signed_in("county_statistician", BANNER, "/reports/"),
         {"division": BANNER, "kind": "rural", "period": ""}),
    Form("survey.reopen", "survey/rounds.html",
         lambda ctx: f"/survey/rounds/{_closed_round(ctx)}/reopen", {"reason": ""}),
    Form("reporting.submit", "reporting/show.html",
         _signed_in("county_statistician", BANNER, f"/reporting/{BANNER}/2026-05/submit"),
         {"submit-explanation": "说" * 2001}),
    Form("reporting.return_submission", "reporting/show.html",
         lambda ctx: "/reporting/submissions/%s/return" % _submission(
             ctx, "152201100000", "township_reviewer", "county_statistician"),
         {"return-reason": ""}),
    Form("reporting.correction", "reporting/show.html",
         lambda ctx: "/reporting/submissions/%s/correction" % _submission(
             ctx, BANNER, "county_statistician", "county_statistician"),
         {"correct-reason": ""}),
    Form("reporting.upload_scan", "reporting/show.html",
         lambda ctx: "/reporting/submissions/%s/scan" % _submission(
             ctx, BANNER, "county_statistician", "county_leader"), {}, files=True),
    Form("quality.scan", "quality/index.html",
         _signed_in("county_statistician", BANNER, "/quality/scan"),
         {"division": BANNER, "period": ""}),
    Form("quality.show", "quality/finding.html",
         lambda ctx: f"/quality/findings/{_warning_finding(ctx)}", {"reason": ""}),
    Form("targets.annual", "targets/annual.html",
         _signed_in("county_statistician", BANNER, "/targets/annual?year=2026"),
         {"152201001000": "1" * 21}),
    Form("targets.reported", "targets/reported.html",
         _signed_in("county_statistician", BANNER, f"/targets/reported/{BANNER}?period=2026-05"),
         {"urban_new_employment": "1" * 21}),
    Form("targets.annual_import", "targets/import.html",
         _signed_in("county_statistician", BANNER, "/targets/annual/import"), {}, files=True),
    Form("targets.reported_import", "targets/import.html",
         _signed_in("county_statistician", BANNER, "/targets/reported/import"), {}, files=True),
    Form("jobs.upload", "jobs/upload.html",
         _signed_in("county_statistician", BANNER, "/jobs/import"), {}, files=True),
    Form("appraisal.new_notice", "appraisal/new_notice.html",
         _signed_in("league_statistician", "152200000000", f"/appraisal/{BANNER}/notices/new"),
         {"issue": "", "deadline": ""}),
    Form("appraisal.answer", "appraisal/notice.html",
         lambda ctx: appraisal_step(ctx, "answer"), {"answer-answer": ""}),
    Form("appraisal.reopen", "appraisal/notice.html",
         lambda ctx: appraisal_step(ctx, "reopen"), {"reopen-reason": ""}),
    Form("analysis.edit", "analysis/edit.html",
         _signed_in("county_statistician", BANNER, f"/analysis/{BANNER}/2026Q1/edit"),
         {"edit-situation": "说" * 20001, "edit-action": "save"}),
    Form("analysis.return_analysis", "analysis/show.html", _submitted_analysis,
         {"return-reason": ""}),
    Form("partners.new", "partners/new.html", _signed_in("league_admin", url="/partners/new"),
         {"name": "", "division_code": "", "expires_on": "", "rate_per_minute": ""}),
    Form("channel_checks.keep_registration", "channels/hires.html", _open_hire_review,
         {"note": ""}),
    Form("channels.channel", "channels/channel.html",
         _signed_in("county_statistician", BANNER, "/channels/market"), {}, files=True),
]

FIELD_MESSAGE = re.compile(r'<small class="error">[^<]+</small>')
FORM_MESSAGE = re.compile(r'<p class="flash error form-error" role="alert">[^<]+</p>')
FLASH = re.compile(r'<p class="flash \w+" role="status">')


def _post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def test_every_post_endpoint_has_a_row(app):
    rows = {form.endpoint for form in FORMS}
    assert not rows & set(NO_FORM)
    assert _post_endpoints(app) == rows | set(NO_FORM), (
        "a new POST endpoint: add a row to FORMS (or, if nothing typed can be refused, "
        "to NO_FORM with the reason)")


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture(autouse=True)
def _today():
    clock.set(dt.datetime(2026, 6, 15, 9, 30))


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_an_invalid_submission_is_refused_the_same_way_on_every_form(app, client, make,
                                                                     login_as, form):
    url = form.setup(Ctx(client, make, login_as))
    db.session.commit()
    before = _row_counts()
    rendered = []

    def note(sender, template, context, **extra):
        rendered.append(template.name)

    data = dict(form.data)
    if form.files:
        data["files"] = []
    with template_rendered.connected_to(note, app):
        response = client.post(url, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body
    db.session.rollback()
    assert _row_counts() == before  # nothing written, the audit log included
    assert rendered[:1] == [form.template]
    assert FIELD_MESSAGE.search(body) or FORM_MESSAGE.search(body)
    assert not FLASH.search(body)  # in the form, not a flash
