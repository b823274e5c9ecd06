"""Text that is safe to store and to hand to a spreadsheet.

Two hazards, two rules:

* Entry: control characters (which break XLSX files and terminals), bidirectional overrides
  and zero-width characters (which make a name read differently from what it is) are refused
  on every text field, with a message saying which character and where. ``find_unsafe``
  gives the first such character; forms, the phone's sync and the importer all call it.
* Export: every CSV and XLSX cell goes through ``spreadsheet_cell``: such characters are
  stripped (records stored before the entry rule must not break an export), and a value a
  spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV-injection rule).
  The apostrophe is also added before a value that already starts with apostrophes and then
  a formula character, so that ``unquote_formula`` (which the interchange importer applies)
  undoes exactly what was added and an export → import → export round trip is byte-identical.

Hand-written: the rule is a few character classes, and no maintained library implements
the OWASP neutralisation for both csv and openpyxl.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 and C1 controls except tab, LF and CR (which multi-line reasons may hold), DEL, the
# bidi embeddings/overrides/isolates and marks, zero-width characters, the BOM, and the
# line/paragraph separators. Unicode general categories Cc/Cf give the same set and more;
# they are checked too, so a new format character is refused without a list update.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A value the export quotes: formula characters, possibly after apostrophes already there
# (a stored "'=x" must come back as "'=x", not as "=x", after an export and an import).
_QUOTED_OR_FORMULA = re.compile("'*[=+\\-@\t\r]")
_QUOTED_FORMULA = re.compile("'+[=+\\-@\t\r]")


def _unsafe_char(ch: str) -> bool:
    if ch in _ALLOWED_CONTROLS:
        return False
    # Private use (Co) stays allowed: rare characters of personal names (生僻字) still come
    # from input methods that place them there. Lone surrogates (Cs) cannot be stored.
    return bool(_UNSAFE.match(ch)) or unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def find_unsafe(text: str | None, *, single_line: bool = False) -> tuple[int, str] | None:
    """``(position, code)`` of the first character not allowed in stored text (the code
    written like ``'U+202E'``), or None.

    ``position`` counts from 0. Tab, LF and CR are allowed (a reason may run over several
    lines) unless ``single_line``: a name or an address holds none of them."""
    # str.isprintable is False for every category refused here (Cc, Cf, Cs, the line and
    # paragraph separators) and for tab and line breaks: most text is done in C.
    if not text or text.isprintable():
        return None
    for position, ch in enumerate(text):
        if _unsafe_char(ch) or (single_line and ch in _ALLOWED_CONTROLS):
            return position, f"U+{ord(ch):04X}"
    return None


def strip_unsafe(text: str) -> str:
    """``text`` without the characters ``find_unsafe`` refuses."""
    if find_unsafe(text) is None:
        return text
    return "".join(ch for ch in text if not _unsafe_char(ch))


def spreadsheet_cell(value: Any) -> Any:
    """A value made safe for a CSV or XLSX cell: strings are stripped of unsafe characters
    and neutralised with a leading ``'`` when a spreadsheet would read them as a formula;
    other values pass through unchanged."""
    if not isinstance(value, str):
        return value
    return neutralise_formula(strip_unsafe(value))


def neutralise_formula(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would read it as a formula (OWASP), or
    if it is apostrophes followed by a formula character (see ``unquote_formula``)."""
    if _QUOTED_OR_FORMULA.match(text):
        return "'" + text
    return text


def unquote_formula(text: str) -> str:
    """The inverse of ``neutralise_formula`` for cells read back: one leading ``'`` removed
    when apostrophes are followed by a formula character; any other text unchanged."""
    if _QUOTED_FORMULA.match(text):
        return text[1:]
    return text
