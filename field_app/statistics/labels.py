"""Indicator names in the reader's language: the one catalogue (``indicators.labels``),
translated lazily, for the statistics pages, the reports and the command line."""
from flask_babel import lazy_gettext as _l

from field_app.indicators.labels import INDICATOR_NAMES

INDICATOR_LABELS = {key: _l(name) for key, name in INDICATOR_NAMES.items()}
