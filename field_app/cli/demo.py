"""``load-demo``: the Hinggan League demo data set."""
from __future__ import annotations

import click


@click.command("load-demo")
def load_demo() -> None:
    """Load the demo data set."""
    raise click.ClickException("not yet")
