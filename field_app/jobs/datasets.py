"""The data-set upload (上传数据集) as a job: the interchange folder sent as a ZIP of its CSV
files, unpacked with limits, imported all or nothing within the uploader's jurisdiction
(``exchange.importer.import_dataset`` with the uploader's division as its scope), the error
report kept on the job when it fails.

The ZIP is checked twice: its shape when it arrives (``archive_fault``: the form says what is
wrong at once), and again while it is unpacked, where the sizes are counted as read rather
than believed from the archive's directory.
"""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from flask_babel import lazy_gettext as _l

from field_app.accounts.capabilities import Capability
from field_app.audit.actor import get_actor
from field_app.core.i18n import both
from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.exchange.importer import ImportResult, import_dataset
from field_app.exchange.reader import RowError
from field_app.jobs.queue import Outcome, kind

KIND = "dataset_import"
MAX_MEMBERS = 40  # the interchange format has a dozen files
MAX_UNPACKED = 400 * 1024 * 1024  # CSV compresses about tenfold: 20 MB of ZIP, 200 MB of text
REPORT_MAX = 500  # faults kept on the job; the count says how many there were
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_MASKED = {"id_number": mask_id_number, "phone": mask_phone}

NOT_ZIP = _l("不是有效的ZIP文件")
NO_CSV = _l("ZIP中没有CSV文件")
BAD_NAME = _l("文件名无效，只能用字母、数字、下划线、点和连字符")
TWICE = _l("ZIP中有同名文件")
ENCRYPTED = _l("ZIP文件已加密，无法读取")


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The files worth reading: directories and the litter of archivers left out."""
    return [info for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith(".")]


def archive_fault(data: bytes):
    """What is wrong with the shape of the ZIP ``data`` (a lazy message), or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return NOT_ZIP
    with archive:
        members = _members(archive)
        if len(members) > MAX_MEMBERS:
            return _l("ZIP中的文件过多（最多%(max)s个）", max=MAX_MEMBERS)
        if sum(info.file_size for info in members) > MAX_UNPACKED:
            return _l("ZIP解压后超过%(mb)s MB", mb=MAX_UNPACKED // (1024 * 1024))
        if any(info.flag_bits & 0x1 for info in members):
            return ENCRYPTED
        if not any(info.filename.lower().endswith(".csv") for info in members):
            return NO_CSV
    return None


def unpack(data: bytes, folder: Path) -> list[RowError]:
    """Write the ZIP's files into ``folder`` under their own names (one folder level in the
    archive is allowed and dropped), counting the bytes as they come; the faults, in the
    importer's format, when the archive cannot be taken."""
    fault = archive_fault(data)
    if fault is not None:
        return [RowError("", 0, "", "", both(fault))]
    seen: set[str] = set()
    written = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in _members(archive):
            name = PurePosixPath(info.filename.replace("\\", "/")).name
            if not _NAME.match(name) or len(PurePosixPath(info.filename).parts) > 2:
                return [RowError(name[:64], 0, "", "", both(BAD_NAME))]
            if name in seen:
                return [RowError(name, 0, "", "", both(TWICE))]
            seen.add(name)
            try:
                with archive.open(info) as source, open(folder / name, "wb") as target:
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > MAX_UNPACKED:
                            return [RowError(name, 0, "", "", both(_l(
                                "ZIP解压后超过%(mb)s MB", mb=MAX_UNPACKED // (1024 * 1024))))]
                        target.write(chunk)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError):
                return [RowError(name, 0, "", "", both(NOT_ZIP))]
    return []


def _masked(fault: RowError) -> dict[str, Any]:
    row = fault.as_dict()
    mask = _MASKED.get(fault.column)
    if mask is not None and row["value"]:
        row["value"] = mask(row["value"])
    return row


def error_report(faults: list[RowError]) -> dict[str, Any]:
    """The faults as the job keeps them: the first ``REPORT_MAX``, identifiers masked (the
    line and column find the row in the uploader's own file)."""
    return {"error_count": len(faults), "errors": [_masked(f) for f in faults[:REPORT_MAX]]}


def summary(result: ImportResult) -> dict[str, Any]:
    return {"counts": {name: vars(c) for name, c in result.counts.items()}}


@kind(KIND, label=_l("导入数据集"), capability=Capability.IMPORT_DATASETS)
def run_import(session, job, progress) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="field-app-import-") as folder:
        faults = unpack(job.upload or b"", Path(folder))
        if not faults:
            result = import_dataset(session.connection(), Path(folder),
                                    actor=get_actor(session), scope=job.division_code,
                                    progress=progress)
            faults = result.errors
    if faults:
        return Outcome(False, error_report(faults),
                       _l("数据集有 %(count)s 处错误，未导入任何数据", count=len(faults)))
    return Outcome(True, summary(result))
