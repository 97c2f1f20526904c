"""``peduli audit``: check the hash chain of the audit log."""

from __future__ import annotations

import typer

from peduli.auth import audit
from peduli.core.db import session_scope

app = typer.Typer(help="Audit log.", no_args_is_help=True)


@app.command("verify")
def verify(
    expected_head: str = typer.Option(
        None, "--expected-head", help="Head hash noted earlier; detects removed newest entries."
    ),
) -> None:
    """Recompute the chain; exit 1 and name the first broken entry if any row was altered."""
    with session_scope() as session:
        result = audit.verify(session, expected_head=expected_head)
        current_head = audit.head(session)
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} entries, head {current_head}")
        return
    where = f"entry #{result.broken_seq}" if result.broken_seq is not None else "the chain's end"
    typer.echo(f"audit chain BROKEN at {where}: {result.problem}", err=True)
    raise typer.Exit(code=1)


@app.command("head")
def show_head() -> None:
    """Print the newest hash, to keep outside the database as an anchor."""
    with session_scope() as session:
        typer.echo(audit.head(session))
