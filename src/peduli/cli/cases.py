"""``peduli cases``: operator commands of the protection cases (exchange rates)."""

from __future__ import annotations

from pathlib import Path

import typer

from peduli.cases import outcomes
from peduli.core.db import session_scope

app = typer.Typer(help="Protection cases.", no_args_is_help=True)


@app.command("load-rates")
def load_rates(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file."),
    source: str = typer.Option("official", "--source", help="Where the rates come from."),
) -> None:
    """Load rupiah exchange rates (CSV: currency,rate_date,idr_per_unit); replaces same days."""
    rates = outcomes.read_rates_csv(path, source=source)
    with session_scope() as session:
        outcomes.ensure_rates(session)
        count = outcomes.load_rates(session, rates)
    typer.echo(f"loaded {count} exchange rates from {path}")
