"""``peduli registry dedup``: deduplicate the whole registry by record linkage, now."""

from __future__ import annotations

import typer

from peduli.core.db import session_scope
from peduli.registry.linkage import batch

app = typer.Typer(help="The registry of citizens.", no_args_is_help=True)


@app.command("dedup")
def dedup() -> None:
    """Score every blocked pair of active people; flag the likely ones for the officers."""
    with session_scope() as session:
        outcome = batch.deduplicate(session)
    typer.echo(f"candidate pairs: {outcome.candidate_pairs}")
    typer.echo(f"newly flagged: {outcome.flagged}")
    typer.echo(f"flagged before: {outcome.known}")
