"""The importer's rules, applied to one record entered at the desk or on the survey page.

What the desk accepts must be exactly what an import accepts, so a desk record is written as
the interchange row it would be and run through that file's column converters
(``exchange.files``) and row checks (``exchange.reader.ROW_CHECKS``). Nothing here restates
a rule; only the messages are made readable (column names become their labels).
"""
from __future__ import annotations

import re
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from field_app.core.errors import ValidationFailed
from field_app.exchange.columns import CellError
from field_app.exchange.exporter import cell_text
from field_app.exchange.files import FileSpec
from field_app.exchange.labels import COLUMNS
from field_app.exchange.reader import ROW_CHECKS


# A column name standing alone in a message (not part of a longer identifier).
_COLUMN_NAME = re.compile(r"(?<![A-Za-z0-9_])(%s)(?![A-Za-z0-9_])" % "|".join(COLUMNS))


def readable(message, labels: dict | None = None) -> str:
    """An importer message (lazy) in the page's language, column names
    (``end_date早于start_date``) read as the labels of the form the record was entered on
    (``labels``; the desk's by default). The desk's English keeps the interchange names."""
    text = str(message)
    if labels is None and has_request_context() and str(get_locale()) == "en":
        return text
    labels = labels or COLUMNS
    return _COLUMN_NAME.sub(lambda match: str(labels.get(match.group(1), match.group(1))), text)


def check_row(spec: FileSpec, values: dict[str, Any], labels: dict | None = None
              ) -> dict[str, Any]:
    """``values`` as the importer would read them from ``spec``'s file, or ValidationFailed.

    ``values`` holds Python values (dates, booleans, enum members, strings; ``None`` or an
    empty string for no value) by interchange column name; a column left out is empty.
    Returns the converted row. The failure's ``errors`` map column names to messages, which
    name columns by ``labels`` (the desk's by default).
    """
    errors: dict[str, list] = {}
    row: dict[str, Any] = {}
    for column in spec.columns:
        cell = cell_text(values.get(column.name)).strip()
        if not cell:
            if column.required:
                errors[column.name] = [_l("必填")]
            row[column.name] = column.default
            continue
        try:
            row[column.name] = column.convert(cell)
        except CellError as error:
            errors[column.name] = [readable(error.message, labels)]
    if not errors:
        for check in ROW_CHECKS.get(spec.filename, ()):
            for column, message in check(row):
                errors.setdefault(column, []).append(readable(message, labels))
    if errors:
        raise ValidationFailed(str(next(iter(errors.values()))[0]), errors)
    return row
