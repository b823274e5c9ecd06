"""A large data set is written while it is read (``importer._import_while_reading``): each
file merged as soon as it is read and checked, its audit events written in a thread while
the next file is read, the checks made against the database as it was before the import.
The behaviour tests of the importer run both ways (``both_import_paths``): the scope tests
among them fail if the checks look at the import's own connection instead of the view of
the database as it was (tried by hand). These check what is particular to the pipelined
way, on both databases."""
from __future__ import annotations

import dataclasses
import shutil
import threading
import time

import pytest
from sqlalchemy import event, func, select

from field_app.audit.models import AuditEvent
from field_app.divisions.models import Division
from field_app.exchange import importer
from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Household, Person
from field_app.core.codes import level_of
from tests.exchange.csv_files import rewrite

REGION = "150000000000"


def _region() -> Division:
    return Division(code=REGION, name="内蒙古自治区", parent_code=None,
                    level=int(level_of(REGION)))


@pytest.fixture
def pipelined(monkeypatch):
    """Every data set counts as large; records each import that took the pipelined way."""
    monkeypatch.setattr(importer, "PIPELINE_MIN_ROWS", 0)
    taken = []
    original = importer._import_while_reading

    def recording(*args, **kwargs):
        taken.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(importer, "_import_while_reading", recording)
    return taken


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _imported_events() -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.note == "import")).scalar_one()


def test_a_large_data_set_is_written_while_read_and_a_small_one_file_by_file(
        app_ctx, small_dir, monkeypatch):
    taken = []
    original = importer._import_while_reading
    monkeypatch.setattr(importer, "_import_while_reading",
                        lambda *a, **k: taken.append(a[2]) or original(*a, **k))
    small = importer._estimated_rows(small_dir)
    assert sum(small.values()) < importer.PIPELINE_MIN_ROWS  # the example is small
    assert small["persons.csv"] == 980 and small["divisions.csv"] == 76  # lines - header
    result = import_dataset(db.session.connection(), small_dir)
    assert result.ok and taken == []
    db.session.rollback()

    monkeypatch.setattr(importer, "PIPELINE_MIN_ROWS", sum(small.values()))
    result = import_dataset(db.session.connection(), small_dir)
    db.session.commit()
    assert result.ok and taken == [small_dir]
    assert result.counts["persons.csv"].inserted == _count(Person) == 980
    # One create event per row written, as the file-by-file import writes them.
    assert _count(AuditEvent) == sum(c.inserted for c in result.counts.values())


def test_a_fault_found_after_files_were_written_rolls_them_back_not_the_callers_work(
        app_ctx, dataset, pipelined):
    """The last file has a fault only the whole data set shows (a household with two
    heads): persons and households are written by then. They are rolled back to the
    savepoint; what the caller wrote before in its own transaction is not."""
    def second_head(rows):
        column = {name: index for index, name in enumerate(rows[0])}
        head = next(row for row in rows[1:] if row[column["relation"]] == "head")
        other = next(row for row in rows[1:]
                     if row[column["household_code"]] == head[column["household_code"]]
                     and row[column["relation"]] != "head")
        other[column["relation"]] = "head"

    rewrite(dataset / "household_members.csv", second_head)

    result = import_dataset(db.session.connection(), dataset)
    assert pipelined == [dataset]
    assert not result.ok
    assert {(e.file, e.column) for e in result.errors} == {("household_members.csv", "relation")}
    assert result.counts == {}
    # Nothing of the import is left in the transaction: it commits what the caller adds.
    db.session.add(_region())
    db.session.commit()
    assert _count(Person) == _count(Household) == 0
    assert _count(Division) == 1
    assert _imported_events() == 0  # the caller's division has its own event


def test_faults_of_every_file_are_reported_though_writing_stopped_at_the_first(
        app_ctx, dataset, pipelined):
    def wrong_check_character(rows):
        column = rows[0].index("id_number")
        number = rows[4][column]
        rows[4][column] = number[:-1] + ("0" if number[-1] != "0" else "1")

    def no_such_day(rows):
        rows[1][rows[0].index("start_date")] = "2024-02-30"

    rewrite(dataset / "persons.csv", wrong_check_character)
    rewrite(dataset / "transfer_spells.csv", no_such_day)

    result = import_dataset(db.session.connection(), dataset)
    db.session.commit()
    assert pipelined == [dataset]
    files = {e.file for e in result.errors}
    assert {"persons.csv", "transfer_spells.csv"} <= files
    assert _count(Person) == 0 and _imported_events() == 0


