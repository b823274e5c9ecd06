"""Desk writes. Each checks the actor's right and the importer's rules
(``exchange.checks.check_row``), changes records, and flushes; the session hooks write the
audit rows with the values before and after. None commits, none reads ``current_user``,
none deletes: a wrong registration is invalidated (作废) and kept.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.audit.actor import get_actor
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.counters import next_number
from field_app.core.errors import InvalidTransition, OutOfScope, ValidationFailed
from field_app.core.i18n import both
from field_app.divisions.models import Division
from field_app.exchange import files
from field_app.exchange.checks import check_row
from field_app.exchange.importer import ImportResult, import_dataset
from field_app.exchange.reader import Dataset, RowError
from field_app.households.models import Person
from field_app.households.operations import create_person
from field_app.registrations import numbers, queries
from field_app.registrations.models import (
    AidExitReason,
    CancelReason,
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    Employer,
    NaturalAttrition,
    UnemploymentRegistration,
)


def _authorise(allowed: bool) -> None:
    if not allowed:
        raise OutOfScope()


def _authorise_at(session: Session, model, actor, division_code: str) -> None:
    """The actor may write ``model`` records at ``division_code``, which must exist (the
    importer's reference rule)."""
    _authorise(model.can_create(actor, division_code))
    if session.get(Division, division_code) is None:
        raise _refuse("division_code", files.DIVISION_REF.message)


def _refuse(field: str, message) -> ValidationFailed:
    return ValidationFailed(str(message), {field: [message]})


def _where(session: Session, code: str) -> str:
    division = session.get(Division, code)
    return division.name if division else code


def _inside(actor, records):
    """The first of ``records`` in the actor's jurisdiction, which a refusal may name; a
    refusal about records elsewhere names neither their place nor their dates (STYLE 14)."""
    return next((r for r in records if actor.covers(r.division_code)), None)


def register_person(session: Session, *, actor, id_number: str, name: str,
                    hukou: str | None = None, phone: str | None = None) -> Person:
    """A person new to the system, checked as a ``persons.csv`` row is."""
    _authorise(actor.can(Capability.REGISTER_DESK))
    row = check_row(files.PERSONS, {"id_number": id_number, "name": name, "hukou": hukou,
                                    "phone": phone})
    if session.scalar(select(Person.id).where(Person.id_number == row["id_number"])):
        raise _refuse("id_number", _l("该身份证号码的人员已存在"))
    person = create_person(session, id_number=row["id_number"], name=row["name"],
                           hukou=row["hukou"], phone=row["phone"])
    session.flush()
    return person


def _next_number(session: Session, model, kind: str, division_code: str,
                 day: dt.date) -> str:
    return next_numbers(session, model, kind, division_code, day)[0]


def next_numbers(session: Session, model, kind: str, division_code: str, day: dt.date,
                 count: int = 1) -> list[str]:
    """The next ``count`` registration numbers of ``kind`` in the division's county and
    ``day``'s year (the format is ``registrations.numbers``). Allocated under the counter's
    lock (``core.counters``): clerks registering at the same moment get distinct numbers,
    and a channel upload takes the numbers of its new registrations in one update."""
    head = numbers.prefix(kind, division_code, day.year)
    width = len(head) + numbers.SERIAL_DIGITS

    def taken() -> int:
        # A range, not LIKE, so that both databases walk the unique index on the number.
        highest = session.scalar(
            select(model.registration_no)
            .where(model.registration_no.between(
                numbers.number(head, 0), numbers.number(head, 10**numbers.SERIAL_DIGITS - 1)),
                func.length(model.registration_no) == width)
            .order_by(model.registration_no.desc()).limit(1))
        tail = highest[len(head):] if highest else ""
        return int(tail) if tail.isdigit() else 0

    last = next_number(session, f"{model.__tablename__}:{head}", taken=taken, count=count)
    return [numbers.number(head, serial) for serial in range(last - count + 1, last + 1)]


def _employer_name(session: Session, uscc: str | None, name: str | None) -> str | None:
    """Remember the name given for a code; fill a missing name from the one remembered."""
    if not uscc:
        return name
    employer = session.get(Employer, uscc)
    if not name:
        return employer.name if employer else None
    if employer is None:
        # Two desks may name the same new employer at the same moment: the later insert
        # waits for the first and fails on the key; the row is then simply there.
        try:
            with session.begin_nested():
                session.add(Employer(uscc=uscc, name=name))
            return name
        except IntegrityError:
            employer = session.get(Employer, uscc, populate_existing=True)
    if employer.name != name:
        employer.name = name
    return name


EMPLOYMENT_FIELDS = ("division_code", "employment_type", "employer_uscc", "employer_name",
                     "start_date", "registered_on", "person_category", "formal_transfer",
                     "end_unemployment")


def register_employment(session: Session, person: Person, *, actor, division_code: str,
                        employment_type: str, employer_uscc: str | None,
                        employer_name: str | None, start_date: dt.date, registered_on: dt.date,
                        person_category: str, formal_transfer: bool,
                        end_unemployment: bool = False) -> EmploymentRegistration:
    """就业登记. With ``end_unemployment``, the person's open unemployment registrations in
    the actor's jurisdiction are cancelled (reason: employed) on ``start_date``."""
    _authorise_at(session, EmploymentRegistration, actor, division_code)
    number = _next_number(session, EmploymentRegistration, numbers.EMPLOYMENT, division_code,
                          registered_on)
    row = check_row(files.EMPLOYMENT_REGISTRATIONS, {
        "registration_id": number, "id_number": person.id_number,
        "division_code": division_code, "employment_type": employment_type,
        "employer_uscc": employer_uscc, "employer_name": employer_name,
        "start_date": start_date, "registered_on": registered_on,
        "person_category": person_category, "formal_transfer": formal_transfer, "valid": True})
    if end_unemployment:
        for registration in queries.open_unemployment(session, person):
            if registration.can_edit(actor):
                cancel_unemployment(registration, actor=actor, cancelled_on=start_date,
                                    reason=CancelReason.EMPLOYED)
    registration = EmploymentRegistration(
        registration_no=number, person_id=person.id, division_code=division_code,
        employment_type=row["employment_type"], employer_uscc=row["employer_uscc"],
        employer_name=_employer_name(session, row["employer_uscc"], row["employer_name"]),
        start_date=start_date, registered_on=registered_on,
        person_category=row["person_category"], formal_transfer=row["formal_transfer"],
        valid=True)
    session.add(registration)
    session.flush()
    return registration


def end_employment(registration: EmploymentRegistration, *, actor, end_date: dt.date) -> None:
    """终止就业: the employment ended on ``end_date``."""
    _authorise(registration.can_edit(actor))
    if not registration.valid:
        raise InvalidTransition(_l("已作废的登记不能再修改"))
    if registration.end_date is not None:
        raise InvalidTransition(_l("该就业登记已终止"))
    check_row(files.EMPLOYMENT_REGISTRATIONS, _as_row(registration) | {"end_date": end_date})
    registration.end_date = end_date


def _as_row(registration: EmploymentRegistration) -> dict:
    return {name: getattr(registration, name) for name in (
        "division_code", "employment_type", "employer_uscc", "employer_name", "start_date",
        "end_date", "registered_on", "person_category", "formal_transfer", "valid")} | {
        "registration_id": registration.registration_no,
        "id_number": registration.person.id_number}


def register_unemployment(session: Session, person: Person, *, actor, division_code: str,
                          registered_on: dt.date, receives_benefit: bool,
                          end_employment_on: dt.date | None = None) -> UnemploymentRegistration:
    """失业登记. Refused while the person is registered unemployed, or has employment not
    ended before ``registered_on`` — unless ``end_employment_on`` ends that employment (in
    the actor's jurisdiction) in the same step."""
    _authorise_at(session, UnemploymentRegistration, actor, division_code)
    if registered := queries.open_unemployment(session, person):
        if inside := _inside(actor, registered):
            message = _l("该人员已在%(place)s于%(day)s进行失业登记，尚未注销",
                         place=_where(session, inside.division_code),
                         day=inside.registered_on.isoformat())
        else:
            message = _l("该人员有尚未注销的失业登记（不在您的管辖范围内），请联系其登记地")
        raise _refuse("registered_on", message)
    for employment in queries.open_employment(session, person, registered_on):
        # Only an open-ended registration in the actor's jurisdiction can be ended here.
        endable = employment.end_date is None and employment.can_edit(actor)
        if end_employment_on is None or not endable:
            if actor.covers(employment.division_code):
                message = _l("该人员在%(place)s有%(day)s起的就业登记尚未终止，不能进行失业登记",
                             place=_where(session, employment.division_code),
                             day=employment.start_date.isoformat())
            else:
                message = _l("该人员有未终止的就业登记（不在您的管辖范围内），不能进行失业登记，"
                             "请联系其登记地")
            raise _refuse("end_employment_on" if endable else "registered_on", message)
        if end_employment_on > registered_on:
            raise _refuse("end_employment_on", _l("终止就业日期不能晚于失业登记日期"))
        end_employment(employment, actor=actor, end_date=end_employment_on)
    number = _next_number(session, UnemploymentRegistration, numbers.UNEMPLOYMENT,
                          division_code, registered_on)
    check_row(files.UNEMPLOYMENT_REGISTRATIONS, {
        "registration_id": number, "id_number": person.id_number,
        "division_code": division_code, "registered_on": registered_on, "valid": True,
        "receives_benefit": receives_benefit})
    registration = UnemploymentRegistration(
        registration_no=number, person_id=person.id, division_code=division_code,
        registered_on=registered_on, valid=True, receives_benefit=receives_benefit)
    session.add(registration)
    session.flush()
    return registration


def cancel_unemployment(registration: UnemploymentRegistration, *, actor,
                        cancelled_on: dt.date, reason: str) -> None:
    """注销失业登记 on ``cancelled_on`` for ``reason``."""
    _authorise(registration.can_edit(actor))
    if not registration.is_open:
        raise InvalidTransition(_l("该失业登记已注销或已作废"))
    check_row(files.UNEMPLOYMENT_REGISTRATIONS, {
        "registration_id": registration.registration_no,
        "id_number": registration.person.id_number,
        "division_code": registration.division_code,
        "registered_on": registration.registered_on, "cancelled_on": cancelled_on,
        "valid": True, "receives_benefit": registration.receives_benefit})
    registration.cancelled_on = cancelled_on
    registration.cancel_reason = CancelReason(reason)


def _mark_invalid(record, *, actor, reason: str, already) -> None:
    """Stamp ``record`` invalid with why, when and who; ``already`` is the refusal for a
    record invalidated before (the first stamp is never overwritten)."""
    _authorise(record.can_edit(actor))
    if not record.valid:
        raise InvalidTransition(already)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason", _l("请填写作废原因"))
    record.invalid_reason = reason[:200]
    record.invalidated_at = clock.now()
    record.invalidated_by_id = actor.id


def invalidate(registration: EmploymentRegistration | UnemploymentRegistration, *, actor,
               reason: str) -> None:
    """作废: the registration stops counting anywhere, and is kept with why, when and who."""
    _mark_invalid(registration, actor=actor, reason=reason, already=_l("该登记已作废"))
    registration.valid = False


def invalidate_aid(aid: EmploymentAid, *, actor, reason: str) -> None:
    """作废 an employment-aid record: it stops counting in rule 5 and no longer bars a new
    recognition of the person; it is kept with why, when and who."""
    _mark_invalid(aid, actor=actor, reason=reason, already=_l("该就业援助记录已作废"))


def invalidate_attrition(record: NaturalAttrition, *, actor, reason: str) -> None:
    """作废 a natural-attrition record: it stops counting in rule 2; kept with why, when, who."""
    _mark_invalid(record, actor=actor, reason=reason, already=_l("该自然减员记录已作废"))


def invalidate_employed_total(figure: EmployedTotal, *, actor, reason: str) -> None:
    """作废 an employed-total figure: rule 7 then treats the division as having no figure at
    that date (its children's sum, or empty); kept with why, when and who."""
    _mark_invalid(figure, actor=actor, reason=reason, already=_l("该期末从业人员总数已作废"))


def _revive(record, *, revive: bool, what) -> None:
    """A natural key held by an invalidated record, entered again. The key cannot take a
    second record, and the importer would update it and leave it invalid; so the desk asks
    first, naming the record (refusal on ``revive``), and on confirmation clears the
    invalidation. The caller then writes the values entered; the update's audit row keeps
    the invalidation it cleared."""
    if record.valid:
        return
    if not revive:
        raise _refuse("revive", _l(
            "%(what)s已于%(when)s作废（%(reason)s）。如需以本次填写的内容恢复为有效，"
            "请勾选“恢复已作废的记录”后再保存",
            what=what, when=record.invalidated_at.strftime("%Y-%m-%d %H:%M"),
            reason=record.invalid_reason))
    record.invalid_reason = record.invalidated_at = record.invalidated_by_id = None


def recognize_aid(session: Session, person: Person, *, actor, division_code: str,
                  recognized_on: dt.date, category: str, revive: bool = False) -> EmploymentAid:
    """就业困难人员认定; refused while an earlier valid recognition has not been exited. A
    recognition on the date of an invalidated one revives that record (see ``_revive``)
    as a recognition with the values entered and no exit."""
    _authorise_at(session, EmploymentAid, actor, division_code)
    if current := queries.open_aid(session, person):
        if inside := _inside(actor, current):
            message = _l("该人员已于%(day)s在%(place)s被认定为就业困难人员，尚未退出",
                         day=inside.recognized_on.isoformat(),
                         place=_where(session, inside.division_code))
        else:
            message = _l("该人员有尚未退出的就业困难人员认定（不在您的管辖范围内），"
                         "请联系其认定地")
        raise _refuse("recognized_on", message)
    aid = session.scalar(select(EmploymentAid).where(EmploymentAid.person_id == person.id,
                                                    EmploymentAid.recognized_on == recognized_on))
    # An invalidated record elsewhere is not the actor's to revive: the date is simply taken.
    if aid is not None and (aid.valid or not aid.can_edit(actor)):
        raise _refuse("recognized_on", _l("该人员在该日期已有认定记录"))
    row = check_row(files.EMPLOYMENT_AID, {"id_number": person.id_number,
                                           "division_code": division_code,
                                           "recognized_on": recognized_on})
    if aid is None:
        aid = EmploymentAid(person_id=person.id, recognized_on=recognized_on)
        session.add(aid)
    else:
        _revive(aid, revive=revive, what=_l("该人员%(day)s的就业困难人员认定",
                                            day=recognized_on.isoformat()))
    aid.division_code, aid.category = row["division_code"], category
    aid.exited_on = aid.exit_reason = None
    session.flush()
    return aid


def exit_aid(aid: EmploymentAid, *, actor, exited_on: dt.date, reason: str) -> None:
    """退出就业援助. Given again for an exited record, it corrects the exit."""
    _authorise(aid.can_edit(actor))
    if not aid.valid:
        raise InvalidTransition(_l("已作废的记录不能再修改"))
    check_row(files.EMPLOYMENT_AID, {"id_number": aid.person.id_number,
                                     "division_code": aid.division_code,
                                     "recognized_on": aid.recognized_on,
                                     "exited_on": exited_on, "exit_reason": reason})
    aid.exited_on = exited_on
    aid.exit_reason = AidExitReason(reason)


def record_attrition(session: Session, person: Person, *, actor, division_code: str,
                     occurred_on: dt.date, reason: str,
                     revive: bool = False) -> tuple[NaturalAttrition, bool]:
    """自然减员, keyed as the import keys it (person and date): entering a key again corrects
    that record, and revives it if it was invalidated (see ``_revive``). Returns the record
    and whether it is new."""
    _authorise_at(session, NaturalAttrition, actor, division_code)
    row = check_row(files.NATURAL_ATTRITION, {"id_number": person.id_number,
                                              "division_code": division_code,
                                              "occurred_on": occurred_on, "reason": reason})
    record = session.scalar(select(NaturalAttrition).where(
        NaturalAttrition.person_id == person.id, NaturalAttrition.occurred_on == occurred_on))
    created = record is None
    if created:
        record = NaturalAttrition(person_id=person.id, occurred_on=occurred_on)
        session.add(record)
    else:
        _authorise(record.can_edit(actor))
        _revive(record, revive=revive, what=_l("该人员%(day)s的自然减员记录",
                                               day=occurred_on.isoformat()))
    record.division_code, record.reason = row["division_code"], row["reason"]
    session.flush()
    return record, created


def set_employed_total(session: Session, *, actor, division_code: str, as_of: dt.date,
                       employed_total: int, deduction: int,
                       revive: bool = False) -> tuple[EmployedTotal, bool]:
    """期末从业人员总数 of a division at ``as_of``; a second entry for the same division and
    date corrects the first, as a second import would, and revives it if it was invalidated
    (see ``_revive``). Returns the figure and whether it is new."""
    _authorise_at(session, EmployedTotal, actor, division_code)
    row = check_row(files.EMPLOYED_TOTALS, {"division_code": division_code, "as_of": as_of,
                                            "employed_total": employed_total,
                                            "deduction": deduction})
    figure = session.scalar(select(EmployedTotal).where(
        EmployedTotal.division_code == division_code, EmployedTotal.as_of == as_of))
    created = figure is None
    if created:
        figure = EmployedTotal(division_code=division_code, as_of=as_of)
        session.add(figure)
    else:
        _revive(figure, revive=revive, what=_l(
            "%(place)s%(day)s的期末从业人员总数（%(total)s，扣除%(deduction)s）",
            place=_where(session, division_code), day=as_of.isoformat(),
            total=figure.employed_total, deduction=figure.deduction))
    figure.employed_total, figure.deduction = row["employed_total"], row["deduction"]
    session.flush()
    return figure, created


ATTRITION_IMPORT_FILES = (files.NATURAL_ATTRITION.filename, files.PERSONS.filename)


def _persons_without_attrition(dataset: Dataset) -> list[RowError]:
    # The extract's persons.csv completes the persons its attrition rows name; a row for
    # anyone else would make the desk's upload a way to create or edit arbitrary persons.
    persons = dataset.files.get(files.PERSONS.filename)
    attrition = dataset.files.get(files.NATURAL_ATTRITION.filename)
    if persons is None:
        return []
    named = {row["id_number"] for row in attrition.rows} if attrition is not None else set()
    return [RowError(files.PERSONS.filename, line, "id_number", row["id_number"],
                     both(_l("persons.csv 只能包含 natural_attrition.csv 中的人员")))
            for row, line in zip(persons.rows, persons.lines) if row["id_number"] not in named]


def import_attrition(session: Session, directory: Path, *, actor) -> ImportResult:
    """自然减员 from a social-insurance extract: ``natural_attrition.csv``, with the
    ``persons.csv`` it may need, imported all or nothing under the importer's rules, and
    every row within the actor's jurisdiction (the importer's scope: no row may place,
    change or move a record, or change a person, maintained outside it). With any fault
    nothing is written and the result lists every fault."""
    _authorise(NaturalAttrition.can_create(actor) and actor.division_code is not None)
    faults = [RowError(path.name, 1, "", path.name,
                       both(_l("登记台只导入 natural_attrition.csv 和 persons.csv")))
              for path in sorted(directory.iterdir()) if path.name not in ATTRITION_IMPORT_FILES]
    if not (directory / files.NATURAL_ATTRITION.filename).is_file():
        faults.append(RowError(files.NATURAL_ATTRITION.filename, 0, "", "",
                               both(_l("缺少 natural_attrition.csv"))))
    if faults:
        return ImportResult(faults, {})
    result = import_dataset(session.connection(), directory, actor=get_actor(session),
                            scope=actor.division_code, rule=_persons_without_attrition)
    if not result.ok:
        return result
    audit(session, "import", target_type="natural_attrition", note="; ".join(
        f"{name}: +{c.inserted} ~{c.updated} ={c.unchanged}" for name, c in result.counts.items()))
    return result
