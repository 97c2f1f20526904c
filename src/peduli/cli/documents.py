"""``peduli documents``: rotate the key that signs documents, show the trust list."""

from __future__ import annotations

import json

import typer

from peduli.core.db import session_scope
from peduli.documents import keys

app = typer.Typer(
    help="Signed documents: the signing key and the trust list.", no_args_is_help=True
)


@app.command("rotate-key")
def rotate_key() -> None:
    """Retire the active signing key and make a new one (audited).

    Documents signed with the retired key stay valid: it stays in the trust list."""
    with session_scope() as session:
        kid = keys.rotate(session)
    typer.echo(f"active signing key: {kid}")


@app.command("trust-list")
def trust_list() -> None:
    """Print the signed trust list (as GET /api/v1/documents/trust-list serves it)."""
    with session_scope() as session:
        typer.echo(json.dumps(keys.trust_list(session), indent=2))
