"""The API v1 resources: load through the scoped helpers with the client as the principal,
check with ``can(capability, at=code)``, call the desk's operations; no logic of their own."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from flask import Response, current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from field_app.accounts.capabilities import Capability
from field_app.api.v1 import schemas
from field_app.api.v1.auth import (
    authenticate,
    current_client,
    error_response,
    limit_person_checks,
    record_call,
    requires,
)
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.codes import subtree_bounds
from field_app.core.context import current_policy
from field_app.core.errors import DomainError, OutOfScope, ValidationFailed
from field_app.core.identifiers import IdentifierError, mask_id_number
from field_app.core.periods import PeriodError, parse_period, period_key
from field_app.core.text import spreadsheet_cell
from field_app.divisions.models import Division
from field_app.divisions.queries import get_division_or_404
from field_app.extensions import db
from field_app.households.scope import divisions_of
from field_app.indicators.grouped import compute_grouped
from field_app.indicators.service import division_indicators
from field_app.quality import queries as quality_queries
from field_app.quality.models import FindingStatus, Severity
from field_app.registrations import lists, operations, queries as desk
from field_app.reporting import queries as reporting
from field_app.reporting.calendar import Period

blp = Blueprint("api_v1", __name__, url_prefix="/api/v1",
                description="兴安就业采集接口 v1：合作系统以令牌调用")
blp.before_request(authenticate)
blp.after_request(record_call)
for _error in (DomainError, 400, 401, 403, 404, 405, 413, 415, 422, 429):
    blp.register_error_handler(_error, error_response)

INDICATORS, DIVISIONS, SUBMISSIONS = "indicators:read", "divisions:read", "submissions:read"
QUALITY, REGISTRATIONS, REGISTER = "quality:read", "registrations:read", "registrations:write"
PERSONS, EXPORTS = "persons:check", "exports:read"


def _period(text: str) -> tuple[dt.date, dt.date]:
    try:
        return parse_period(text)
    except PeriodError as error:
        raise ValidationFailed(str(error.message), {"period": [str(error.message)]}) from None


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1)


@blp.route("/me")
@blp.doc(tags=["客户端"], summary="本客户端：区划、权限范围、有效期")
@blp.response(200, schemas.ClientOut)
def me():
    return current_client()


# --- divisions ------------------------------------------------------------------------------
@blp.route("/divisions")
@requires(DIVISIONS)
@blp.doc(tags=["区划"], summary="区划子树（根及其以下若干级）")
@blp.arguments(schemas.DivisionArgs, location="query")
@blp.response(200, schemas.DivisionList)
def divisions(args):
    client = current_client()
    root = get_division_or_404(db.session, args.get("root") or client.division_code, client)
    low, high = subtree_bounds(root.code)
    rows = db.session.scalars(select(Division).where(
        Division.code.between(low, high), Division.level <= root.level + args["depth"])
        .order_by(Division.code))
    return {"root": root.code, "divisions": list(rows)}


# --- indicators -----------------------------------------------------------------------------
def _indicators(division: str, period: str, by: str | None) -> dict:
    client = current_client()
    start, end = _period(period)
    target = get_division_or_404(db.session, division, client)
    connection = db.session.connection()
    report = division_indicators(connection, target.code, start, end, current_policy())
    out = {"division": target.code, "name": target.name, "period": period_key(start, end),
           "start": start, "end": end, "policy": report.policy, "by": by,
           "indicators": None, "groups": None}
    if by is None:
        out["indicators"] = {k: _number(v) for k, v in report.values.items()}
    else:
        groups = compute_grouped(connection, target.code, start, end, current_policy(), by)
        out["groups"] = [{"key": key, "indicators": {k: _number(v) for k, v in values.items()}}
                         for key, values in groups]
    return out


@blp.route("/indicators")
@requires(INDICATORS)
@blp.doc(tags=["指标"], summary="一个区划一个期间的十二项指标；by 给出时按维度分组")
@blp.arguments(schemas.IndicatorArgs, location="query")
@blp.response(200, schemas.IndicatorsOut)
def indicators(args):
    return _indicators(args["division"], args["period"], args.get("by"))


# --- submissions ----------------------------------------------------------------------------
def _submission(s):
    return None if s is None else {"id": s.id, "version": s.version, "status": s.status.value,
                                   "submitted_at": s.submitted_at}


@blp.route("/submissions")
@requires(SUBMISSIONS)
@blp.doc(tags=["逐级报送"], summary="一个区划本级各版本及下级的报送状态")
@blp.arguments(schemas.SubmissionArgs, location="query")
@blp.response(200, schemas.SubmissionBoard)
def submissions(args):
    client = current_client()
    division = reporting.get_reporting_division_or_404(db.session, args["division"], client)
    try:
        period = Period.parse(args["period"])
    except PeriodError as error:
        raise ValidationFailed(str(error.message), {"period": [str(error.message)]}) from None
    rows = reporting.board(db.session, current_app.config, division, period, clock.today())
    return {"division": division.code, "period": period.key,
            "own": [_submission(s) for s in reporting.versions(db.session, division.code,
                                                               period)],
            "below": [{"division": r.division.code, "name": r.division.name,
                       "status": r.status, "due": r.due, "late": r.late,
                       "submission": _submission(r.submission)} for r in rows]}


# --- quality findings ---------------------------------------------------------------------
@blp.route("/quality-findings")
@requires(QUALITY)
@blp.doc(tags=["数据质量"], summary="一个区划子树的质量问题")
@blp.arguments(schemas.FindingArgs, location="query")
@blp.response(200, schemas.FindingList)
def quality_findings(args):
    client = current_client()
    if not client.can(Capability.RUN_QUALITY_SCAN, at=args["division"]):
        raise OutOfScope()
    period = _period(args["period"]) if args.get("period") else None
    statement = quality_queries.findings(quality_queries.Filters(
        args["division"], period, None,
        Severity(args["severity"]) if args.get("severity") else None,
        FindingStatus(args["status"]) if args.get("status") else None))
    page, size = args["page"], args["per_page"]
    rows = db.session.scalars(statement.limit(size).offset((page - 1) * size))
    return {"total": quality_queries.count(db.session, statement), "page": page,
            "findings": [{"id": f.id, "rule": f.rule, "severity": f.severity.value,
                          "status": f.status.value, "division_code": f.division_code,
                          "period_start": f.period_start, "period_end": f.period_end,
                          "record_file": f.record_file, "found_at": f.found_at}
                         for f in rows]}


# --- registrations -----------------------------------------------------------------------------
def _registration(kind: str, record) -> dict:
    kind_spec = lists.KINDS[kind]
    employment = kind == "employment"
    return {"id": record.id, "kind": kind, "registration_no": record.registration_no,
            "division_code": record.division_code,
            "id_number_masked": mask_id_number(record.person.id_number),
            "name_masked": _mask_name(record.person.name), "status": kind_spec.state(record),
            "date": record.start_date if employment else record.registered_on,
            "end_date": record.end_date if employment else record.cancelled_on,
            "employment_type": str(record.employment_type) if employment else None,
            "employer_name": record.employer_name if employment else None}


def _registration_query(args):
    client = current_client()
    criteria = lists.ListFilter(since=args.get("since"), until=args.get("until"),
                                status=args.get("status"), division=args.get("division"))
    return lists.list_query(lists.KINDS[args["kind"]], client, criteria)


@blp.route("/registrations", methods=["GET"])
@requires(REGISTRATIONS)
@blp.doc(tags=["登记"], summary="辖区内的就业、失业登记（身份证号、姓名脱敏）")
@blp.arguments(schemas.RegistrationArgs, location="query")
@blp.response(200, schemas.RegistrationList)
def registrations(args):
    statement = _registration_query(args)
    page, size = args["page"], args["per_page"]
    rows = db.session.scalars(statement.limit(size).offset((page - 1) * size))
    return {"total": quality_queries.count(db.session, statement), "page": page,
            "registrations": [_registration(args["kind"], r) for r in rows]}


def _person_for(body):
    """The person the ID number names, registered first (as at the desk) when new."""
    try:
        found = desk.lookup(db.session, body["id_number"].upper())
    except IdentifierError as error:
        raise ValidationFailed(str(error.message), {"id_number": [str(error.message)]}) from None
    if found.person is not None:
        return found.person
    if not body.get("name"):
        raise ValidationFailed(_("系统中尚无此人：请同时提交姓名"),
                               {"name": [_("系统中尚无此人：请同时提交姓名")]})
    return operations.register_person(db.session, actor=current_client(),
                                      id_number=found.resident.number, name=body["name"])


@blp.route("/registrations/employment", methods=["POST"])
@requires(REGISTER)
@blp.doc(tags=["登记"], summary="就业登记：与登记台同一操作、同一校验、同一审计，锁定期间不可写")
@blp.arguments(schemas.EmploymentIn)
@blp.response(201, schemas.RegistrationOut)
def register_employment(body):
    registration = operations.register_employment(
        db.session, _person_for(body), actor=current_client(),
        **{name: body.get(name) for name in operations.EMPLOYMENT_FIELDS})
    db.session.flush()  # a locked period refuses at the flush (locks.checks)
    return _registration("employment", registration)


@blp.route("/registrations/unemployment", methods=["POST"])
@requires(REGISTER)
@blp.doc(tags=["登记"], summary="失业登记：与登记台同一操作、同一校验、同一审计，锁定期间不可写")
@blp.arguments(schemas.UnemploymentIn)
@blp.response(201, schemas.RegistrationOut)
def register_unemployment(body):
    registration = operations.register_unemployment(
        db.session, _person_for(body), actor=current_client(),
        division_code=body["division_code"], registered_on=body["registered_on"],
        receives_benefit=body["receives_benefit"],
        end_employment_on=body.get("end_employment_on"))
    db.session.flush()
    return _registration("unemployment", registration)


# --- person status check ----------------------------------------------------------------------
@blp.route("/persons/status", methods=["POST"])
@requires(PERSONS)
@blp.doc(tags=["人员核验"], summary="按身份证号核验人员在本客户端辖区内的登记状态（脱敏，限频，审计）")
@blp.arguments(schemas.PersonCheckIn)
@blp.response(200, schemas.PersonCheckOut)
def person_status(body):
    client = current_client()
    limit_person_checks()
    number = body["id_number"].upper()
    answer = {"known": False, "id_number_masked": mask_id_number(number), "name_masked": None,
              "employed": False, "registered_unemployed": False, "employment_aid": False}
    try:
        person = desk.lookup(db.session, number).person
    except IdentifierError as error:
        raise ValidationFailed(str(error.message), {"id_number": [str(error.message)]}) from None
    if person is None:
        audit(db.session, "api_person_check", note=mask_id_number(number))
        return answer
    records = desk.person_records(db.session, person, client)
    # Filed under every division holding a record of the person, as the phone's look-up is.
    audit(db.session, "api_person_check", target_type="persons", target_id=person.id,
          also=divisions_of(db.session, person.id), note=mask_id_number(number))
    if not (records.employment or records.unemployment or records.aid or records.attrition):
        return answer  # nothing in the client's jurisdiction: nothing about elsewhere either
    return answer | {"known": True, "name_masked": _mask_name(person.name),
                     "employed": bool(records.current_employment(clock.today())),
                     "registered_unemployed": bool(records.current_unemployment()),
                     "employment_aid": bool(records.current_aid())}


# --- exports ---------------------------------------------------------------------------------
def _csv(header: list[str], rows) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else spreadsheet_cell(v if not isinstance(v, bool)
                                                               else int(v)) for v in row])
    # With a BOM, as the desk's exports: spreadsheet programs then read the Chinese right.
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=export.csv"})


@blp.route("/exports/indicators.csv")
@requires(EXPORTS)
@requires(INDICATORS)
@blp.doc(tags=["导出"], summary="指标 CSV（公式注入已中和）")
@blp.arguments(schemas.ExportArgs, location="query")
@blp.response(200, content_type="text/csv", description="CSV：division, name, key, indicator, value")
def export_indicators(args):
    data = _indicators(args["division"], args["period"], args.get("by"))
    groups = data["groups"] if data["groups"] is not None else [
        {"key": None, "indicators": data["indicators"]}]
    return _csv(["division", "name", "period", "group", "indicator", "value"], (
        [data["division"], data["name"], data["period"], group["key"], key, value]
        for group in groups for key, value in group["indicators"].items()))


@blp.route("/exports/registrations.csv")
@requires(EXPORTS)
@requires(REGISTRATIONS)
@blp.doc(tags=["导出"], summary="登记 CSV（身份证号、姓名脱敏，公式注入已中和）")
@blp.arguments(schemas.RegistrationExportArgs, location="query")
@blp.response(200, content_type="text/csv", description="CSV，列同 /registrations 的字段")
def export_registrations(args):
    columns = ["id", "kind", "registration_no", "division_code", "id_number_masked",
               "name_masked", "status", "date", "end_date", "employment_type", "employer_name"]
    records = db.session.scalars(_registration_query(args).limit(
        current_app.config["API_EXPORT_MAX_ROWS"]))
    return _csv(columns, ([_registration(args["kind"], r)[c] for c in columns]
                          for r in records))

