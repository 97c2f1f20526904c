"""``peduli db``: schema migrations."""

from __future__ import annotations

import typer

from peduli.core.db import get_engine
from peduli.migrations import runner

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    runner.upgrade(get_engine(), revision)
    typer.echo(f"database upgraded to {revision}")
