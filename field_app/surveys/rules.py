"""The field rules of a household survey, as data for the browser.

The server checks every change with the importer's column specs (``exchange.files``) through
``exchange.checks.check_row``; this module turns the same specs into the ``rules``
block of the survey page, so the browser runs the same rules instantly with the same
messages. A converter or row check without a described rule is a programming error here,
not a silently unchecked field.
"""
from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from field_app.exchange import files
from field_app.exchange.reader import ROW_CHECKS, before, together
from field_app.surveys.labels import FIELDS

# Entity → (interchange file, the columns the survey form edits).
ENTITIES = {
    "household": (files.HOUSEHOLDS, ("address", "longitude", "latitude")),
    "person": (files.PERSONS, ("id_number", "name", "hukou", "phone")),
    "member": (files.HOUSEHOLD_MEMBERS, ("relation", "labour_capacity")),
    "spell": (files.TRANSFER_SPELLS, ("kind", "start_date", "end_date", "destination",
                                      "industry", "stable_workplace", "stable_income")),
    "training": (files.TRAININGS, ("course", "institution", "institution_certified", "funding",
                                   "start_date", "end_date", "completed")),
}


def _field_rule(column) -> dict[str, Any]:
    rule = getattr(column.convert, "rule", None)
    if rule is None:
        raise LookupError(f"converter of {column.name} describes no rule for the browser")
    out = {"required": column.required}
    for key, value in rule.items():
        out[key] = str(value) if key.startswith("message") else value
    return out


def _row_rules(spec, entity: str) -> list[list[str]]:
    out = []
    labels = FIELDS.get("member" if entity == "person" else entity, {})
    for check in ROW_CHECKS.get(spec.filename, ()):
        rule = getattr(check, "rule", None)
        if rule is None:
            raise LookupError(f"a row check of {spec.filename} describes no rule")
        kind, first, second = rule
        a, b = labels.get(first, first), labels.get(second, second)
        message = before(b, a) if kind == "ordered" else together(a, b)
        out.append([kind, first, second, str(message)])
    return out


def client_rules(english: bool = False) -> dict[str, dict]:
    """``{entity: {field: {required, kind, …, message…}, "$row": [[kind, a, b, message]]}}``
    with messages in the page's language (the server's messages, the same msgids)."""
    rules: dict[str, dict] = {}
    with force_locale("en" if english else "zh"):
        for entity, (spec, fields) in ENTITIES.items():
            by_name = {column.name: column for column in spec.columns}
            rules[entity] = {name: _field_rule(by_name[name]) for name in fields}
            rules[entity]["$row"] = _row_rules(spec, entity)
    return rules
