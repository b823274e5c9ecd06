"""``flask divisions boundaries load FILE``: division boundaries from GeoJSON or a shapefile."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

from field_app.cli.commits import commits
from field_app.core.i18n import both
from field_app.extensions import db
from field_app.maps.files import BoundaryFileError
from field_app.maps.operations import DEFAULT_TOLERANCE, load_boundaries

divisions = AppGroup("divisions", help="The division tree (行政区划).")
boundaries = AppGroup("boundaries", help="Division boundaries (区划边界) for the maps.")
divisions.add_command(boundaries)


@boundaries.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--code-property", default="adcode", show_default=True,
              help="The feature property holding the 6-, 9- or 12-digit division code.")
@click.option("--name-property", default="name", show_default=True,
              help="The feature property holding the name (matched when there is no code).")
@click.option("--tolerance", type=float, default=DEFAULT_TOLERANCE, show_default=True,
              help="Simplification tolerance in degrees (0 keeps every point).")
@click.option("--skip-unmatched", is_flag=True,
              help="Ignore features without a division instead of refusing the file.")
@commits
def load(file: str, code_property: str, name_property: str, tolerance: float,
         skip_unmatched: bool) -> None:
    """Load boundaries from a GeoJSON file, a .shp (with its .dbf) or a zipped shapefile
    (载入区划边界). All or nothing; loading the same file again changes nothing."""
    try:
        result = load_boundaries(db.session, file, code_property=code_property,
                                 name_property=name_property, tolerance=tolerance,
                                 skip_unmatched=skip_unmatched)
    except BoundaryFileError as error:
        for line in error.errors or []:
            click.echo(f"  {both(line)}", err=True)
        raise click.ClickException(both(error.message)) from None
    click.echo(both(_l("已载入边界：更新 %(changed)s 个区划，%(unchanged)s 个未变，跳过 %(skipped)s 个要素",
                       changed=len(result.changed), unchanged=len(result.unchanged),
                       skipped=len(result.skipped))))
