"""The survey runs on Chrome 80 for Android: its scripts use nothing a later Chrome added.

A guard on the text of the files (comments removed), not a parser: each pattern is a feature
with the Chrome version that brought it, so a failure says what to write instead."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [*sorted((ROOT / "static" / "survey").glob("*.js")),
           *sorted((ROOT / "static" / "js").glob("*.js")), ROOT / "templates" / "survey" / "sw.js"]
NEWER_THAN_CHROME_80 = {
    r"\?\?=|\|\|=|&&=": "logical assignment (Chrome 85)",
    r"\.replaceAll\(": "String.prototype.replaceAll (Chrome 85)",
    r"\.at\(": "Array.prototype.at (Chrome 92)",
    r"\bstructuredClone\(": "structuredClone (Chrome 98)",
    r"\.randomUUID\(": "crypto.randomUUID (Chrome 92)",
    r"\bObject\.hasOwn\(": "Object.hasOwn (Chrome 93)",
    r"\.findLast(Index)?\(": "Array.prototype.findLast (Chrome 97)",
    r"^\s*await\b": "top-level await (Chrome 89)",
    r"\bPromise\.any\(": "Promise.any (Chrome 85)",
    r"\bAbortSignal\.timeout\(": "AbortSignal.timeout (Chrome 103)",
}


def _code(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)(^|[^:\"'])//.*$", r"\1", text)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_survey_scripts_use_nothing_newer_than_chrome_80(path):
    code = _code(path)
    found = [what for pattern, what in NEWER_THAN_CHROME_80.items()
             if re.search(pattern, code, re.M)]
    assert not found, f"{path.name}: {found}"


def test_the_guard_catches_what_it_names(tmp_path):
    probe = tmp_path / "probe.js"
    probe.write_text("var a = b.at(-1); // .replaceAll( in a comment is fine\n", encoding="utf-8")
    code = _code(probe)
    assert re.search(r"\.at\(", code) and not re.search(r"\.replaceAll\(", code)
