"""On SQLite the importer pauses the figure cache's per-row triggers and logs their codes
itself (migration 0024_import_speed): never fewer codes than the triggers log."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import func, select, text

from field_app.exchange import importer
from field_app.exchange.importer import import_dataset
from field_app.exchange.targets import TARGETS
from field_app.extensions import db
from field_app.households.models import Household
from field_app.statistics.models import FigureWrite
from tests.exchange.csv_files import read, rewrite

# Each test runs with both of the importer's ways of writing (``both_import_paths``).
pytestmark = pytest.mark.usefixtures("both_import_paths")


@pytest.fixture
def sqlite_only(app_ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's triggers run per statement and are never paused")


def _logged_by(directory, *, triggers: bool, monkeypatch) -> set[str]:
    """The codes one import logs, rolled back after: by the triggers (the importer's own
    log switched off) or by the importer."""
    mark = db.session.scalar(select(func.coalesce(func.max(FigureWrite.id), 0)))
    with monkeypatch.context() as patch:
        if triggers:
            patch.setattr(importer, "_figure_log", lambda conn, bulk: contextlib.nullcontext())
        result = import_dataset(db.session.connection(), directory)
    assert result.ok, result.errors[:3]
    codes = set(db.session.scalars(select(FigureWrite.code).where(FigureWrite.id > mark)))
    db.session.rollback()
    return codes


@pytest.mark.parametrize("bulk", [False, True], ids=["triggers-paused", "triggers-dropped"])
def test_a_first_import_logs_every_code_the_triggers_log(sqlite_only, small_dir,
                                                          monkeypatch, bulk):
    by_triggers = _logged_by(small_dir, triggers=True, monkeypatch=monkeypatch)
    if bulk:  # the tables are written without their triggers (``_figure_log``)
        monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 1)
    by_importer = _logged_by(small_dir, triggers=False, monkeypatch=monkeypatch)
    assert "" in by_triggers and len(by_triggers) > 50
    assert by_importer >= by_triggers


def _village_of_person(dataset, id_number):
    households = {row[0]: row[1] for row in read(dataset / "households.csv")[1:]}
    # A later row of the same person replaces an earlier one.
    member = [row for row in read(dataset / "household_members.csv")[1:]
              if row[1] == id_number][-1]
    return households[member[0]]


def _registration_of_an_aided_person(dataset):
    """A new registration of a person with aid: the aid's division is logged (rule 5)."""
    aid = read(dataset / "employment_aid.csv")[1]
    rewrite(dataset / "employment_registrations.csv", lambda rows: rows.append(
        ["JY09999999", aid[0], "152201001003", "flexible", "", "", "2026-01-05", "",
         "2026-01-06", "other", "0", "1"]))
    return {aid[1], "152201001003"}


def _spell_ended(dataset):
    """A changed spell: the villages of the person's household."""
    rows = read(dataset / "transfer_spells.csv")
    spell = rows[-1]
    rewrite(dataset / "transfer_spells.csv",
             lambda rows: rows[-1].__setitem__(3, "2026-09-30" if spell[3] != "2026-09-30"
                                               else "2026-09-29"))
    return {_village_of_person(dataset, spell[0])}


def _member_moved(dataset):
    """A member moved to a household of another banner: both villages."""
    households = {row[0]: row[1] for row in read(dataset / "households.csv")[1:]}
    member = read(dataset / "household_members.csv")[-1]
    other = next(code for code, village in households.items()
                 if village[:6] != households[member[0]][:6])
    rewrite(dataset / "household_members.csv",
             lambda rows: rows.append([other, member[1], "other", "partial"]))
    return {households[member[0]], households[other]}


def _registration_moved(dataset):
    """A registration moved to another division: the old and the new division."""
    row = read(dataset / "employment_registrations.csv")[1]
    rewrite(dataset / "employment_registrations.csv",
             lambda rows: rows[1].__setitem__(2, "152202003002"))
    return {row[2], "152202003002"}


CHANGES = [_registration_of_an_aided_person, _spell_ended, _member_moved,
           _registration_moved]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_changed_rows_log_every_code_the_triggers_log(sqlite_only, dataset, monkeypatch,
                                                       change):
    assert import_dataset(db.session.connection(), dataset).ok
    db.session.commit()
    expected = change(dataset)
    by_triggers = _logged_by(dataset, triggers=True, monkeypatch=monkeypatch)
    by_importer = _logged_by(dataset, triggers=False, monkeypatch=monkeypatch)
    assert expected <= by_triggers
    assert by_importer >= by_triggers
    # Nothing but the changed rows is logged.
    assert len(by_importer) <= len(by_triggers) + 2


def test_a_second_identical_import_logs_nothing(sqlite_only, small_dir, monkeypatch):
    assert import_dataset(db.session.connection(), small_dir).ok
    db.session.commit()
    assert _logged_by(small_dir, triggers=False, monkeypatch=monkeypatch) == set()


def test_the_pause_ends_with_the_import_and_the_triggers_log_again(sqlite_only, small_dir,
                                                                   bad_dir):
    assert import_dataset(db.session.connection(), small_dir).ok
    paused = text("SELECT count(*) FROM figure_log_paused")
    assert db.session.scalar(paused) == 0
    db.session.commit()
    assert not import_dataset(db.session.connection(), bad_dir).ok
    assert db.session.scalar(paused) == 0
    db.session.rollback()
    household = db.session.scalars(select(Household).limit(1)).one()
    mark = db.session.scalar(select(func.max(FigureWrite.id)))
    household.village_code = "152202003002"
    db.session.flush()
    assert set(db.session.scalars(select(FigureWrite.code).where(FigureWrite.id > mark))) >= {
        "152202003002"}


def test_every_imported_table_has_its_codes():
    log = importer._FigureLog()
    for target in TARGETS.values():
        log.collector(target)  # raises for a table it does not know
