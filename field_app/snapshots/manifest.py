"""A snapshot directory's manifest (``manifest.json``) and its checks.

The manifest lists every other file of the directory with its SHA-256 and size, and names
the SHA-256 of the previous snapshot's manifest, so that snapshots form a chain: changing
an old snapshot's manifest (to hide a changed file) breaks the link the next one holds.
The manifest's own hash is kept in the database's ``snapshots`` row as well, which covers
the newest link. No database and no Flask request are needed here: ``verify`` runs on a
copy kept off-site.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

MANIFEST = "manifest.json"
FORMAT = "field_app-snapshot-1"
_CHUNK = 1 << 20


class SnapshotError(Exception):
    """A snapshot that cannot be made, read or restored; ``message`` is a lazy msgid the
    command line shows in both languages, ``lines`` further detail (one problem a line)."""

    def __init__(self, message, lines: list | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.lines = lines or []


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def listed_files(directory: Path) -> list[str]:
    """Every file under ``directory`` but the manifest, as sorted POSIX relative paths."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in files:
            relative = (Path(root) / name).relative_to(directory).as_posix()
            if relative != MANIFEST:
                found.append(relative)
    return sorted(found)


def write_manifest(directory: Path, header: dict[str, Any]) -> tuple[str, int, int]:
    """Hash every file of ``directory`` and write ``manifest.json`` with ``header``; returns
    the manifest's SHA-256, the number of files (the manifest included) and their bytes."""
    entries = []
    for relative in listed_files(directory):
        path = directory / relative
        entries.append({"path": relative, "sha256": file_sha256(path),
                        "size": path.stat().st_size})
    body = json.dumps({"format": FORMAT, **header, "files": entries}, ensure_ascii=False,
                      indent=1, sort_keys=False).encode() + b"\n"
    (directory / MANIFEST).write_bytes(body)
    total = sum(entry["size"] for entry in entries) + len(body)
    return hashlib.sha256(body).hexdigest(), len(entries) + 1, total


@dataclasses.dataclass
class Checked:
    """One directory as ``verify`` found it."""

    directory: Path
    manifest: dict[str, Any] | None = None
    manifest_sha256: str | None = None
    problems: list = dataclasses.field(default_factory=list)  # lazy messages

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(directory: Path) -> tuple[dict[str, Any], str]:
    """The manifest of ``directory`` and its SHA-256; ``SnapshotError`` if there is none or
    it is not a snapshot manifest."""
    path = directory / MANIFEST
    if not path.is_file():
        raise SnapshotError(_l("%(dir)s 中没有 manifest.json：不是快照目录，或快照未写完",
                               dir=str(directory)))
    body = path.read_bytes()
    try:
        manifest = json.loads(body)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("files"), list):
        raise SnapshotError(_l("%(dir)s 的 manifest.json 无法读取或不是快照清单",
                               dir=str(directory)))
    return manifest, hashlib.sha256(body).hexdigest()


def check_directory(directory: Path) -> Checked:
    """Every file the manifest lists is there with its size and SHA-256, and no file is
    there that it does not list."""
    checked = Checked(directory)
    try:
        checked.manifest, checked.manifest_sha256 = read_manifest(directory)
    except SnapshotError as error:
        checked.problems.append(error.message)
        return checked
    listed = set()
    for entry in checked.manifest["files"]:
        name = str(entry.get("path", ""))
        listed.add(name)
        path = directory / name
        if not name or ".." in Path(name).parts or not path.is_file():
            checked.problems.append(_l("文件 %(file)s 缺失", file=name))
        elif path.stat().st_size != entry.get("size"):
            checked.problems.append(_l("文件 %(file)s 的大小与清单不符（清单 %(listed)s 字节，实际 "
                                       "%(found)s 字节）", file=name, listed=entry.get("size"),
                                       found=path.stat().st_size))
        elif file_sha256(path) != entry.get("sha256"):
            checked.problems.append(_l("文件 %(file)s 的 SHA-256 与清单不符：文件已被改动",
                                       file=name))
    for name in listed_files(directory):
        if name not in listed:
            checked.problems.append(_l("文件 %(file)s 不在清单中", file=name))
    return checked


def check_chain(found: list[Checked]) -> None:
    """Each manifest names the previous one's hash, in the order given; a broken link is a
    problem of the later directory."""
    for earlier, later in zip(found, found[1:]):
        if earlier.manifest is None or later.manifest is None:
            continue
        named = later.manifest.get("previous_manifest_sha256")
        if named != earlier.manifest_sha256:
            later.problems.append(_l(
                "链条断开：清单记载的上一快照清单哈希为 %(named)s，而 %(previous)s 的清单哈希为 "
                "%(actual)s", named=named or "—", previous=str(earlier.directory),
                actual=earlier.manifest_sha256))
