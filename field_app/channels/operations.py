"""The channel import: a partner department's sheet, read by ``sheets.read_upload``, written
as files of the interchange format and imported by the one importer
(``exchange.importer.import_dataset``) within the uploader's jurisdiction, all or nothing.

Each interchange file keeps one row per sheet row, in order (persons once per ID number),
and a map from its CSV line back to the sheet's line, so the importer's faults come back
on the line and column the uploader sees. The whole upload runs in a savepoint: the batch,
the registration numbers taken, the records and the payee list stay only when every row
was accepted. The same file uploaded again changes nothing: registration numbers are found
again by person, employer and start date, and the importer leaves identical rows (and
their provenance) alone.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.audit.actor import actor_for, get_actor
from field_app.audit.operations import record
from field_app.channels.catalogue import ChannelSpec
from field_app.channels.hires import settle_hires
from field_app.channels.models import BenefitPayee, Channel, ChannelBatch
from field_app.channels.sheets import SheetFault, SheetRow
from field_app.core.clock import clock
from field_app.core.codes import in_subtree
from field_app.core.errors import OutOfScope
from field_app.core.i18n import both
from field_app.divisions.models import Division
from field_app.exchange import files
from field_app.exchange.exporter import cell_text
from field_app.exchange.importer import Counts, import_dataset
from field_app.exchange.lookups import chunks, fetch_map
from field_app.exchange.reader import RowError
from field_app.exchange.scope import OUTSIDE
from field_app.households.models import Person
from field_app.registrations import numbers
from field_app.registrations.models import (
    EmploymentRegistration,
    EmploymentType,
    PersonCategory,
)
from field_app.registrations.operations import next_numbers

PERSONS = "persons.csv"
PAYEES = "benefit_payees"  # the counts' name of the payee list (not an interchange file)
# The interchange file each channel's rows become (besides persons.csv).
CHANNEL_FILE: dict[Channel, str | None] = {
    Channel.SI_ATTRITION: "natural_attrition.csv",
    Channel.SI_PAYEES: None,
    Channel.MARKET: "employment_registrations.csv",
    Channel.CIVIL_SERVICE: "employment_registrations.csv",
    Channel.STATISTICS: "employed_totals.csv",
}
EMPLOYMENT_TYPE = {Channel.MARKET: EmploymentType.INDIVIDUAL_BUSINESS,
                   Channel.CIVIL_SERVICE: EmploymentType.UNIT}

NO_ROWS = _l("文件中没有数据行")


def _differs(key: str, line: int):
    if key == "name":
        return _l("同一公民身份号码在第%(line)s行的姓名不同", line=line)
    return _l("同一公民身份号码在第%(line)s行的户籍类型不同", line=line)

NO_DIVISION = files.DIVISION_REF.message
NOT_YOURS = _l("您没有上传该渠道数据的权限")


@dataclasses.dataclass
class ChannelResult:
    """What an upload came to: every fault (nothing written), or the batch and its counts
    (by interchange file, and ``PAYEES``), with the hire check's figures for civil service."""

    faults: list[SheetFault]
    batch: ChannelBatch | None = None
    counts: dict[str, Counts] = dataclasses.field(default_factory=dict)
    hires: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.faults


def may_upload(user, spec: ChannelSpec) -> bool:
    """The channel's capability at the user's own division (an upload is the office's)."""
    code = getattr(user, "division_code", None)
    return bool(code) and user.can(spec.capability, at=code)


# --- the interchange files --------------------------------------------------------------

