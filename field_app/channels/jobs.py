"""A channel upload as a background job: one job kind per channel (``channel_import.<name>``),
since each channel has its own capability and a job is seen by those who hold its kind's
capability at its division (``jobs.queries``).

The job reads the upload kept on it (``sheets.read_upload``) and imports it
(``operations.import_channel``). When it fails, the job keeps the faults (identifiers
masked, the first ``REPORT_MAX``, with their count) and, in place of the upload, the bad
rows as an XLSX with the bad cells marked, which only the uploader may download: it holds
the rows as they were written, identifiers in full, for them to correct.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from field_app.accounts.models import User
from field_app.channels.catalogue import CHANNELS, ChannelSpec
from field_app.channels.models import Channel
from field_app.channels.operations import ChannelResult, import_channel
from field_app.channels.sheets import SheetFault, bad_rows_xlsx, read_upload
from field_app.core.identifiers import mask_id_number
from field_app.jobs.queue import Outcome, kind

PREFIX = "channel_import."
REPORT_MAX = 500
_ID_NUMBER = re.compile(r"\d{17}[\dXx]")

NO_UPLOADER = _l("渠道数据只能由本人账号上传，任务未执行")


def kind_name(channel: Channel | str) -> str:
    return f"{PREFIX}{Channel(channel).value}"


def channel_of(job) -> Channel | None:
    """The channel of a channel-import job; None for a job of another kind."""
    if not job.kind.startswith(PREFIX):
        return None
    try:
        return Channel(job.kind.removeprefix(PREFIX))
    except ValueError:
        return None


def file_format(filename: str) -> str:
    return PurePosixPath(filename).suffix.lower().lstrip(".")


def masked(fault: SheetFault) -> str:
    """A fault's value as the job keeps it: ID numbers masked wherever they appear."""
    if fault.key == "id_number" and fault.value:
        return mask_id_number(fault.value)
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), fault.value or "")


def report(spec: ChannelSpec, filename: str, faults: list[SheetFault]) -> dict[str, Any]:
    """The faults as the job keeps them (the job page's format: file, line, column, value,
    reason, plus the field's key)."""
    headers = {field.key: field.header for field in spec.fields}
    return {"error_count": len(faults), "errors": [
        {"file": filename, "line": fault.line, "key": fault.key,
         "column": headers.get(fault.key, ""), "value": masked(fault), "reason": fault.message}
        for fault in faults[:REPORT_MAX]]}


def summary(result: ChannelResult) -> dict[str, Any]:
    batch = result.batch
    return {"batch_id": batch.id, "rows": batch.rows,
            "counts": {name: vars(c) for name, c in result.counts.items()},
            "hires": result.hires}


def _runner(spec: ChannelSpec):
    def run(session, job, progress) -> Outcome:
        uploader = session.get(User, job.created_by_id) if job.created_by_id else None
        if uploader is None:
            return Outcome(False, {}, NO_UPLOADER)
        filename = str(job.params.get("filename") or "upload")
        rows, faults = read_upload(spec, filename, job.upload or b"")
        result = None
        if not faults:
            result = import_channel(session, spec, rows, actor=uploader, filename=filename,
                                    file_format=file_format(filename),
                                    sha256=job.upload_sha256 or "", job=job, progress=progress)
            faults = result.faults
        if faults:
            return Outcome(False, report(spec, filename, faults),
                           _l("文件有 %(count)s 处错误，未导入任何数据", count=len(faults)),
                           keep=bad_rows_xlsx(spec, rows, faults))
        return Outcome(True, summary(result))

    return run


def result_page(job) -> str:
    return url_for("channels.job", job_id=job.id)


for _spec in CHANNELS.values():
    kind(kind_name(_spec.channel), label=_l("渠道数据导入：%(title)s", title=_l(_spec.title)),
         capability=_spec.capability, link=result_page, report=result_page)(_runner(_spec))
