"""Fixtures of the report tests: generating through the operation, and reading PDFs back
with poppler's pdftotext and pdffonts (scripts/install-system-packages --for-tests)."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from field_app.extensions import db
from field_app.reports.operations import generate_report


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: scripts/install-system-packages --for-tests installs "
                    "poppler-utils")
    return path


def pdf_text(pdf: bytes, first: int | None = None, last: int | None = None) -> str:
    """The text of the PDF (or of pages ``first``..``last``) laid out as on the page."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "report.pdf"
        source.write_bytes(pdf)
        pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
        return subprocess.run([_poppler("pdftotext"), "-layout", *pages, str(source), "-"],
                              check=True, capture_output=True, text=True).stdout


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """``pdffonts`` rows as dicts: name, type, emb (embedded), sub (subset), uni."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "report.pdf"
        source.write_bytes(pdf)
        lines = subprocess.run([_poppler("pdffonts"), str(source)], check=True,
                               capture_output=True, text=True).stdout.splitlines()[2:]
    rows = []
    for line in lines:
        # Columns: name, type (may contain spaces), encoding, emb, sub, uni, object, generation.
        name, rest = line.split(maxsplit=1)
        *kind, encoding, emb, sub, uni, _obj, _gen = rest.split()
        rows.append({"name": name, "type": " ".join(kind), "encoding": encoding, "emb": emb,
                     "sub": sub, "uni": uni})
    return rows


def page_count(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


@pytest.fixture
def generate(app_ctx):
    """``generate(kind, division, start=2024-01-01, end=2024-12-31, actor=None, **kw)``."""

    def run(kind, division, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), actor=None,
            **kwargs):
        return generate_report(db.session, kind=kind, division_code=division, start=start,
                               end=end, actor=actor, **kwargs)

    return run
