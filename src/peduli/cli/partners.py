"""``peduli partner``: list community partners and link a partner account to its partner."""

from __future__ import annotations

import uuid

import typer

from peduli.auth import accounts
from peduli.auth.actor import SYSTEM
from peduli.cli.staff import _reported
from peduli.core.db import session_scope
from peduli.partners import repository, service
from peduli.partners.models import MemberRole

app = typer.Typer(help="Community partners (Mitra) and their accounts.", no_args_is_help=True)


@app.command("list")
def list_partners(
    representation: str | None = typer.Option(
        None, "--representation", help="Only this representation's partners, e.g. kbri-seoul."
    ),
) -> None:
    """Print id, representation, name and kind of every partner (active first by name)."""
    with _reported(), session_scope() as session:
        _total, rows = repository.list_partners(
            session,
            actor=SYSTEM,
            filters=repository.PartnerFilters(representation_code=representation),
            limit=repository.MAX_PAGE,
        )
        for view in rows:
            p = view.partner
            state = "" if p.active else " (inactive)"
            typer.echo(f"{p.id}  {p.representation_code:<20} {p.name}{state}  [{p.kind}]")


@app.command("link-member")
def link_member(
    partner_id: str = typer.Option(
        ..., "--partner-id", help="The partner's id (peduli partner list)."
    ),
    email: str = typer.Option(..., "--email", help="An account of role partner."),
    coordinator: bool = typer.Option(False, "--coordinator", help="The partner's coordinator."),
) -> None:
    """Link an existing partner account (peduli staff create --role partner) to a partner."""
    with _reported(), session_scope() as session:
        account = accounts.get_staff(session, email=email)
        try:
            parsed = uuid.UUID(partner_id)
        except ValueError:
            typer.echo("error: --partner-id is not an id; see peduli partner list.", err=True)
            raise typer.Exit(code=1) from None
        service.link_member(
            session,
            partner_id=parsed,
            staff_account_id=account.id,
            member_role=MemberRole.COORDINATOR if coordinator else MemberRole.MEMBER,
            actor=SYSTEM,
        )
        typer.echo(f"{email} now works for partner {parsed}.")
