"""Explaining a figure (``indicators.explain``): the persons it counts, each with the rule
clause and the record; the difference between two figures; the command line."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.indicators import compute_indicators
from field_app.indicators import explain as ex
from field_app.indicators.policy import Policy
from tests.indicators.support import BANNER, GACHA, LEAGUE, OTHER_VILLAGE, A, B, d
from tests.paths import EXAMPLES

DATA_SETS = sorted(p for p in EXAMPLES.iterdir() if (p / "queries.json").is_file())
POLICY = Policy()


def _scope(query) -> ex.Scope:
    return ex.Scope(query["division"], dt.date.fromisoformat(query["from"]),
                    dt.date.fromisoformat(query["to"]))


def _listed(indicator, scope, policy=POLICY):
    return ex.explain_all(db.session.connection(), indicator, scope, policy)


def _reasons(indicator, division=BANNER, a=A, b=B):
    return {(r.person_id, r.reason, r.record_kind, r.record_id)
            for r in _listed(indicator, ex.Scope(division, a, b))}


@pytest.mark.parametrize("data_set", DATA_SETS, ids=lambda p: p.name)
def test_every_explanation_of_the_example_lists_as_many_persons_as_its_figure(
        app, runner, data_set):
    result = runner.invoke(args=["import-data", str(data_set)])
    assert result.exit_code == 0, result.output
    mismatches = []
    with app.app_context():
        connection = db.session.connection()
        for query in json.loads((data_set / "queries.json").read_text()):
            scope = _scope(query)
            figures = compute_indicators(connection, scope.division, scope.start, scope.end)
            for key in ex.PERSON_INDICATORS + ex.SIGNED_INDICATORS:
                rows = _listed(key, scope)
                listed = sum(r.sign for r in rows)
                page = ex.explain_page(connection, key, scope, POLICY, per_page=7)
                counted = connection.execute(ex.count_statement(key, scope, POLICY)).scalar()
                found = (listed, counted, page.total, len(page.rows))
                wanted = (figures[key], figures[key], len(rows), min(7, len(rows)))
                if key in ex.PERSON_INDICATORS:
                    ids = ex.person_ids_statement(key, *vars(scope).values(), POLICY)
                    found += (connection.execute(
                        select(func.count()).select_from(ids.subquery())).scalar(),
                        len({r.person_id for r in rows}))
                    wanted += (figures[key], figures[key])
                if found != wanted:
                    mismatches.append((query["division"], query["from"], query["to"], key,
                                       found, wanted))
            assert figures == {**query["expected"], "registered_unemployment_rate":
                               figures["registered_unemployment_rate"]}
    assert mismatches == []


def test_the_cli_explanation_of_the_example_lists_the_figure_in_persons(runner):
    data_set = DATA_SETS[0]
    assert runner.invoke(args=["import-data", str(data_set)]).exit_code == 0
    query = json.loads((data_set / "queries.json").read_text())[2]
    for key in ex.PERSON_INDICATORS:
        result = runner.invoke(args=["indicators", "explain", "--division", query["division"],
                                     "--from", query["from"], "--to", query["to"],
                                     "--indicator", key, "--json"])
        assert result.exit_code == 0, result.output
        payload = json.loads(result.output)
        assert set(payload) == {"indicator", "value", "persons"}
        assert payload["indicator"] == key
        assert payload["value"] == query["expected"][key] == len(payload["persons"])
        assert all(set(p) == {"id_number", "reason"} and len(p["id_number"]) == 18
                   for p in payload["persons"])


# --- reasons on hand-made cases -------------------------------------------------------------

def test_each_employment_registration_gives_its_type_as_the_reason(make):
    unit, flexible = make.person(), make.person()
    r1 = make.employment(unit, d("2024-03-01"), employment_type="unit")
    make.employment(unit, d("2024-05-01"), employment_type="flexible")  # a second record
    r2 = make.employment(flexible, d("2024-04-01"), employment_type="flexible")
    assert _reasons("new_employment_gross") == {
        (unit.id, "employment_unit", "employment", r1.id),  # the first record only
        (flexible.id, "employment_flexible", "employment", r2.id),
    }


def test_a_continuation_and_a_formal_transfer_are_not_listed(make):
    person, moved = make.person(), make.person()
    make.employment(person, d("2023-06-01"), employment_type="flexible")
    make.employment(person, d("2024-02-01"), employment_type="flexible")  # continuation
    make.employment(moved, d("2024-02-01"), employment_type="unit", formal_transfer=True)
    assert _reasons("new_employment_gross") == set()


def test_reemployment_lists_only_the_unemployed_reemployed(make):
    again, fresh = make.person(), make.person()
    r = make.employment(again, d("2024-03-01"), category="unemployed_reemployed")
    make.employment(fresh, d("2024-03-01"))
    assert _reasons("reemployment_of_unemployed") == {
        (again.id, "reemployed_unemployed", "employment", r.id)}


def test_attrition_and_urban_new_employment_carry_their_sign(make):
    worker, retired = make.person(), make.person(d("1960-01-01"))
    r = make.employment(worker, d("2024-03-01"))
    n = make.attrition(retired, d("2024-04-01"), reason="death")
    assert _reasons("natural_attrition") == {(retired.id, "attrition_death", "attrition", n.id)}
    rows = _listed("urban_new_employment", ex.Scope(BANNER, A, B))
    assert {(x.person_id, x.reason, x.record_id, x.sign) for x in rows} == {
        (worker.id, "employment_flexible", r.id, 1),
        (retired.id, "attrition_subtracted", n.id, -1)}
    assert sum(x.sign for x in rows) == 0


def test_aid_unemployment_and_training_name_their_clause(make):
    helped, unemployed, trained = make.person(), make.person(), make.rural_person()
    e = make.aid(helped, d("2023-01-01"), exited_on=d("2024-02-01"),
                 exit_reason="self_employment")
    make.employment(helped, d("2024-02-05"))
    u = make.unemployment(unemployed, d("2024-01-10"))
    t = make.training(trained, d("2024-05-01"), certified=False, funding="other_fiscal")
    assert _reasons("hard_to_employ_employed") == {
        (helped.id, "aid_self_employment", "aid", e.id)}
    assert _reasons("registered_unemployed") == {
        (unemployed.id, "registered_unemployed", "unemployment", u.id)}
    assert _reasons("rural_training") == {
        (trained.id, "training_other_fiscal", "training", t.id)}


def test_rural_rows_name_the_first_spell_of_the_period_on_a_page(make):
    young, old = make.rural_person(d("1995-01-01")), make.rural_person(d("1970-01-01"))
    make.spell(young, d("2023-01-01"), d("2023-06-30"))  # before the period
    s1 = make.spell(young, d("2024-02-01"), d("2024-12-31"), stable_workplace=True,
                    stable_income=True)
    s2 = make.spell(old, d("2024-03-01"), d("2024-04-01"))
    scope = ex.Scope(BANNER, A, B)

    def page(key):
        rows = ex.explain_page(db.session.connection(), key, scope, POLICY).rows
        return {(r.person_id, r.reason, r.record_kind, r.record_id) for r in rows}

    assert page("rural_transfer") == {(young.id, "rural_transfer", "spell", s1.id),
                                      (old.id, "rural_transfer", "spell", s2.id)}
    assert page("new_generation_transfer") == {(young.id, "new_generation", "spell", s1.id)}
    assert page("stable_transfer_180d") == {(young.id, "stable_transfer", "spell", s1.id)}


def test_pages_hold_fifty_by_person_id_and_a_page_past_the_end_gives_the_last(make):
    people = [make.person() for _ in range(53)]
    for person in people:
        make.employment(person, d("2024-03-01"))
    scope = ex.Scope(BANNER, A, B)
    first = ex.explain_page(db.session.connection(), "new_employment_gross", scope, POLICY)
    last = ex.explain_page(db.session.connection(), "new_employment_gross", scope, POLICY,
                           page=9)
    assert (first.total, first.pages, len(first.rows)) == (53, 2, 50)
    assert [r.person_id for r in first.rows] == sorted(p.id for p in people)[:50]
    assert (last.page, [r.person_id for r in last.rows]) == (2, sorted(p.id for p in people)[50:])
    assert first.rows[0].id_number == people[0].id_number


def test_person_ids_statement_refuses_a_figure_that_counts_no_persons():
    for key in ("employed_total", "registered_unemployment_rate", "urban_new_employment"):
        with pytest.raises(ValueError):
            ex.person_ids_statement(key, LEAGUE, A, B, POLICY)


# --- figures of units and ratios ------------------------------------------------------------

def test_employed_total_is_explained_by_the_figures_and_their_dates(make):
    make.employed_total(BANNER, d("2024-12-31"), 1000, deduction=10)
    make.employed_total("152202000000", d("2024-10-31"), 500)  # the year before b: step 3
    figure = ex.figure_explanation(db.session.connection(), "employed_total",
                                   ex.Scope(LEAGUE, A, B), POLICY)
    assert figure.value == 1490
    assert (figure.own.value, figure.own.as_of) == (1490, None)  # the children's sum
    assert [(c.code, c.value, c.as_of) for c in figure.children] == [
        (BANNER, 990, d("2024-12-31")), ("152202000000", 500, d("2024-10-31"))]
    assert all(c.record_id for c in figure.children)


def test_the_rate_is_explained_by_its_two_figures(make):
    make.employed_total(BANNER, B, 99)
    make.unemployment(make.person(), d("2024-01-10"))
    figure = ex.figure_explanation(db.session.connection(), "registered_unemployment_rate",
                                   ex.Scope(BANNER, A, B), POLICY)
    assert figure.parts == {"registered_unemployed": 1, "employed_total": 99}
    assert str(figure.value) == "1.00"
    assert (figure.own.value, figure.own.as_of) == (99, B)


def test_the_cli_explains_a_figure_of_units_by_its_figures(make, runner):
    make.employed_total(BANNER, B, 1000, deduction=10)
    db.session.commit()
    result = runner.invoke(args=["indicators", "explain", "--division", BANNER, "--period",
                                 "2024", "--indicator", "employed_total", "--json"])
    payload = json.loads(result.output)
    assert (payload["value"], payload["persons"]) == (990, [])
    assert payload["figure"] == {"division": BANNER, "value": 990, "as_of": "2024-12-31"}
    assert "不是人员名单" in payload["note"]


# --- differences -----------------------------------------------------------------------------

def test_a_person_who_moves_out_of_the_period_is_on_one_side_only(make):
    stays, leaves, arrives = make.person(), make.person(), make.person()
    s = make.employment(stays, d("2024-02-01"))
    r = make.employment(leaves, d("2024-01-15"))  # in January only
    a = make.employment(arrives, d("2024-05-01"))
    january, spring = ex.Scope(BANNER, A, d("2024-01-31")), ex.Scope(BANNER, d("2024-02-01"),
                                                                     d("2024-06-30"))
    counts, page = ex.difference_page(db.session.connection(), "new_employment_gross",
                                      january, spring, POLICY)
    assert counts == {"first": 1, "second": 2}
    rows = {(x.person_id, x.side, x.reason, x.record_id, x.why_not) for x in page.rows}
    assert rows == {
        (leaves.id, "first", "employment_flexible", r.id, "not_in_period"),
        (stays.id, "second", "employment_flexible", s.id, "not_in_period"),
        (arrives.id, "second", "employment_flexible", a.id, "not_in_period"),
    }


def test_a_difference_of_the_same_figure_is_empty(make):
    make.employment(make.person(), d("2024-02-01"))
    counts, page = ex.difference_page(db.session.connection(), "new_employment_gross",
                                      ex.Scope(BANNER, A, B), ex.Scope(BANNER, A, B), POLICY)
    assert counts == {"first": 0, "second": 0} and page.rows == []


def test_two_divisions_differ_by_division_or_period(make):
    here = make.rural_person(village=GACHA)
    there = make.rural_person(village=OTHER_VILLAGE)
    for person in (here, there):
        make.spell(person, d("2024-03-01"))
    rows = ex.difference_all(db.session.connection(), "rural_transfer", ex.Scope(BANNER, A, B),
                             ex.Scope("152202000000", A, B), POLICY)
    assert {(r.person_id, r.side, r.why_not) for r in rows} == {
        (here.id, "first", "not_in_division_or_period"),
        (there.id, "second", "not_in_division_or_period")}


def test_set_difference_compares_any_two_person_id_statements(make):
    """The hook for two submitted versions: stored person ids stand in for a side."""
    one, two, three = make.person(), make.person(), make.person()
    persons = ex.rules.persons
    first = select(persons.c.id).where(persons.c.id.in_([one.id, two.id]))
    second = select(persons.c.id).where(persons.c.id.in_([two.id, three.id]))
    rows = db.session.connection().execute(ex.set_difference(first, second)).all()
    assert sorted(rows) == sorted([(one.id, "first"), (three.id, "second")])


def test_the_cli_diff_lists_both_sides_with_full_numbers(make, runner):
    early, late = make.person(), make.person()
    make.employment(early, d("2024-01-15"))
    make.employment(late, d("2024-05-01"))
    db.session.commit()
    result = runner.invoke(args=["indicators", "diff", "--division", BANNER, "--period",
                                 "2024-01", "--against-period", "2024Q2", "--indicator",
                                 "new_employment_gross", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [p["id_number"] for p in payload["only_in_first"]] == [early.id_number]
    assert [p["id_number"] for p in payload["only_in_second"]] == [late.id_number]
    assert payload["only_in_second"][0]["why_not"] == "不在该期间口径内"


def test_the_indicators_group_still_runs_without_a_subcommand(make, runner):
    result = runner.invoke(args=["indicators", "--division", BANNER, "--period", "2024",
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["division"] == BANNER
    assert "--division" in runner.invoke(args=["indicators"]).output


def test_a_stored_version_compares_with_todays_figure_through_the_hook(make):
    """Two submitted versions: the persons stored with the first stand in for its side."""
    kept, dropped, added = make.person(), make.person(), make.person()
    make.employment(kept, d("2024-02-01"))
    r = make.employment(added, d("2024-03-01"))
    persons = ex.rules.persons
    stored = select(persons.c.id).where(persons.c.id.in_([kept.id, dropped.id]))
    scope = ex.Scope(BANNER, A, B)
    counts, page = ex.difference_page(db.session.connection(), "new_employment_gross", scope,
                                      scope, POLICY, first_ids=stored)
    assert counts == {"first": 1, "second": 1}
    assert {(x.person_id, x.side, x.reason, x.record_id) for x in page.rows} == {
        (dropped.id, "first", None, None),  # no longer counted: no reason today
        (added.id, "second", "employment_flexible", r.id)}


@pytest.mark.parametrize(("days", "stable_in_quarter"), [(180, False), (90, True)])
def test_a_period_shorter_than_the_stable_days_counts_no_stable_transfer(
        make, days, stable_in_quarter):
    worker = make.rural_person(d("1990-01-01"))
    make.spell(worker, d("2023-06-01"), d("2024-12-31"), stable_workplace=True,
               stable_income=True)
    policy = Policy(stable_days=days)
    quarter, year = ex.Scope(BANNER, A, d("2024-03-31")), ex.Scope(BANNER, A, B)
    connection = db.session.connection()
    figure = compute_indicators(connection, BANNER, quarter.start, quarter.end, policy)
    listed = ex.explain_page(connection, "stable_transfer_180d", quarter, policy)
    assert figure["stable_transfer_180d"] == listed.total == int(stable_in_quarter)
    counts, page = ex.difference_page(connection, "stable_transfer_180d", quarter, year,
                                      policy)
    assert counts == {"first": 0, "second": 0 if stable_in_quarter else 1}
    assert [(r.person_id, r.side) for r in page.rows] == (
        [] if stable_in_quarter else [(worker.id, "second")])
