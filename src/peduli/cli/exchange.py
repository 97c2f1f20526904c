"""``peduli exchange``: the bilateral exchange with partner states: our public key (to give
the partners) and a partner state's address and key."""

from __future__ import annotations

import typer

from peduli.agencies import exchange
from peduli.agencies.exchange_signing import our_public_keys
from peduli.core.db import session_scope

app = typer.Typer(help="The bilateral exchange with partner states.", no_args_is_help=True)


@app.command("public-key")
def public_key() -> None:
    """Print our key id and Ed25519 public key (base64url), for the partner states."""
    for key_id, key in our_public_keys().items():
        typer.echo(f"{key_id} {key}")


@app.command("partner")
def partner(
    code: str = typer.Argument(..., help="ISO country code, e.g. MY."),
    name: str = typer.Argument(..., help="The partner's channel, as officers see it."),
    url: str = typer.Argument(..., help="Its base URL; messages go to <url>/messages."),
    key_id: str = typer.Argument(..., help="The id of its signing key."),
    key: str = typer.Argument(..., help="Its Ed25519 public key, base64url."),
) -> None:
    """Add a partner state, or change its address or key (a key roll)."""
    with session_scope() as session:
        exchange.register_partner(session, code=code.upper(), name=name, url=url,
                                  key_id=key_id, public_key=key)  # fmt: skip
    typer.echo(f"partner state {code.upper()} registered")
