"""Command-line groups, one module per area, attached to the app in ``create_app``."""
from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from field_app.cli import accounts, demo, exchange, indicators, reports

    for command in (exchange.import_data, exchange.export_data, indicators.indicators,
                    demo.load_demo, accounts.accounts, reports.report):
        app.cli.add_command(command)
