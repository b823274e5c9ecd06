"""``import-data`` and ``export-data``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from flask_babel import lazy_gettext as _l

from field_app.cli.text import counts_table, faults, unknown_division
from field_app.core.i18n import both
from field_app.cli.commits import commits
from field_app.cli.progress import terminal_progress
from field_app.extensions import db


@click.command("import-data")
@with_appcontext
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the error list as JSON.")
@commits
def import_data(directory: Path, as_json: bool) -> None:
    """Import a data set (导入数据集): all or nothing."""
    from field_app.exchange.importer import import_dataset

    with terminal_progress(_l("导入数据集")) as progress:
        result = import_dataset(db.session.connection(), directory, progress=progress)
    if not result.ok:
        if as_json:
            click.echo(json.dumps([e.as_dict() for e in result.errors], ensure_ascii=False,
                                  indent=1))
        else:
            click.echo(both(_l("数据集有 %(count)s 处错误，未导入任何数据",
                               count=len(result.errors))), err=True)
            for line in faults(result.errors):
                click.echo(line, err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({name: vars(c) for name, c in result.counts.items()}, indent=1))
        return
    for line in counts_table(result.counts):
        click.echo(line)


@click.command("export-data")
@with_appcontext
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--division", help="12-digit code: export only what this division's figures need.")
def export_data(directory: Path, division: str | None) -> None:
    """Export a data set (导出数据集) in the interchange format."""
    from field_app.exchange.exporter import export_dataset

    try:
        counts = export_dataset(db.session.connection(), directory, division)
    except LookupError:
        raise click.ClickException(unknown_division(division)) from None
    for name, count in counts.items():
        click.echo(f"{name:<34}{count:>10}")
