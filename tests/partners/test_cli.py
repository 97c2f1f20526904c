"""``peduli partner list`` and ``peduli partner link-member``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.auth import accounts
from peduli.auth.actor import Role
from peduli.cli.main import app
from peduli.partners.models import PartnerMember
from tests.partners.conftest import make_partner


def test_list_and_link_a_member(db: Session) -> None:
    view = make_partner(db)
    accounts.create_staff(db, email="baru@mitra.example", role=Role.PARTNER)
    db.commit()
    runner = CliRunner()
    listed = runner.invoke(app, ["partner", "list", "--representation", "kbri-seoul"])
    assert listed.exit_code == 0 and str(view.partner.id) in listed.output
    linked = runner.invoke(
        app,
        ["partner", "link-member", "--partner-id", str(view.partner.id),
         "--email", "baru@mitra.example", "--coordinator"],
    )  # fmt: skip
    assert linked.exit_code == 0, linked.output
    member = db.scalars(select(PartnerMember)).one()
    assert member.member_role == "coordinator"
    db.commit()  # end the read: on SQLite it holds the writer's turn the next command needs
    refused = runner.invoke(
        app, ["partner", "link-member", "--partner-id", "nope", "--email", "baru@mitra.example"]
    )
    assert refused.exit_code == 1