class _Folder:
    """Interchange files written into a folder, each with its map CSV line → sheet line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[str, dict[int, int]] = {}

    def write(self, filename: str, columns: list[str],
              rows: list[tuple[int, dict[str, Any]]]) -> None:
        row = io.StringIO()  # one row at a time, to count the lines it takes
        writer = csv.writer(row, lineterminator="\n")
        lines: dict[int, int] = {}
        line = 0
        with open(self.path / filename, "w", encoding="utf-8", newline="") as target:
            for sheet_line, cells in [(0, dict(zip(columns, columns))), *rows]:
                row.seek(0)
                row.truncate()
                writer.writerow([cell_text(cells.get(name)) for name in columns])
                text = row.getvalue()
                # The reader numbers a row by the last physical line it took (a quoted cell
                # may hold a line break).
                line += text.count("\n")
                lines[line] = sheet_line
                target.write(text)
        self.lines[filename] = lines


def _persons(session: Session, rows: list[SheetRow],
             faults: list[SheetFault]) -> list[tuple[int, dict[str, Any]]]:
    """One persons.csv row per ID number (its first sheet line); a later row naming the same
    person otherwise is a fault. A stored person keeps the phone the sheet does not carry."""
    first: dict[str, SheetRow] = {}
    for row in rows:
        number = row.values["id_number"]
        seen = first.setdefault(number, row)
        if seen is row:
            continue
        for key in ("name", "hukou"):
            if row.values.get(key) != seen.values.get(key):
                faults.append(SheetFault(row.line, key, row.cells.get(key, ""),
                                         both(_differs(key, seen.line))))
    phones = fetch_map(session.connection(), Person.__table__, "id_number", "phone", first)
    return [(row.line, {"id_number": number, "name": row.values["name"],
                        "hukou": row.values["hukou"], "phone": phones.get(number)})
            for number, row in first.items()]


def _registration_numbers(session: Session, rows: list[SheetRow],
                          employment_type: EmploymentType) -> list[tuple[str, str | None]]:
    """The registration number of each row, with the stored registration's person category
    (None for a new one): a stored registration of the same person, type, employer and
    start date keeps its own number (a second upload changes nothing); the others get new
    ones, taken per county and year in one counter update each."""
    E = EmploymentRegistration
    key_of: Callable[[SheetRow], tuple] = lambda row: (
        row.values["id_number"], row.values["employer_uscc"], row.values["start_date"])
    known: dict[tuple, str] = {}
    categories: dict[tuple, str] = {}
    wanted = sorted({row.values["id_number"] for row in rows})
    for chunk in chunks(wanted):
        found = session.execute(
            select(Person.id_number, E.employer_uscc, E.start_date, E.registration_no,
                   E.person_category)
            .join(Person, Person.id == E.person_id)
            .where(Person.id_number.in_(chunk), E.employment_type == employment_type)
            .order_by(E.valid.desc(), E.id))
        for number, uscc, start, registration_no, category in found:
            if (number, uscc, start) not in known:
                known[(number, uscc, start)] = registration_no
                categories[(number, uscc, start)] = PersonCategory(category).value
    fresh: dict[tuple[str, str, dt.date], list[tuple]] = {}  # (county prefix) -> new keys
    for row in rows:
        key = key_of(row)
        if key in known:
            continue
        known[key] = ""  # taken below; a repeated row shares its number
        division, day = row.values["division_code"], row.values["registered_on"]
        group = (numbers.prefix(numbers.EMPLOYMENT, division, day.year), division, day)
        fresh.setdefault(group, []).append(key)
    for (_, division, day), keys in fresh.items():
        for key, number in zip(keys, next_numbers(session, E, numbers.EMPLOYMENT, division,
                                                  day, len(keys))):
            known[key] = number
    return [(known[key_of(row)], categories.get(key_of(row))) for row in rows]


def _channel_rows(session: Session, spec: ChannelSpec,
                  rows: list[SheetRow]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The columns and rows of the channel's own interchange file."""
    channel = spec.channel
    if channel == Channel.SI_ATTRITION:
        columns = ["id_number", "division_code", "occurred_on", "reason"]
        return columns, [(row.line, row.values) for row in rows]
    if channel == Channel.STATISTICS:
        columns = ["division_code", "as_of", "employed_total", "deduction"]
        return columns, [(row.line, {**row.values, "deduction": row.values.get("deduction")
                                     or 0}) for row in rows]
    employment_type = EMPLOYMENT_TYPE[channel]
    for row in rows:  # 登记日期 defaults to the start date (also done by the reader)
        row.values["registered_on"] = row.values.get("registered_on") or row.values["start_date"]
    registration_numbers = _registration_numbers(session, rows, employment_type)
    columns = ["registration_id", "id_number", "division_code", "employment_type",
               "employer_uscc", "employer_name", "start_date", "end_date", "registered_on",
               "person_category", "formal_transfer", "valid"]
    # A blank 人员类别 keeps a stored registration's category (the hire check may have made
    # it 就业转失业), and is 其他 for a new one.
    return columns, [(row.line, {
        **row.values, "registration_id": number, "employment_type": employment_type.value,
        "person_category": (row.values.get("person_category")
                            if (row.cells.get("person_category") or "").strip()
                            else stored or row.values.get("person_category") or "other"),
        "formal_transfer": False, "valid": True,
    }) for row, (number, stored) in zip(rows, registration_numbers)]


