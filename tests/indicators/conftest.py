"""Fixtures the indicator tests share."""
from __future__ import annotations

import pytest

from tests.paths import EXAMPLES

SMALL = EXAMPLES / "hinggan-small"


@pytest.fixture(scope="module")
def small(app):
    """hinggan-small, imported once for the module that asks for it (its tests only read);
    emptied again when that module ends."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-data", str(SMALL)])
    assert result.exit_code == 0, result.output
    yield app
    from tests.conftest import empty_database

    with app.app_context():
        empty_database()


@pytest.fixture
def small_ctx(small):
    with small.app_context():
        yield
