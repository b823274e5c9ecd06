"""Report contents are read set-based: the roster in a fixed number of queries whatever the
village's size, the tables in one query per row plus two."""
from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import event

from field_app.extensions import db
from field_app.indicators import Policy
from field_app.reports.context import DivisionRef, build_table
from field_app.reports.models import ReportKind
from field_app.reports.roster import build_roster
from tests.indicators.support import BANNER, GACHA

A, B = dt.date(2024, 1, 1), dt.date(2024, 12, 31)


@contextlib.contextmanager
def counting():
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _households(make, count):
    for n in range(count):
        household = make.household(GACHA)
        for relation, birth in (("head", dt.date(1980, 1, 1)), ("child", dt.date(2004, 1, 1))):
            person = make.person(birth)
            make.member(person, household, relation=relation)
            make.spell(person, dt.date(2024, 2, 1), stable_workplace=True, stable_income=True)
            make.training(person, dt.date(2024, 5, 1))


def _roster_queries(make, households):
    _households(make, households)
    village = DivisionRef(GACHA, "葛根庙嘎查", 5)
    connection = db.session.connection()
    with counting() as statements:
        roster = build_roster(connection, village, A, B, Policy())
    return roster, len(statements)


def test_roster_query_count_does_not_grow_with_households(make):
    small, few = _roster_queries(make, 2)
    large, many = _roster_queries(make, 10)
    assert (len(small.households), len(large.households)) == (2, 12)
    assert few == many <= 8


def test_roster_answers_and_ticks(make):
    roster, _ = _roster_queries(make, 1)
    head, child = roster.households[0].members
    assert (head.relation, child.relation) == ("head", "child")
    assert head.spells[0].stable and head.courses[0].completed
    assert head.transfer and head.new_generation and head.stable
    assert len(head.id_masked) == 18 and head.id_masked[6:14] == "*" * 8
    assert roster.indicators["rural_transfer"] == 2


def test_table_reads_one_engine_query_per_row_and_the_total(make):
    banner = DivisionRef(BANNER, "乌兰浩特市", 3)
    with counting() as statements:
        table = build_table(db.session.connection(), ReportKind.RURAL, banner, A, B, Policy())
    assert len(table.rows) == 2
    # the rows, the children and rules 9, 11 and 12 in one grouped pass, the total, and
    # the extras (targets, reported figures, review coverage): none per row
    assert len(statements) == 1 + 4 + 1 + 3


def test_rural_rows_of_villages_are_one_grouped_pass_equal_to_the_engine(make, indicators):
    _households(make, 3)
    other = make.rural_person(dt.date(1970, 1, 1), village=GACHA, labour_capacity="none")
    make.spell(other, dt.date(2024, 2, 1))
    make.division("152201100202", "第二嘎查", "152201100000")
    young = make.rural_person(dt.date(1999, 9, 9), village="152201100202")
    make.spell(young, dt.date(2023, 1, 1), stable_workplace=True, stable_income=True)
    make.training(young, dt.date(2024, 11, 1), funding="other_fiscal")
    town = DivisionRef("152201100000", "义勒力特镇", 4)
    with counting() as statements:
        table = build_table(db.session.connection(), ReportKind.RURAL, town, A, B, Policy())
    assert len(statements) == 1 + 4 + 1 + 3  # as above: the children are one grouped pass
    for row in table.rows:
        engine = indicators(row.code, A, B)
        assert row.values == {key: engine[key] for key in row.values}, row.code
    assert [row.values["rural_transfer"] for row in table.rows] == [6, 1]
