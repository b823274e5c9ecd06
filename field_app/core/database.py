"""Engine setup: SpatiaLite and foreign keys on every SQLite connection."""
from __future__ import annotations

import os

from geoalchemy2.admin.dialects.sqlite import load_spatialite
from sqlalchemy import Engine, event


def _on_sqlite_connect(dbapi_connection, connection_record) -> None:
    # WGS84 only: the full EPSG table takes ~9 s to initialise on a new file.
    load_spatialite(dbapi_connection, init_mode="WGS84")
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        event.listen(engine, "connect", _on_sqlite_connect)
