"""``peduli stats``: national statistics; publish a month's open-data release."""

from __future__ import annotations

import typer

from peduli.auth.actor import SYSTEM
from peduli.core.db import session_scope
from peduli.core.errors import PeduliError
from peduli.stats import releases

app = typer.Typer(help="National statistics and open data.", no_args_is_help=True)


@app.command("publish")
def publish(
    month: str = typer.Option(..., "--month", help="The month that is over, as YYYY-MM."),
) -> None:
    """Publish a month's open-data tables, suppressed and rounded (audited; frozen once out)."""
    try:
        with session_scope() as session:
            release = releases.publish(session, month=releases.parse_month(month), actor=SYSTEM)
            published = release.month.strftime("%Y-%m")
    except PeduliError as error:
        for problem in error.problems or ():
            typer.echo(f"error: {problem.field}: {problem.message}", err=True)
        if not error.problems:
            typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"published open data for {published}: /data-terbuka?month={published}")
