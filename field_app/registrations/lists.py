"""The desk's five lists: what each shows, how it filters, and its rows for the page and the
exports. Every list is read through ``list_query``, which always scopes to the user."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, false, not_, select, true
from sqlalchemy.orm import Session, selectinload

from field_app.channels.models import Channel, ChannelBatch
from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.core.permissions import in_scope
from field_app.core.codes import is_code, subtree_bounds
from field_app.divisions.models import Division
from field_app.exchange import files
from field_app.registrations import labels
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)


@dataclasses.dataclass(frozen=True)
class ListFilter:
    type: str | None = None  # the kind's type column (employment type, aid category, ...)
    since: dt.date | None = None  # on the kind's main date, inclusive
    until: dt.date | None = None
    status: str | None = None
    division: str | None = None  # a subtree within the user's
    source: str | None = None  # "desk" or a channel's name (来源)
    batch: str | None = None  # a channel batch's id


@dataclasses.dataclass(frozen=True)
class ListKind:
    name: str
    title: Any
    model: type
    spec: files.FileSpec  # the interchange file the list exports as
    date_column: str
    columns: tuple[str, ...]  # XLSX columns, in order
    summary: tuple[str, ...] = ()  # columns of a list row's second line
    endpoint: str | None = None  # the record's page, if it has one
    type_column: str | None = None
    # status name -> SQL condition; ``state`` names the status of one record
    statuses: dict[str, Callable[[], ColumnElement]] = dataclasses.field(default_factory=dict)
    state: Callable[[Any], str | None] = lambda record: None

    @property
    def has_person(self) -> bool:
        return self.model is not EmployedTotal

    @property
    def has_source(self) -> bool:
        """The kind's records keep their provenance (``models.Provenance``)."""
        return hasattr(self.model, "channel_batch_id")

    @property
    def type_labels(self) -> dict:
        return labels.ENUMS[self.type_column] if self.type_column else {}


E, U, A = EmploymentRegistration, UnemploymentRegistration, EmploymentAid
N, T = NaturalAttrition, EmployedTotal
_PERSON = ("name", "id_number", "sex")

KINDS = {kind.name: kind for kind in (
    ListKind(
        "employment", _l("就业登记"), E,
        files.EMPLOYMENT_REGISTRATIONS, "start_date",
        ("registration_id", *_PERSON, "division_code", "division_name", "employment_type",
         "employer_uscc", "employer_name", "start_date", "end_date", "registered_on",
         "person_category", "formal_transfer", "status", "invalid_reason"),
        summary=("employment_type", "employer_name", "start_date", "division_name"),
        endpoint="registrations.employment", type_column="employment_type",
        statuses={"open": lambda: E.valid & E.end_date.is_(None),
                  "ended": lambda: E.valid & E.end_date.is_not(None),
                  "invalid": lambda: not_(E.valid)},
        state=lambda r: "invalid" if not r.valid else ("ended" if r.end_date else "open"),
    ),
    ListKind(
        "unemployment", _l("失业登记"), U,
        files.UNEMPLOYMENT_REGISTRATIONS, "registered_on",
        ("registration_id", *_PERSON, "phone", "division_code", "division_name",
         "registered_on", "receives_benefit", "cancelled_on", "cancel_reason", "status",
         "invalid_reason"),
        summary=("registered_on", "cancelled_on", "division_name"),
        endpoint="registrations.unemployment",
        statuses={"registered": lambda: U.valid & U.cancelled_on.is_(None),
                  "cancelled": lambda: U.valid & U.cancelled_on.is_not(None),
                  "invalid": lambda: not_(U.valid)},
        state=lambda r: "invalid" if not r.valid else (
            "cancelled" if r.cancelled_on else "registered"),
    ),
    ListKind(
        "aid", _l("就业援助"), A,
        files.EMPLOYMENT_AID, "recognized_on",
        (*_PERSON, "division_code", "division_name", "recognized_on", "category", "exited_on",
         "exit_reason", "status", "invalid_reason"),
        summary=("category", "recognized_on", "exited_on", "division_name"),
        endpoint="registrations.aid", type_column="category",
        statuses={"recognized": lambda: A.valid & A.exited_on.is_(None),
                  "exited": lambda: A.valid & A.exited_on.is_not(None),
                  "invalid": lambda: not_(A.valid)},
        state=lambda r: "invalid" if not r.valid else (
            "exited" if r.exited_on else "recognized"),
    ),
    ListKind(
        "attrition", _l("自然减员"), N,
        files.NATURAL_ATTRITION, "occurred_on",
        (*_PERSON, "division_code", "division_name", "occurred_on", "reason", "status",
         "invalid_reason"),
        summary=("reason", "occurred_on", "division_name"),
        endpoint="registrations.attrition", type_column="reason",
        statuses={"valid": lambda: N.valid, "invalid": lambda: not_(N.valid)},
        state=lambda r: "valid" if r.valid else "invalid",
    ),
    ListKind(
        "totals", labels.COLUMNS["employed_total"], T, files.EMPLOYED_TOTALS, "as_of",
        ("division_code", "division_name", "as_of", "employed_total", "deduction", "status",
         "invalid_reason"),
        summary=("as_of", "employed_total", "deduction"), endpoint="registrations.total",
        statuses={"valid": lambda: T.valid, "invalid": lambda: not_(T.valid)},
        state=lambda r: "valid" if r.valid else "invalid",
    ),
)}


