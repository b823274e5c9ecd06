"""The PostgreSQL tools a snapshot runs: the right version, and the password kept off the
command line (where any user of the machine can read it in the process list)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from field_app.snapshots import backup
from field_app.snapshots.manifest import SnapshotError


def test_the_password_goes_to_pg_dump_by_environment_not_on_the_command_line():
    engine = create_engine("postgresql+psycopg://field_app:s%40cret@db.internal:5433/field_app"
                           "?sslmode=require")
    conninfo = backup._conninfo(engine)
    assert conninfo == "postgresql://field_app@db.internal:5433/field_app?sslmode=require"
    assert "s@cret" not in conninfo and "cret" not in conninfo
    assert backup._pg_env(engine)["PGPASSWORD"] == "s@cret"


def test_a_pg_dump_older_than_the_server_is_not_used():
    with pytest.raises(SnapshotError) as refused:
        backup.pg_tool("pg_dump", 99)
    assert "postgresql-client-99" in str(refused.value)


def test_the_server_version_s_pg_dump_is_found():
    found = backup.pg_tool("pg_dump", 15)
    assert backup._tool_major(found) >= 15
