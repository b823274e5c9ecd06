from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.paths import EXAMPLES


@pytest.fixture
def small_dir() -> Path:
    return EXAMPLES / "hinggan-small"


@pytest.fixture
def bad_dir() -> Path:
    return EXAMPLES / "hinggan-small-bad"


@pytest.fixture
def dataset(tmp_path, small_dir):
    """A writable copy of hinggan-small, to plant faults in."""
    target = tmp_path / "dataset"
    shutil.copytree(small_dir, target, ignore=shutil.ignore_patterns("*.json"))
    return target


@pytest.fixture(params=["file by file", "while reading"])
def both_import_paths(request, monkeypatch):
    """Runs a test with the sequential import (every file checked, then written) and
    again with the one that writes a large data set while reading it
    (``importer._import_while_reading``), here for data sets of any size: both give the
    same faults and write the same rows."""
    from field_app.exchange import importer

    if request.param == "while reading":
        monkeypatch.setattr(importer, "PIPELINE_MIN_ROWS", 0)
    return request.param
