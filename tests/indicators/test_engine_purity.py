"""The engine is its own world: no Flask anywhere it imports, and one query per call."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import event

from field_app.extensions import db
from tests.indicators.support import BANNER, GACHA, OTHER_VILLAGE, A, B, d, days

# The directory holding the field_app package that the tests import (found, not imported).
PROJECT_ROOT = Path(importlib.util.find_spec("field_app").origin).parents[1]
ENGINE_PACKAGE = "field_app.indicators"
# The application factory lives in the package's own __init__; importing any submodule
# runs it, but it is the one place allowed to know Flask.
EXEMPT = frozenset({"field_app"})


def module_file(root: Path, name: str) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def imports_of(name: str, path: Path) -> set[str]:
    """Every module name ``path`` imports, anywhere in it (lazy imports included); for
    ``from x import y`` both ``x`` and ``x.y``, since ``y`` may be a submodule."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def with_parents(name: str) -> list[str]:
    """``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``: importing a module runs its packages."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def is_flask(name: str) -> bool:
    top = name.split(".")[0]
    return top == "flask" or top.startswith("flask_")


def flask_imports_reached(root: Path, package: str, exempt=EXEMPT) -> list[str]:
    """``"importer -> flask_package"`` for every Flask import reachable from ``package``."""
    local_root = package.split(".")[0]
    start = sorted(
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in root.joinpath(*package.split(".")).rglob("*.py")
    )
    queue, seen, offenders = list(start), set(start), set()
    while queue:
        name = queue.pop()
        path = module_file(root, name)
        if path is None or name in exempt:
            continue
        for imported in sorted(imports_of(name, path)):
            if is_flask(imported):
                offenders.add(f"{name} -> {imported.split('.')[0]}")
                continue
            if imported.split(".")[0] != local_root:
                continue
            for module in with_parents(imported):
                if module not in seen and module_file(root, module) is not None:
                    seen.add(module)
                    queue.append(module)
    return sorted(offenders)


def test_no_module_of_the_engine_reaches_flask_through_its_imports():
    assert module_file(PROJECT_ROOT, "field_app.indicators.engine") is not None
    assert flask_imports_reached(PROJECT_ROOT, ENGINE_PACKAGE) == []


def test_import_walk_finds_flask_behind_relative_lazy_and_parent_package_imports(tmp_path):
    files = {
        "app/__init__.py": "import flask\n",
        "app/engine/__init__.py": "from .rules import x\n",
        "app/engine/rules.py": "from app.models import thing\nimport json\n",
        "app/models/__init__.py": "",
        "app/models/thing.py": "def f():\n    import flask_sqlalchemy\n",
        "app/web/__init__.py": "from flask import Flask\n",
        "app/web/views.py": "",
        "app/engine/helper.py": "from ..web import views\n",
    }
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = flask_imports_reached(tmp_path, "app.engine", exempt={"app"})
    assert found == ["app.models.thing -> flask_sqlalchemy", "app.web -> flask"]


# --- one statement per call --------------------------------------------------------------

def populate(make, persons: int) -> None:
    """``persons`` urban and ``persons`` rural persons with a record in every table."""
    for i in range(persons):
        on = d("2024-01-10") + days(i)
        urban = make.person()
        make.employment(urban, on)
        make.unemployment(urban, on)
        make.attrition(urban, on)
        make.aid(urban, d("2023-01-01"), exited_on=on, exit_reason="unit_employment")
        rural = make.rural_person(village=GACHA if i % 2 else OTHER_VILLAGE)
        make.spell(rural, on, None, stable_workplace=True, stable_income=True)
        make.training(rural, on)
    make.employed_total(BANNER, B, 1000)


@pytest.mark.parametrize("persons", [1, 50])
def test_engine_issues_one_statement_whatever_the_data_size(make, indicators, persons):
    populate(make, persons)
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        values = indicators(BANNER, A, B)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert values["new_employment_gross"] == persons
    assert values["rural_transfer"] == persons // 2
