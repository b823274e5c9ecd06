"""Command-line groups, one module per area, attached to the app in ``create_app``."""
from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from field_app.cli import (accounts, demo, exchange, indicators, periods, quality, reports,
                               snapshots)

    for command in (exchange.import_data, exchange.export_data, indicators.indicators,
                    demo.load_demo, accounts.accounts, reports.report, periods.period,
                    snapshots.snapshot):
        app.cli.add_command(command)
    app.cli.add_command(quality.quality)
    app.cli.add_command(__import__("field_app.cli.jobs", fromlist=["jobs_worker"]).jobs_worker)
    from field_app.cli.maps import divisions as _divisions  # issue 14: maps
    app.cli.add_command(_divisions)
