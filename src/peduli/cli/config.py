"""``peduli config``: the configuration reference, generated from the settings class."""

from __future__ import annotations

import typer

from peduli.core.config_reference import reference

app = typer.Typer(help="The settings: their reference.", no_args_is_help=True)


@app.command("reference")
def print_reference() -> None:
    """Print docs/configuration.md: every PEDULI_* setting, its type, default and meaning."""
    typer.echo(reference(), nl=False)
