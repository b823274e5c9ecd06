"""Indicator names in the reader's language: the one catalogue (``indicators.labels``),
translated lazily, for the statistics pages, the reports and the command line."""
from flask_babel import lazy_gettext as _l

from field_app.indicators.labels import FIGURE_NOTES, INDICATOR_NAMES, REASON_NAMES

INDICATOR_LABELS = {key: _l(name) for key, name in INDICATOR_NAMES.items()}

# Explanations: the rule clause and the record behind each person (``indicators.explain``).
REASON_LABELS = {code: _l(name) for code, name in REASON_NAMES.items()}
FIGURE_NOTE_LABELS = {key: _l(note) for key, note in FIGURE_NOTES.items()}
RECORD_LABELS = {
    "employment": _l("就业登记"),
    "unemployment": _l("失业登记"),
    "aid": _l("就业援助"),
    "attrition": _l("自然减员"),
    "spell": _l("转移就业经历"),
    "training": _l("培训记录"),
}
# The desk's page for each kind of record it keeps.
RECORD_ENDPOINTS = {
    "employment": "registrations.employment",
    "unemployment": "registrations.unemployment",
    "aid": "registrations.aid",
    "attrition": "registrations.attrition",
}
