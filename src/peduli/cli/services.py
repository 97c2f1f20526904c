"""``peduli services``: load the shipped catalogue, list the posts without a holiday table."""

from __future__ import annotations

import typer

from peduli.core.db import session_scope
from peduli.services import calendar, catalogue

app = typer.Typer(help="Consular services: the catalogue and the posts' calendars.")


@app.command("load-catalogue")
def load_catalogue() -> None:
    """Add version 1 of every shipped service missing from the database (safe to re-run)."""
    with session_scope() as session:
        added = catalogue.load_shipped(session)
    typer.echo(f"{added} services added to the catalogue")


@app.command("posts-without-holidays")
def posts_without_holidays() -> None:
    """The posts whose host country has no holiday table (they count Indonesia's only)."""
    for code in calendar.posts_without_host_holidays():
        typer.echo(code)