def test_a_transaction_that_has_written_imports_file_by_file(app_ctx, small_dir, pipelined):
    """A second connection would not see what the transaction wrote before the import:
    such an import takes the sequential way, and sees it."""
    db.session.add(_region())
    db.session.flush()
    result = import_dataset(db.session.connection(), small_dir)
    assert result.ok
    assert pipelined == []
    assert result.counts["divisions.csv"].inserted == 75  # the league was there already
    db.session.commit()


def test_background_work_runs_in_turn_without_holding_up_the_reader_and_stops_at_a_failure():
    order = []
    release = threading.Event()
    with importer._InBackground() as later:
        later(lambda: (release.wait(5), order.append("first")))
        # Queued behind the first: the caller goes on reading meanwhile.
        later(lambda: order.append("second"))
        assert order == []
        release.set()
        later.wait()
        assert order == ["first", "second"]
        later(lambda: 1 / 0)
        later(lambda: order.append("after the failure"))  # never runs
        with pytest.raises(ZeroDivisionError):
            later.wait()
        assert order == ["first", "second"]

    # Leaving on an exception waits for the work still running: it never outlives the
    # block (and the connection it works on).
    done = threading.Event()
    with pytest.raises(RuntimeError), importer._InBackground() as later:
        later(lambda: (time.sleep(0.1), done.set()))
        raise RuntimeError("the importer failed")
    assert done.is_set()


FIRST_HOUSEHOLD = "15220100200300001"  # of hinggan-small: its head and a child
FIRST_HEAD, FIRST_CHILD = "152201196711123488", "152201196703037678"


@pytest.fixture
def locks_given_up(app_ctx):
    """On PostgreSQL, a connection that waits for a lock gives up after 20 s, with an
    error, instead of a test waiting for ever where the import would wait for itself."""
    if db.engine.dialect.name != "postgresql":
        yield
        return

    def limited(dbapi_connection, _record):
        dbapi_connection.execute("SET lock_timeout = '20s'")
        dbapi_connection.commit()

    db.session.remove()
    db.engine.dispose()  # every connection from here on is a new one
    event.listen(db.engine, "connect", limited)
    yield
    event.remove(db.engine, "connect", limited)
    db.session.remove()
    db.engine.dispose()


def _first_household_then_the_rest(small_dir, tmp_path):
    """Imports a data set of the first household alone (with its members), and returns
    a copy of hinggan-small without that household and its persons: its members' rows
    and every other file's rows about them refer to the database."""
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(small_dir / "divisions.csv", first)
    for name, keep in (("households.csv", lambda row: row[0] == FIRST_HOUSEHOLD),
                       ("persons.csv", lambda row: row[0] in (FIRST_HEAD, FIRST_CHILD)),
                       ("household_members.csv", lambda row: row[0] == FIRST_HOUSEHOLD)):
        shutil.copy(small_dir / name, first)
        rewrite(first / name, lambda rows, keep=keep: rows.__setitem__(
            slice(1, None), [row for row in rows[1:] if keep(row)]))
    assert import_dataset(db.session.connection(), first).ok
    db.session.commit()
    rest = tmp_path / "rest"
    shutil.copytree(small_dir, rest, ignore=shutil.ignore_patterns("*.json"))
    for name, drop in (("households.csv", lambda row: row[0] == FIRST_HOUSEHOLD),
                       ("persons.csv", lambda row: row[0] in (FIRST_HEAD, FIRST_CHILD))):
        rewrite(rest / name, lambda rows, drop=drop: rows.__setitem__(
            slice(1, None), [row for row in rows[1:] if not drop(row)]))
    return rest


