"""Reads of the snapshot register. Snapshots cover the whole database: whoever may see them
sees every one (``Capability.VIEW_SNAPSHOTS``), and a row names no person."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.snapshots.models import Snapshot


def listing(session: Session) -> list[Snapshot]:
    """Newest first: the order they were written or restored in."""
    return list(session.scalars(select(Snapshot).order_by(Snapshot.id.desc())))


def latest(session: Session) -> Snapshot | None:
    """The link the next snapshot chains to: the last one written, or restored from."""
    return session.scalars(select(Snapshot).order_by(Snapshot.id.desc()).limit(1)).first()


def recorded(session: Session, manifest_sha256: str) -> Snapshot | None:
    return session.scalars(select(Snapshot).where(Snapshot.manifest_sha256 == manifest_sha256)
                           .order_by(Snapshot.id).limit(1)).first()


def recorded_at(session: Session, directory: str) -> list[Snapshot]:
    """Rows written for the snapshot directory ``directory`` (an absolute path)."""
    return list(session.scalars(select(Snapshot).where(Snapshot.directory == directory)))
