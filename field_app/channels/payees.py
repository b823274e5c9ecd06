"""The unemployment-insurance payee check: the notice counts every urban-hukou payee
(失业保险金领取人员) as registered unemployed, so the desk registers each payee of a month who
has no valid unemployment registration open at that month's end. Rural-hukou payees are not
counted so; a registration anywhere (not only in the reader's jurisdiction) counts.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from field_app.channels.models import BenefitPayee
from field_app.core.permissions import in_scope
from field_app.households.models import Hukou, Person
from field_app.registrations.models import UnemploymentRegistration as U

SHOWN = 500  # rows listed on the page; the count is always complete


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def registered_at(day: dt.date):
    """SQL: the payee's person has a valid unemployment registration (anywhere) open at the
    end of ``day``."""
    return exists().where(U.person_id == BenefitPayee.person_id, U.valid,
                          U.registered_on <= day,
                          or_(U.cancelled_on.is_(None), U.cancelled_on > day))


@dataclasses.dataclass(frozen=True)
class PayeeCheck:
    month: dt.date
    checked: int  # payees of the month in scope
    rural: int  # of which not urban (not counted as registered unemployed)
    registered: int  # urban ones already registered at the month's end
    missing: int  # urban ones without a registration open at the month's end
    unregistered: list[tuple[BenefitPayee, Person]]  # the first ``limit`` of those


def payee_check(session: Session, user, month: dt.date, limit: int = SHOWN) -> PayeeCheck:
    """The urban-hukou payees of ``month`` in the user's jurisdiction without a valid
    unemployment registration open at the month's end; two statements, set-based."""
    day = month_end(month)
    urban = Person.hukou == Hukou.URBAN
    base = and_(BenefitPayee.month == month, in_scope(BenefitPayee.division_code, user))
    checked, urban_count, registered = session.execute(
        select(func.count(), func.count(case((urban, 1))),
               func.count(case((and_(urban, registered_at(day)), 1))))
        .select_from(BenefitPayee).join(Person, Person.id == BenefitPayee.person_id)
        .where(base)).one()
    rows = session.execute(
        select(BenefitPayee, Person).join(Person, Person.id == BenefitPayee.person_id)
        .where(base, urban, ~registered_at(day))
        .order_by(BenefitPayee.division_code, Person.name, BenefitPayee.id).limit(limit)).all()
    return PayeeCheck(month, checked, checked - urban_count, registered,
                      urban_count - registered, [(payee, person) for payee, person in rows])
