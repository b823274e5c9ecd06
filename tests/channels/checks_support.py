"""Shared set-up of the checks' tests (hires, payees, provenance): a clock in mid-2026, a
channel batch made as an accepted upload would be, and the rows it brought in."""
from __future__ import annotations

import datetime as dt

from field_app.channels.models import BenefitPayee, Channel, ChannelBatch
from field_app.core.clock import clock
from field_app.extensions import db
from tests.factories import uscc_for

TODAY = dt.date(2026, 6, 15)
BANNER = "152201000000"  # 乌兰浩特市
STREET = "152201001000"  # 都林街道
COMMUNITY = "152201001001"  # 第一社区
VILLAGE = "152201100201"  # 葛根庙嘎查, in BANNER outside STREET
OTHER_BANNER = "152202000000"  # 阿尔山市
OTHER_VILLAGE = "152202100201"  # 林俗村
HIRED = dt.date(2026, 5, 10)


def set_today() -> None:
    clock.set(dt.datetime.combine(TODAY, dt.time(9, 30)))


def batch(uploader=None, *, channel: Channel = Channel.CIVIL_SERVICE, division: str = BANNER,
          filename: str = "录用.xlsx", rows: int = 1) -> ChannelBatch:
    made = ChannelBatch(channel=channel, division_code=division, filename=filename,
                        file_format=filename.rsplit(".", 1)[-1], sha256="0" * 64, rows=rows,
                        inserted=rows, updated=0, unchanged=0,
                        uploaded_by_id=uploader.id if uploader else None,
                        uploaded_at=clock.now())
    db.session.add(made)
    db.session.flush()
    return made


def hire(make, person, made: ChannelBatch, *, start: dt.date = HIRED,
         division: str = COMMUNITY, employment_type: str = "unit"):
    """A civil-service hire the batch inserted."""
    registration = make.employment(person, start, division=division,
                                   employment_type=employment_type,
                                   employer_uscc=uscc_for(7), category="other")
    registration.channel_batch_id = made.id
    db.session.flush()
    return registration


def payee(person, made: ChannelBatch, month: dt.date, *, division: str = COMMUNITY):
    row = BenefitPayee(person_id=person.id, division_code=division, month=month,
                       channel_batch_id=made.id)
    db.session.add(row)
    db.session.flush()
    return row
