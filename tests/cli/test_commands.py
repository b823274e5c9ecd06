"""The command-line interface: import-data, export-data and indicators."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import Person
from tests.paths import EXAMPLES

SMALL = EXAMPLES / "hinggan-small"
BAD = EXAMPLES / "hinggan-small-bad"


@pytest.fixture
def loaded(runner):
    result = runner.invoke(args=["import-data", str(SMALL)])
    assert result.exit_code == 0, result.output
    return result


def _persons(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def test_import_data_prints_inserted_and_updated_counts_per_file(loaded):
    line = next(l for l in loaded.output.splitlines() if l.startswith("persons.csv"))
    assert line.split()[1:] == ["980", "0", "0"]


def test_import_data_twice_inserts_nothing_the_second_time(loaded, runner):
    again = runner.invoke(args=["import-data", str(SMALL)])
    assert again.exit_code == 0
    line = next(l for l in again.output.splitlines() if l.startswith("persons.csv"))
    assert line.split()[1:] == ["0", "0", "980"]


def test_bad_data_set_exits_1_with_json_errors_and_writes_nothing(app, runner):
    result = runner.invoke(args=["import-data", str(BAD), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)
    assert all(set(e) == {"file", "line", "column", "value", "reason"} for e in errors)
    expected = json.loads((BAD / "expected_errors.json").read_text())
    assert {(e["file"], e["line"]) for e in expected} <= {(e["file"], e["line"]) for e in errors}
    assert _persons(app) == 0


def test_bad_data_set_without_json_lists_faults_in_chinese(runner):
    result = runner.invoke(args=["import-data", str(BAD)])
    assert result.exit_code == 1
    assert "未导入任何数据" in result.output
    assert "persons.csv:639 [id_number]" in result.output


@pytest.mark.parametrize("query", json.loads((SMALL / "queries.json").read_text()),
                         ids=lambda q: f"{q['division']}:{q['from']}..{q['to']}")
def test_indicators_cli_reproduces_the_reference_query(loaded, runner, query):
    result = runner.invoke(args=["indicators", "--division", query["division"],
                                 "--from", query["from"], "--to", query["to"], "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["division"] == query["division"]
    assert (payload["from"], payload["to"]) == (query["from"], query["to"])
    assert payload["indicators"] == query["expected"]


@pytest.mark.parametrize(("period", "start", "end"), [
    ("2026", "2026-01-01", "2026-12-31"),
    ("2026Q1", "2026-01-01", "2026-03-31"),
    ("2026-02", "2026-02-01", "2026-02-28"),
    ("2026-01..2026-06", "2026-01-01", "2026-06-30"),
])
def test_indicators_period_forms_give_the_same_dates(loaded, runner, period, start, end):
    result = runner.invoke(args=["indicators", "--division", "152200000000",
                                 "--period", period, "--json"])
    payload = json.loads(result.output)
    assert (payload["from"], payload["to"]) == (start, end)
    assert payload["name"] == "兴安盟"


def test_indicators_without_json_prints_a_chinese_table(loaded, runner):
    result = runner.invoke(args=["indicators", "--division", "152200000000", "--period", "2026"])
    assert result.exit_code == 0
    assert "兴安盟（152200000000）" in result.output
    assert any("城镇登记失业率" in line and "0.11%" in line for line in result.output.splitlines())
    assert any("农村牧区劳动力转移就业人数" in line and line.split()[-1] == "229"
               for line in result.output.splitlines())


@pytest.mark.parametrize(("args", "message"), [
    (["--division", "999900000000", "--period", "2026"], "不存在"),
    (["--division", "152200000000", "--period", "2026Q5"], "无法识别"),
    (["--division", "152200000000", "--from", "2026-03-01", "--to", "2026-01-01"], "晚于"),
    (["--division", "152200000000", "--from", "2026-01-01"], "--from and --to"),
    (["--division", "152200000000", "--period", "2026", "--from", "2026-01-01"], "not both"),
])
def test_indicators_rejects_bad_arguments_with_a_message(loaded, runner, args, message):
    result = runner.invoke(args=["indicators", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_export_data_cli_writes_every_file(loaded, runner, tmp_path):
    result = runner.invoke(args=["export-data", str(tmp_path / "out"), "--division",
                                 "152201000000"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in SMALL.glob("*.csv"))


def test_export_data_refuses_an_unknown_division(loaded, runner, tmp_path):
    result = runner.invoke(args=["export-data", str(tmp_path / "out"), "--division",
                                 "152299000000"])
    assert result.exit_code == 1
    assert "不存在" in result.output


def test_indicators_policy_option_names_the_policy_and_applies_it(app, runner):
    from field_app.extensions import db as database
    from tests.factories import Factory

    with app.app_context():
        make = Factory(database.session)
        make.tree()
        man = make.person(dt.date(1965, 1, 15), "male")  # 60 on 2025-01-15; reform: 2025-02-15
        make.unemployment(man, dt.date(2024, 6, 1))
        database.session.commit()
    args = ["indicators", "--division", "152201000000", "--from", "2025-02-01",
            "--to", "2025-02-14", "--json"]
    default = json.loads(runner.invoke(args=args).output)
    reform = json.loads(runner.invoke(args=[*args, "--policy", "reform-2025"]).output)
    assert (default["policy"], reform["policy"]) == ("notice-2019", "reform-2025")
    assert default["indicators"]["registered_unemployed"] == 0
    assert reform["indicators"]["registered_unemployed"] == 1


def test_indicators_refuses_an_unknown_policy(loaded, runner):
    result = runner.invoke(args=["indicators", "--division", "152200000000", "--period", "2026",
                                 "--policy", "reform-2030"])
    assert result.exit_code == 2
    assert "reform-2030" in result.output


def test_the_deployment_chooses_the_policy():
    from field_app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "POLICY": "reform-2025",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.extensions["field_app.policy"].name == "reform-2025"
    with pytest.raises(ValueError, match="unknown policy"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "POLICY": "nope",
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})
