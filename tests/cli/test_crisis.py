"""``peduli crisis demo`` declares, counts and drafts; with --send the outbox fills."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.crisis.models import Broadcast, Crisis
from peduli.notify.models import OutboxMessage
from tests.crisis.crisis_helpers import add_person


def test_demo_declares_and_drafts(db: Session) -> None:
    add_person(db, latitude=3.14, longitude=101.69)
    db.commit()
    result = CliRunner().invoke(app, ["crisis", "demo"])
    assert result.exit_code == 0, result.output
    assert "1 active stays" in result.output and "/approve" in result.output
    assert db.scalar(select(func.count()).select_from(Crisis)) == 1
    assert db.scalars(select(Broadcast.status)).one() == "draft"


def test_demo_send_writes_the_outbox(db: Session) -> None:
    add_person(db, latitude=3.14, longitude=101.69, email="x@example.org")
    db.commit()
    result = CliRunner().invoke(app, ["crisis", "demo", "--send"])
    assert result.exit_code == 0, result.output
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert CliRunner().invoke(app, ["crisis", "demo", "--city", "atlantis"]).exit_code == 1
