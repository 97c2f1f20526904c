"""``peduli staff`` and ``peduli token``: accounts and API tokens for operators and automation.

Nothing here ever prompts: a password comes from ``--password-stdin`` or is generated, so
the commands run the same in a terminal, a script or CI.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from peduli.auth import accounts
from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.core.errors import PeduliError

staff_app = typer.Typer(help="Staff and agency accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (bearer) for staff and agencies.", no_args_is_help=True)


@token_app.callback()
def _tokens() -> None:
    """API tokens (bearer) for staff and agencies."""  # a group, even with one command


@contextmanager
def _reported() -> Iterator[None]:
    """Turn a domain error into its message (and each field's fix) on stderr, exit 1."""
    try:
        yield
    except PeduliError as error:
        if not error.problems:
            typer.echo(f"error: {error.detail}", err=True)
        for problem in error.problems:
            typer.echo(
                f"error: {problem.field}: {problem.message} {problem.hint}".rstrip(), err=True
            )
        raise typer.Exit(code=1) from None


@staff_app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="Sign-in email of the account."),
    role: str = typer.Option(
        ..., "--role", help="officer, supervisor, hq_analyst, hq_admin, partner or agency."
    ),
    representation: str | None = typer.Option(
        None, "--representation", help="Representation code (officer, supervisor), e.g. kbri-seoul."
    ),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    language: str = typer.Option(
        "id", "--language", help="Language of the alerts and reminders: id, en, zh or fr."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Create an account; prints a generated password and the TOTP otpauth URI, once."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with _reported(), session_scope() as session:
        account, generated = accounts.create_staff(
            session,
            email=email,
            role=role,
            representation_code=representation,
            display_name=name,
            password=password,
            language=language,
        )
        uri = None
        if account.role != Role.AGENCY:
            uri = accounts.totp_provisioning(session, email=account.email)
    typer.echo(f"created {account.role} {account.email} ({account.id})")
    if generated:
        typer.echo(f"password: {generated}")
    if uri:
        typer.echo(f"totp: {uri}")
        typer.echo("Add the totp URI to an authenticator app; it is not shown again.")
    else:
        typer.echo(f"agency accounts use API tokens: peduli token create --email {account.email}")


@staff_app.command("language")
def language(
    email: str = typer.Option(..., "--email"),
    language: str = typer.Option(..., "--language", help="id, en, zh or fr."),
) -> None:
    """Change the language of an account's alerts, escalations and reminders."""
    with _reported(), session_scope() as session:
        account = accounts.set_language(session, email=email, language=language)
    typer.echo(f"{account.email} now gets alerts and reminders in '{account.preferred_language}'")


@staff_app.command("disable")
def disable(email: str = typer.Option(..., "--email")) -> None:
    """Disable an account; its sessions and API tokens stop working at once."""
    with _reported(), session_scope() as session:
        account = accounts.disable_staff(session, email=email)
    typer.echo(f"disabled {account.email}; its sessions and tokens are revoked")


@staff_app.command("totp-code")
def totp_code(email: str = typer.Option(..., "--email")) -> None:
    """Print the account's current TOTP code (development, demo and test only)."""
    with _reported(), session_scope() as session:
        code = accounts.current_totp_code(session, email=email)
    typer.echo(code)


@token_app.command("create")
def create_token(
    email: str = typer.Option(..., "--email", help="The staff or agency account."),
    scope: list[str] | None = typer.Option(
        None, "--scope", help="A scope, repeatable; default: all the role may hold."
    ),
    days: int | None = typer.Option(None, "--days", help="Lifetime in days."),
) -> None:
    """Create an API token and print only the token (for automation)."""
    with _reported(), session_scope() as session:
        token = accounts.create_token(session, email=email, scopes=scope or None, days=days)
    typer.echo(token)
