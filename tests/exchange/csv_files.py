"""Reading and rewriting a data set's CSV files in tests, to plant changes and faults."""
from __future__ import annotations

import csv


def read(path) -> list[list[str]]:
    """The rows of the CSV at ``path`` as lists, header first."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def rewrite(path, change) -> None:
    """Apply ``change(rows)`` to the CSV at ``path`` (rows as lists, header first)."""
    rows = read(path)
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