def test_tables_locked_for_their_indexes_are_checked_as_they_were(
        app_ctx, small_dir, tmp_path, pipelined, monkeypatch, locks_given_up):
    """A data set larger than what its tables hold has their indexes built anew
    (``_bulk_tables``), and is still written while read. On PostgreSQL the import then
    holds those tables in ACCESS EXCLUSIVE mode: the checks read copies of them, taken
    before (``_pg_copies``); without those they would wait for the import, which waits
    for them (an error here after 20 s). The rows that only the database holds are
    found: the first household and its two persons, which the rest of the data set
    refers to."""
    monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 1)  # the example counts as large
    rest = _first_household_then_the_rest(small_dir, tmp_path)
    result = import_dataset(db.session.connection(), rest)
    db.session.commit()
    assert result.ok, result.errors[:3]
    assert len(pipelined) == 2 and pipelined[1] == rest
    assert _count(Person) == 980 and _count(Household) == 202
    assert result.counts["household_members.csv"].unchanged == 2  # the first household's
    assert result.counts["persons.csv"].inserted == 978


def test_tables_locked_for_their_indexes_still_count_the_stored_heads(
        app_ctx, small_dir, tmp_path, pipelined, monkeypatch, locks_given_up):
    """The check of the whole data set reads the stored members from those copies: the
    first household's stored head, whom the data set leaves in place, and its child
    made head by the data set, are two heads."""
    monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 1)
    rest = _first_household_then_the_rest(small_dir, tmp_path)

    def child_as_head(rows):
        rows[:] = [row for row in rows if row[1] != FIRST_HEAD]
        for row in rows:
            if row[1] == FIRST_CHILD:
                row[2] = "head"
    rewrite(rest / "household_members.csv", child_as_head)
    result = import_dataset(db.session.connection(), rest)
    db.session.commit()
    assert [(e.file, e.column, e.value) for e in result.errors] == [
        ("household_members.csv", "relation", "head")]
    assert "2" in result.errors[0].reason
    assert len(pipelined) == 2
    assert _count(Person) == 2 and _count(Household) == 1  # nothing of the rest written


def test_a_files_records_are_made_while_the_work_before_it_still_runs(
        app_ctx, small_dir, pipelined, monkeypatch):
    """Each file's records (ids put in, values written as stored) are made before the
    importer waits for the background work of the file before it (its events, its
    indexes): Python's work beside the database's. Only then is the connection used."""
    order = []
    for name, target in importer.TARGETS.items():
        def to_record(row, lookups, name=name, made=target.to_record):
            if not order or order[-1] != ("record", name):
                order.append(("record", name))
            return made(row, lookups)
        monkeypatch.setitem(importer.TARGETS, name,
                            dataclasses.replace(target, to_record=to_record))
    wait, merge = importer._InBackground.wait, importer.merge

    def waiting(self):
        order.append(("wait",))
        return wait(self)

    def merging(conn, target, records, **kwargs):
        order.append(("merge", target.table.name))
        return merge(conn, target, records, **kwargs)

    monkeypatch.setattr(importer._InBackground, "wait", waiting)
    monkeypatch.setattr(importer, "merge", merging)
    assert import_dataset(db.session.connection(), small_dir).ok
    db.session.commit()
    merged = [i for i, step in enumerate(order) if step[0] == "merge"]
    assert len(merged) == len(importer.TARGETS)
    before = 0
    for at in merged:
        name = order[at][1]
        made = order.index(("record", next(
            n for n, t in importer.TARGETS.items() if t.table.name == name)))
        # Nothing waited for from the merge of the file before to these records; once
        # between them and their merge.
        assert ("wait",) not in order[before:made], order[before:at + 1]
        assert order[made + 1:at] == [("wait",)], order[made - 1:at + 1]
        before = at
    assert _count(Person) == 980


def test_every_file_refers_only_to_itself_and_files_before_it():
    """What makes checking references file by file, as each file is read, equal to
    checking them all at once (``reader.check_references``)."""
    from field_app.exchange.files import FILES

    names = [spec.filename for spec in FILES]
    assert names == list(importer.TARGETS)  # read in the order they are merged
    for spec in FILES:
        for reference in spec.references:
            assert names.index(reference.target) <= names.index(spec.filename), (
                spec.filename, reference.column)


def test_in_a_writing_request_the_view_reads_without_taking_the_write_lock(
        app, small_dir, pipelined):
    """On SQLite a writing request begins each transaction IMMEDIATE (``core.database``):
    the import's own connection does, and the second connection, marked as one that only
    reads, does not (it would wait for the import's write lock until it gave up)."""
    with app.test_request_context("/", method="POST"), db.engine.connect() as conn:
        result = import_dataset(conn, small_dir)
        conn.commit()
    assert result.ok and pipelined == [small_dir]
    with app.app_context():
        assert _count(Person) == 980
