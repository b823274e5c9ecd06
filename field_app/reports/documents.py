"""Report HTML from the PDF templates in ``templates/reports/``, always in Chinese.

The forms are official paper: whatever language the person printing reads the site in,
the document is rendered in the default locale (Chinese).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape

from field_app.indicators.policy import POLICY_LABELS
from field_app.reports import labels
from field_app.reports.context import TableContext
from field_app.reports.models import ReportKind
from field_app.reports.roster import RosterContext

TEMPLATES = {ReportKind.RURAL: "reports/table.html", ReportKind.URBAN: "reports/table.html",
             ReportKind.ROSTER: "reports/roster.html",
             ReportKind.ANALYSIS: "reports/analysis.html"}
# Landscape where the columns need it: eight indicators, or a roster's answers.
LANDSCAPE = {ReportKind.URBAN, ReportKind.ROSTER}


def qr_data_uri(text: str) -> str:
    """An SVG QR code (error correction M, survives a stamp's edge or a fold)."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=1, border=0)


def figure(value: int | Decimal | str | None) -> str:
    """A cell as printed: an empty figure (no denominator, no reported total) is a dash."""
    return "—" if value is None else str(value)


def page_counter(text: str) -> Markup:
    """A translated ``第 {page} 页 共 {pages} 页`` as HTML whose placeholders become the page
    counters (spans that print.css fills with ``counter(page)`` and ``counter(pages)``)."""
    parts = re.split(r"\{(page|pages)\}", str(text))
    return Markup("").join(Markup(f'<span class="counter-{part}"></span>') if i % 2
                           else escape(part) for i, part in enumerate(parts))


def report_html(kind: ReportKind, context: TableContext | RosterContext, *, number: str,
                generated_at: dt.datetime, verify_url: str) -> str:
    """The HTML of report ``kind`` for ``context``, carrying its number and QR code."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(
            TEMPLATES[kind], kind=kind, report=context, labels=labels,
            title=labels.TITLES[kind],
            form_block=labels.form_block(kind, current_app.config.get("REPORT_FORMS")),
            period=labels.period_label(context.start, context.end),
            generated=generated_at.strftime("%Y-%m-%d %H:%M"),
            number=number, verify_url=verify_url, qr=qr_data_uri(verify_url),
            landscape=kind in LANDSCAPE, figure=figure, page_counter=page_counter,
            policy_labels=POLICY_LABELS,
        )
