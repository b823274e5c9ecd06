"""One way to translate: every message is a msgid of the catalogue, which is complete in
English, current with the code, and compiled; messages promised in both languages are one
msgid rendered twice."""
from __future__ import annotations

import re
import subprocess
import sys

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.paths import ROOT

TRANSLATIONS = ROOT / "field_app" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue():
    with PO.open("rb") as file:
        return read_po(file)


def _key(message):
    return (message.context, message.id)


def test_every_message_has_an_english_translation():
    catalogue = _catalogue()
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert missing == []
    assert not catalogue.obsolete, "remove the obsolete #~ entries"


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = [m.id for m in _catalogue() if m.id and
             set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))]
    assert wrong == []


def test_the_catalogue_holds_exactly_the_messages_of_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    extract = (ROOT / "scripts" / "translations").read_text()
    keywords = re.search(r"extract -F babel.cfg (.*?) -o", extract)[1].split()
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", *keywords, "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as file:
        extracted = {_key(m) for m in read_po(file) if m.id}
    catalogued = {_key(m) for m in _catalogue() if m.id}
    assert extracted - catalogued == set(), "run scripts/translations update and translate"
    assert catalogued - extracted == set(), "run scripts/translations update"


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as file:
        compiled = {_key(m): m.string for m in read_mo(file) if m.id}
    written = {_key(m): m.string for m in _catalogue() if m.id}
    assert compiled == written, "run scripts/translations compile"


def test_a_message_promised_in_both_languages_is_one_msgid_rendered_twice(app_ctx):
    from flask_babel import lazy_gettext as _l

    from field_app.core.i18n import both

    assert both(_l("未找到")) == "未找到 / not found"
    assert both(_l("长度超过%(max)s个字符", max=20)) == "长度超过20个字符 / longer than 20 characters"


def test_no_message_is_typed_in_two_languages():
    # "中文 / English" in a string literal is the second translation system this replaced.
    bilingual = re.compile(r"""["'][^"'\n]*[\u4e00-\u9fff][^"'\n]* / [A-Za-z][^"'\n]*["']""")
    found = [f"{file.relative_to(ROOT)}:{number}"
             for file in (ROOT / "field_app").rglob("*.py")
             for number, line in enumerate(file.read_text().splitlines(), 1)
             if bilingual.search(line) and '"""' not in line]
    assert found == []
