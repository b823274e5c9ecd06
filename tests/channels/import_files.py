"""Channel files for the import tests: good and bad rows of every channel, written as CSV or
XLSX under the catalogue's Chinese headers, and the upload through the page."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy import select

from field_app.channels.catalogue import CHANNELS
from field_app.channels.models import Channel
from field_app.extensions import db
from field_app.jobs.models import Job
from tests.factories import make_id_number, uscc_for

COUNTY = "152201000000"  # 乌兰浩特市
COMMUNITY = "152201001001"  # 第一社区, in COUNTY
OTHER_COUNTY = "152202000000"  # 阿尔山市
OTHER_VILLAGE = "152202100201"  # 林俗村, in OTHER_COUNTY


_NUMBERS: dict[int, str] = {}


def person_number(n: int) -> str:
    """The ID number of the channel files' person ``n``, the same on every call."""
    if n not in _NUMBERS:
        _NUMBERS[n] = make_id_number(dt.date(1980 + n, 3, 4), "male" if n % 2 else "female")
    return _NUMBERS[n]


def good_rows(channel: Channel, count: int = 2, *, division: str = COMMUNITY) -> list[dict]:
    """``count`` rows of ``channel`` by field key, cells as a partner writes them."""
    rows = []
    for n in range(count):
        person = {"id_number": person_number(n), "name": f"渠道{n}", "hukou": "城镇",
                  "division_code": division}
        rows.append(person | {
            Channel.SI_ATTRITION: {"occurred_on": "2026-03-31", "reason": "退休"},
            Channel.SI_PAYEES: {"month": "2026-03"},
            Channel.MARKET: {"employer_uscc": uscc_for(100 + n), "employer_name": f"张{n}便利店",
                             "start_date": "2026-03-01", "end_date": "",
                             "registered_on": "", "person_category": ""},
            Channel.CIVIL_SERVICE: {"employer_uscc": uscc_for(200), "employer_name": "兴安盟某局",
                                    "hire_kind": "公务员", "start_date": "2026-03-01",
                                    "registered_on": "", "person_category": ""},
            Channel.STATISTICS: {},
        }[channel])
    if channel == Channel.STATISTICS:
        rows = [{"division_code": COUNTY if n == 0 else division, "as_of": f"2025-{12 - n}-01",
                 "employed_total": str(7972 + n), "deduction": "145"} for n in range(count)]
    return rows


def outside(channel: Channel, row: dict) -> dict:
    """The row placed in another county."""
    return row | {"division_code": OTHER_COUNTY if channel == Channel.STATISTICS
                  else OTHER_VILLAGE}


def sheet(channel: Channel, rows: list[dict], fmt: str) -> bytes:
    """The rows under the channel's Chinese headers, as CSV (UTF-8 with BOM) or XLSX."""
    fields = CHANNELS[channel].fields
    table = [[f.header for f in fields]] + [[row.get(f.key, "") for f in fields] for row in rows]
    if fmt == "csv":
        text = "\n".join(",".join(cells) for cells in table) + "\n"
        return ("\ufeff" + text).encode("utf-8")
    book = Workbook()
    for cells in table:
        book.active.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, channel: Channel | str, data: bytes, name: str):
    return client.post(f"/channels/{Channel(channel).value}",
                       data={"sheet": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def job_of(response) -> Job:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    location = response.headers["Location"]
    assert location.startswith("/jobs/"), location
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.id == int(location.rsplit("/", 1)[1])))
