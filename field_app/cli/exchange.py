"""``import-data`` and ``export-data``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from field_app.extensions import db


@click.command("import-data")
@with_appcontext
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the error list as JSON.")
def import_data(directory: Path, as_json: bool) -> None:
    """Import a data set (导入数据集): all or nothing."""
    from field_app.exchange.importer import import_dataset

    result = import_dataset(db.session.connection(), directory)
    if not result.ok:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps([e.as_dict() for e in result.errors], ensure_ascii=False,
                                  indent=1))
        else:
            click.echo(f"数据集有 {len(result.errors)} 处错误，未导入任何数据 / "
                       f"{len(result.errors)} errors, nothing imported", err=True)
            for e in result.errors:
                click.echo(f"{e.file}:{e.line} [{e.column}] {e.value!r}: {e.reason}", err=True)
        sys.exit(1)
    db.session.commit()
    if as_json:
        click.echo(json.dumps({name: vars(c) for name, c in result.counts.items()}, indent=1))
        return
    click.echo(f"{'文件 file':<34}{'新增 inserted':>14}{'更新 updated':>14}{'未变 unchanged':>16}")
    for name, counts in result.counts.items():
        click.echo(f"{name:<34}{counts.inserted:>14}{counts.updated:>14}{counts.unchanged:>16}")


@click.command("export-data")
@with_appcontext
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--division", help="12-digit code: export only what this division's figures need.")
def export_data(directory: Path, division: str | None) -> None:
    """Export a data set (导出数据集) in the interchange format."""
    from field_app.exchange.exporter import export_dataset

    try:
        counts = export_dataset(db.session.connection(), directory, division)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    for name, count in counts.items():
        click.echo(f"{name:<34}{count:>10}")