def list_query(kind: ListKind, user, criteria: ListFilter) -> Select:
    """The kind's records in the user's jurisdiction matching ``criteria``, newest first.

    Filter values that do not apply (an unknown status, a division outside the user's
    subtree) select nothing rather than being ignored, so a list never shows more than asked.
    """
    model = kind.model
    date = getattr(model, kind.date_column)
    query = select(model).where(in_scope(model.division_code, user))
    if kind.has_person:
        query = query.options(selectinload(model.person))
    if criteria.type and kind.type_column:
        query = query.where(getattr(model, kind.type_column) == criteria.type)
    if criteria.since:
        query = query.where(date >= criteria.since)
    if criteria.until:
        query = query.where(date <= criteria.until)
    if criteria.status:
        condition = kind.statuses.get(criteria.status)
        query = query.where(condition() if condition else false())
    if criteria.division:
        if is_code(criteria.division) and user.covers(criteria.division):
            query = query.where(model.division_code.between(*subtree_bounds(criteria.division)))
        else:
            query = query.where(false())
    if criteria.source or criteria.batch:
        query = query.where(_source_condition(kind, criteria))
    return query.order_by(date.desc(), model.id.desc())


def _source_condition(kind: ListKind, criteria: ListFilter) -> ColumnElement[bool]:
    """来源: the desk's own records (no batch), a channel's, or one batch's. A kind without
    provenance holds desk records only."""
    if not kind.has_source:
        return true() if criteria.source == "desk" and not criteria.batch else false()
    column = kind.model.channel_batch_id
    conditions = []
    if criteria.source == "desk":
        conditions.append(column.is_(None))
    elif criteria.source in {channel.value for channel in Channel}:
        conditions.append(column.in_(select(ChannelBatch.id)
                                     .where(ChannelBatch.channel == Channel(criteria.source))))
    elif criteria.source:
        return false()
    if criteria.batch:
        if not criteria.batch.isdigit() or len(criteria.batch) > 12:
            return false()
        conditions.append(column == int(criteria.batch))
    return and_(*conditions)


def batches_of(session: Session, records) -> dict[int, ChannelBatch]:
    """The batches the records came from, by id, in one query (records of the desk have
    none)."""
    ids = sorted({record.channel_batch_id for record in records
                  if getattr(record, "channel_batch_id", None)})
    if not ids:
        return {}
    return {batch.id: batch for batch in session.scalars(
        select(ChannelBatch).where(ChannelBatch.id.in_(ids)))}


def source_label(record, batches: dict[int, ChannelBatch]) -> str:
    """The record's 来源 in a few words: 登记台录入, or the channel and the batch number."""
    batch = batches.get(getattr(record, "channel_batch_id", None) or 0)
    if batch is None:
        return str(labels.DESK_SOURCE)
    return str(_l("%(channel)s · 批次%(batch)s", channel=labels.CHANNELS[batch.channel],
                  batch=batch.id))


def interchange_query(kind: ListKind, user, criteria: ListFilter) -> Select:
    """``list_query`` less the invalidated records that the kind's interchange file cannot
    mark as such (it has no ``valid`` column): imported anywhere, they would count again."""
    query = list_query(kind, user, criteria)
    if "valid" not in kind.spec.column_names:
        query = query.where(kind.model.valid)
    return query


def describe(kind: ListKind, criteria: ListFilter, names: dict[str, str], user,
             at: dt.datetime) -> str:
    """The list, its division, its filters and the time, in one line: an exported file
    says what it holds. Only divisions of the user's jurisdiction are named (``names``)."""
    division = criteria.division if criteria.division in names else user.division_code
    parts = [str(kind.title), names.get(division, division or "")]
    if criteria.type and kind.type_column:
        found = {member.value: label for member, label in kind.type_labels.items()}
        parts.append(f"{labels.COLUMNS[kind.type_column]}：{found.get(criteria.type, '—')}")
    if criteria.status:
        state = labels.STATES.get(criteria.status) if criteria.status in kind.statuses else None
        parts.append(f"{_l('状态')}：{state or '—'}")
    if criteria.source:
        source = (labels.DESK_SOURCE if criteria.source == "desk"
                  else labels.CHANNELS.get(criteria.source, "—"))
        parts.append(f"{_l('来源')}：{source}")
    if criteria.batch:
        parts.append(_l("批次%(batch)s", batch=criteria.batch))
    if criteria.since or criteria.until:
        parts.append(_l("%(column)s %(since)s 至 %(until)s",
                        column=labels.COLUMNS[kind.date_column],
                        since=criteria.since.isoformat() if criteria.since else "…",
                        until=criteria.until.isoformat() if criteria.until else "…"))
    parts.append(_l("导出于 %(at)s", at=at.strftime("%Y-%m-%d %H:%M")))
    return " · ".join(str(part) for part in parts if str(part))


def division_names(session: Session, user) -> dict[str, str]:
    return dict(session.execute(select(Division.code, Division.name)
                                .where(in_scope(Division.code, user))).all())


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(labels.YES if value else labels.NO)


def display_value(kind: ListKind, record, column: str, names: dict[str, str]) -> Any:
    """One cell as people read it: labels for codes, masked ID and phone numbers."""
    person = record.person if kind.has_person else None
    if column == "registration_id":
        return record.registration_no
    if column == "id_number":
        return mask_id_number(person.id_number)
    if column == "phone":
        return mask_phone(person.phone)
    if column in ("name", "sex", "birth_date"):
        value = getattr(person, column)
    elif column == "division_name":
        return names.get(record.division_code, "")
    elif column == "status":
        return str(labels.STATES[kind.state(record)])
    else:
        value = getattr(record, column)
    if column in labels.ENUMS:
        return "" if value is None else str(labels.ENUMS[column][value])
    if isinstance(value, bool) or column == "receives_benefit":
        return _yes_no(value)
    return value


def interchange_value(record, column: str) -> Any:
    """One cell of the interchange row the record is (full ID number: the format needs it)."""
    if column == "registration_id":
        return record.registration_no
    if column == "id_number":
        return record.person.id_number
    return getattr(record, column)
