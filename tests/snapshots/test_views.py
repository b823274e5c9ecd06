"""The administrators' snapshot page: every snapshot with its size and hashes, newest
first, readable on a 360 px phone."""
from __future__ import annotations

import datetime as dt

from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.snapshots.models import Snapshot


def _row(month: str, manifest: str, previous: str | None, **extra) -> Snapshot:
    return Snapshot(created_at=dt.datetime(2026, int(month[-2:]) + 1, 1, 2, 0),
                    created_by="cli:fieldapp", month=month,
                    directory=f"/var/backups/field_app/{month}", dialect="postgresql",
                    manifest_sha256=manifest, previous_manifest_sha256=previous,
                    file_count=14, total_bytes=1_610_612_736, **extra)


def test_page_lists_snapshots_newest_first_with_sizes_and_hashes(client, make, login_as):
    first, second = "a" * 64, "b" * 64
    db.session.add(_row("2026-04", first, None))
    db.session.add(_row("2026-05", second, first,
                        restored_at=dt.datetime(2026, 7, 2, 9, 30)))
    db.session.commit()
    login_as(Role.REGION_ADMIN, "150000000000")
    body = client.get("/snapshots/").get_data(as_text=True)
    assert body.index("2026-05") < body.index("2026-04")
    assert body.count(first) == 2  # its own row, and as the previous one of the next
    assert second in body
    assert "1.5 GiB" in body
    assert "14 个文件" in body
    assert "/var/backups/field_app/2026-05" in body
    assert "2026-07-02 09:30 恢复自此快照" in body
    assert 'name="viewport"' in body and "snapshots/snapshots.css" in body


def test_page_without_snapshots_says_how_to_make_one(client, make, login_as):
    login_as(Role.LEAGUE_ADMIN, "152200000000")
    body = client.get("/snapshots/").get_data(as_text=True)
    assert "还没有快照" in body and "snapshot create" in body
