"""Exporting data sets: the same format, and a round trip that keeps every indicator."""
from __future__ import annotations

import datetime as dt
import json

from field_app.exchange.exporter import export_dataset
from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.indicators import compute_indicators
from tests.conftest import empty_database


def _load(directory):
    result = import_dataset(db.session.connection(), directory)
    assert result.ok, result.errors[:5]
    db.session.commit()
    return result


def _export(directory, division=None):
    counts = export_dataset(db.session.connection(), directory, division)
    db.session.rollback()
    return counts


def _figures(queries):
    return [compute_indicators(db.session.connection(), q["division"],
                               dt.date.fromisoformat(q["from"]), dt.date.fromisoformat(q["to"]))
            for q in queries]


def test_export_then_import_into_an_empty_database_gives_identical_indicators(
    app_ctx, small_dir, tmp_path
):
    queries = json.loads((small_dir / "queries.json").read_text())
    _load(small_dir)
    before = _figures(queries)
    counts = _export(tmp_path / "out")
    assert counts["persons.csv"] == 980
    empty_database()
    result = _load(tmp_path / "out")
    assert result.counts["transfer_spells.csv"].inserted == 529
    assert _figures(queries) == before


def test_export_import_export_gives_identical_files(app_ctx, small_dir, tmp_path):
    _load(small_dir)
    _export(tmp_path / "first")
    empty_database()
    _load(tmp_path / "first")
    _export(tmp_path / "second")
    for first in sorted((tmp_path / "first").iterdir()):
        assert first.read_bytes() == (tmp_path / "second" / first.name).read_bytes(), first.name


def test_exported_files_have_the_interchange_headers(app_ctx, small_dir, tmp_path):
    _load(small_dir)
    _export(tmp_path / "out")
    for original in small_dir.glob("*.csv"):
        exported = (tmp_path / "out" / original.name).read_text(encoding="utf-8")
        assert set(exported.splitlines()[0].split(",")) == set(
            original.read_text(encoding="utf-8-sig").splitlines()[0].split(","))


def test_division_export_is_self_contained_and_keeps_that_divisions_figures(
    app_ctx, small_dir, tmp_path
):
    banner = "152222000000"
    _load(small_dir)
    codes = [banner, "152222001000", "152222002003"]
    periods = [("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-06-30"),
               ("2026-01-01", "2026-12-31")]
    queries = [{"division": c, "from": a, "to": b} for c in codes for a, b in periods]
    before = _figures(queries)
    counts = _export(tmp_path / "banner", banner)
    assert counts["persons.csv"] < 980
    empty_database()
    _load(tmp_path / "banner")
    assert _figures(queries) == before
    exported = (tmp_path / "banner" / "households.csv").read_text(encoding="utf-8").splitlines()
    assert all(line.split(",")[1].startswith("152222") for line in exported[1:])
