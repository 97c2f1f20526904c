"""``peduli retention``: purge personal data past its retention period, now."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from peduli import retention
from peduli.core.db import get_sessionmaker

app = typer.Typer(help="Retention of personal data (UU PDP).", no_args_is_help=True)


@app.command("run")
def run(
    now: datetime | None = typer.Option(
        None, "--now", help="Purge as if it were this UTC time (ISO 8601); default: now."
    ),
) -> None:
    """Purge every data class past its period, in batches; print what was purged per class."""
    moment = now.replace(tzinfo=now.tzinfo or UTC) if now else None
    counts = retention.run_until_done(get_sessionmaker(), now=moment)
    for name, count in counts.items():
        typer.echo(f"{name}: {count}")
    typer.echo(f"total: {sum(counts.values())}")
