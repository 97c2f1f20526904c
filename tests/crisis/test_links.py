"""Personal check-in links: unforgeable, and signed the same in SQL as in Python."""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.crisis import broadcasts, links
from tests.crisis.conftest import Sent
from tests.crisis.crisis_helpers import crisis_outbox, declare_crisis, draft_broadcast
from tests.factories import staff


def test_tokens_are_unforgeable() -> None:
    token = links.token_for(42)
    assert links.read_token(token) == 42
    number, signature = token.split(".")
    assert links.read_token(f"43.{signature}") is None
    assert links.read_token(f"{number}.{'0' * len(signature)}") is None
    assert links.read_token("42") is None and links.read_token("x.y") is None
    assert links.read_token(token + "0") is None


def test_sql_signed_links_match_python(db: Session, world: dict) -> None:
    author = staff(Role.HQ_ADMIN)
    crisis = declare_crisis(db, author)
    broadcast = draft_broadcast(db, crisis, author, ["sms"])
    broadcasts.approve(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=staff(Role.HQ_ADMIN)
    )
    broadcasts.send(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author)
    for row in crisis_outbox(db):
        token = row.body.rsplit("/c/", 1)[1]
        number = int(token.split(".")[0])
        assert token == links.token_for(number)


def test_token_of_link_is_what_python_signs(sent: Sent) -> None:
    for token in sent.tokens.values():
        assert links.read_token(token) is not None
