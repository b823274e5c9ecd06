"""Text that is safe to store and to hand to a spreadsheet: which characters are refused, how
export cells are neutralised, and that every form of the application checks its text."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm

import field_app
from field_app.core.forms import SafeForm
from field_app.core.text import (
    find_unsafe,
    neutralise_formula,
    spreadsheet_cell,
    strip_unsafe,
    unquote_formula,
)


@pytest.mark.parametrize(("text", "found"), [
    ("巴特尔", None),
    ("第3组\n8号", None),  # a multi-line reason
    ("\ue000", None),  # private use: rare name characters still arrive there
    ("巴\x0b特尔", (1, "U+000B")),
    ("\x01", (0, "U+0001")),
    ("ab\u202ecd", (2, "U+202E")),  # right-to-left override
    ("巴特\u200b尔", (2, "U+200B")),  # zero-width space
    ("巴\u200d", (1, "U+200D")),  # zero-width joiner
    ("\ufeff巴", (0, "U+FEFF")),
    ("a\u2066b", (1, "U+2066")),  # left-to-right isolate
    ("a\x85", (1, "U+0085")),  # a C1 control
])
def test_find_unsafe_names_the_first_character_not_allowed(text, found):
    assert find_unsafe(text) == found


def test_single_line_text_refuses_tabs_and_line_breaks_that_multi_line_text_keeps():
    assert find_unsafe("第3组\t8号") is None
    assert find_unsafe("第3组\t8号", single_line=True) == (3, "U+0009")
    assert find_unsafe("a\r\nb", single_line=True) == (1, "U+000D")


def test_strip_unsafe_keeps_everything_else():
    assert strip_unsafe("\u202e巴\x0b特\u200b尔\n") == "巴特尔\n"


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
    ("+1", "'+1"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("'=1", "''=1"),  # already quoted: quoted again, so reading back gives "'=1"
    ("'巴特尔", "'巴特尔"),
    ("巴特尔=1", "巴特尔=1"),
    ("\x0b=1", "'=1"),  # stripped first, then neutralised
    (12, 12),
    (None, None),
])
def test_spreadsheet_cells_never_start_a_formula(value, cell):
    assert spreadsheet_cell(value) == cell


@pytest.mark.parametrize("text", ["=1", "'=1", "''+x", "'x", "x", "-", "'", "", "@", "'-5"])
def test_unquote_formula_undoes_exactly_what_the_export_added(text):
    assert unquote_formula(neutralise_formula(text)) == text


def _application_forms() -> list[type]:
    for module in pkgutil.walk_packages(field_app.__path__, "field_app."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, pending = [], [FlaskForm]
    while pending:
        for form in pending.pop().__subclasses__():
            pending.append(form)
            if form.__module__.startswith("field_app.") and form is not SafeForm:
                found.append(form)
    return found


def test_every_form_of_the_application_checks_its_text_fields():
    forms = _application_forms()
    assert len(forms) > 10
    assert [form.__name__ for form in forms if not issubclass(form, SafeForm)] == []
