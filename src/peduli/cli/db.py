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


@app.command("check-migrations")
def check_migrations() -> None:
    """Check every revision after the initial one against the no-long-lock rules
    (migrations/safety.py; docs/operations.md, "Upgrades"); exits 1 naming each breach."""
    from peduli.migrations.safety import violations

    found = violations()
    for violation in found:
        typer.echo(str(violation), err=True)
    if found:
        raise typer.Exit(1)
    typer.echo("every revision keeps large tables unlocked")


@app.command("backfill-positions")
def backfill_positions() -> None:
    """Place every stay without coordinates at its city's centre (marked approximate), and
    give every stay without a province the one its city names ("Sabah")."""
    from peduli.core.db import session_scope
    from peduli.registry.positions import backfill_positions as backfill

    with session_scope() as db:
        done = backfill(db)
    typer.echo(f"stays placed at their city: {done.placed}")
    typer.echo(f"stays given their province: {done.provinces}")