def _sheet_faults(spec: ChannelSpec, errors: list[RowError],
                  lines: dict[str, dict[int, int]]) -> list[SheetFault]:
    """The importer's faults on the sheet's lines and columns (a column the sheet does not
    have, such as the registration number, makes the fault the whole row's)."""
    keys = set(spec.keys)
    return [SheetFault(lines.get(error.file, {}).get(error.line, 0),
                       error.column if error.column in keys else None, error.value,
                       error.reason) for error in errors]


# --- the payee list ---------------------------------------------------------------------

def _month(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    return dt.date.fromisoformat(f"{str(value)[:7]}-01")


def _division_faults(session: Session, spec: ChannelSpec, rows: list[SheetRow],
                     actor) -> list[SheetFault]:
    """The payee rows whose division does not exist or is not the uploader's (the
    importer checks the divisions of the files it reads; the payee list is not one)."""
    codes = {row.values["division_code"] for row in rows}
    existing = set(fetch_map(session.connection(), Division.__table__, "code", "code", codes))
    faults = []
    for row in rows:
        code = row.values["division_code"]
        if not in_subtree(code, actor.division_code) or not actor.can(spec.capability, at=code):
            faults.append(SheetFault(row.line, "division_code", row.cells.get(
                "division_code", code), both(OUTSIDE)))
        elif code not in existing:
            faults.append(SheetFault(row.line, "division_code", row.cells.get(
                "division_code", code), both(NO_DIVISION)))
    return faults


def _store_payees(session: Session, rows: list[SheetRow], batch: ChannelBatch) -> Counts:
    """The payee list: a new person and month is added; one already listed is left as it is
    unless the division changed (then it is this batch's). Set-based look-ups."""
    conn = session.connection()
    person_ids = fetch_map(conn, Person.__table__, "id_number", "id",
                           {row.values["id_number"] for row in rows})
    wanted: dict[tuple[int, dt.date], str] = {}
    for row in rows:  # a later row of the same person and month wins, as in the importer
        wanted[(person_ids[row.values["id_number"]], _month(row.values["month"]))] = \
            row.values["division_code"]
    stored: dict[tuple[int, dt.date], BenefitPayee] = {}
    for chunk in chunks(sorted({person_id for person_id, _ in wanted})):
        for payee in session.scalars(select(BenefitPayee).where(
                BenefitPayee.person_id.in_(chunk))):
            stored[(payee.person_id, payee.month)] = payee
    counts = Counts()
    for (person_id, month), division in wanted.items():
        payee = stored.get((person_id, month))
        if payee is None:
            session.add(BenefitPayee(person_id=person_id, month=month, division_code=division,
                                     channel_batch_id=batch.id))
            counts.inserted += 1
        elif payee.division_code != division:
            payee.division_code, payee.channel_batch_id = division, batch.id
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()
    return counts


# --- the import -------------------------------------------------------------------------

def import_channel(session: Session, spec: ChannelSpec, rows: list[SheetRow], *, actor,
                   filename: str, file_format: str, sha256: str, job=None,
                   progress: Callable[[int, int], None] | None = None) -> ChannelResult:
    """Import the sheet rows of one upload of ``spec``'s channel by ``actor`` (a user, who
    must hold the channel's capability at their own division), all or nothing.

    Returns every fault (and nothing of the upload remains: batch, numbers, records, payees
    are rolled back to a savepoint), or the new ``ChannelBatch`` with its counts; the
    records inserted or changed carry the batch (provenance), a civil-service batch's hires
    are settled (``hires.settle_hires``). Flushes, never commits."""
    if not may_upload(actor, spec):
        raise OutOfScope(NOT_YOURS)
    if not rows:
        return ChannelResult([SheetFault(0, None, "", both(NO_ROWS))])
    audit_actor = get_actor(session)
    if audit_actor.user_id != actor.id:
        audit_actor = actor_for(actor)
    savepoint = session.begin_nested()
    try:
        result = _import(session, spec, rows, actor=actor, audit_actor=audit_actor,
                         filename=filename, file_format=file_format, sha256=sha256, job=job,
                         progress=progress)
    except BaseException:
        savepoint.rollback()
        raise
    if result.faults:
        savepoint.rollback()
        result.batch = None
    else:
        savepoint.commit()
    return result


def _import(session: Session, spec: ChannelSpec, rows: list[SheetRow], *, actor, audit_actor,
            filename: str, file_format: str, sha256: str, job,
            progress) -> ChannelResult:
    faults: list[SheetFault] = []
    channel = spec.channel
    with tempfile.TemporaryDirectory(prefix="field-app-channel-") as path:
        folder = _Folder(Path(path))
        if "id_number" in spec.keys:
            folder.write(PERSONS, ["id_number", "name", "hukou", "phone"],
                         _persons(session, rows, faults))
        if channel == Channel.SI_PAYEES:
            faults += _division_faults(session, spec, rows, actor)
        target = CHANNEL_FILE[channel]
        if target is not None:
            columns, records = _channel_rows(session, spec, rows)
            folder.write(target, columns, records)
        batch = ChannelBatch(channel=channel, division_code=actor.division_code,
                             filename=filename[:200], file_format=file_format, sha256=sha256,
                             rows=len(rows), job_id=getattr(job, "id", None),
                             uploaded_by_id=actor.id, uploaded_at=clock.now())
        session.add(batch)
        session.flush()
        imported = import_dataset(session.connection(), Path(path), actor=audit_actor,
                                  scope=actor.division_code,
                                  provenance={"channel_batch_id": batch.id}, progress=progress)
        faults += _sheet_faults(spec, imported.errors, folder.lines)
    if faults:
        return ChannelResult(sorted(faults, key=_order(spec)))
    counts = dict(imported.counts)
    if channel == Channel.SI_PAYEES:
        counts[PAYEES] = _store_payees(session, rows, batch)
    main = counts.get(PAYEES if target is None else target, Counts())
    batch.inserted, batch.updated, batch.unchanged = main.inserted, main.updated, main.unchanged
    hires = settle_hires(session, batch, actor=actor) if channel == Channel.CIVIL_SERVICE \
        else None
    session.flush()
    record(session, "channel_upload", actor=audit_actor, target_type="channel_batches",
           target_id=batch.id, division=batch.division_code, note=channel.value)
    return ChannelResult([], batch, counts, hires)


def _order(spec: ChannelSpec) -> Callable[[SheetFault], tuple]:
    position = {key: index for index, key in enumerate(spec.keys)}
    return lambda fault: (fault.line, position.get(fault.key, -1))
