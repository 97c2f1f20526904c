"""``peduli documents rotate-key`` and ``trust-list``: a new signing key, the old one kept."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.documents import keys
from peduli.documents.models import SigningKey
from peduli.registry.models import Person
from tests.documents.conftest import issue, person

__all__ = ["person"]


def test_rotate_key_keeps_the_old_key_in_the_signed_trust_list(db: Session, person: Person) -> None:
    old_kid = issue(db, person).document.key_id
    rotated = CliRunner().invoke(app, ["documents", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    new_kid = rotated.output.strip().rsplit(" ", 1)[1]
    assert new_kid != old_kid
    db.expire_all()
    states = {row[0]: row[1] for row in db.execute(select(SigningKey.id, SigningKey.state)).all()}
    db.commit()
    assert states == {old_kid: "retired", new_kid: "active"}
    listed = CliRunner().invoke(app, ["documents", "trust-list"])
    assert listed.exit_code == 0, listed.output
    published = json.loads(listed.output)
    assert keys.read_signed_list(published["signed"]) is not None
    assert {k["kid"] for k in published["keys"]} == {old_kid, new_kid}
