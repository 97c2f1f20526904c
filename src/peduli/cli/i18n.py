"""``peduli i18n``: keep the translation catalogues in step with the source."""

from __future__ import annotations

import typer

from peduli.web import catalogues

app = typer.Typer(help="Translation catalogues.", no_args_is_help=True)


@app.command("update")
def update() -> None:
    """Add new source messages to every language's catalogue; drop vanished ones."""
    for area in catalogues.AREAS:
        catalogues.update(area)
        typer.echo(f"updated {area.name}")


@app.command("check")
def check() -> None:
    """List untranslated messages and broken placeholders; exit 1 if there are any."""
    found = [gap for area in catalogues.AREAS for gap in catalogues.gaps(area)]
    for gap in found:
        typer.echo(f"{gap.area}/{gap.language}: {gap.problem}: {gap.msgid!r}")
    if found:
        raise typer.Exit(code=1)
    typer.echo("every message is translated")
