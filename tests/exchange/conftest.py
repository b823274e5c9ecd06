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
