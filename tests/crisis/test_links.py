"""Personal check-in links: unforgeable, and signed the same in SQL as in Python."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.crisis import broadcasts, links
from tests.crisis.conftest import Sent
from tests.crisis.crisis_helpers import crisis_outbox, declare_crisis, draft_broadcast
from tests.factories import staff


def test_tokens_are_unforgeable() -> None:
    token = links.token_for(42)
    assert token.startswith("g") and len(token) == 1 + links.SIGNATURE_CHARS  # 42 = "g"
    assert links.read_token(token) == 42
    signature = token[1:]
    assert links.read_token(f"h{signature}") is None  # another recipient, same signature
    assert links.read_token(f"0{token}") is None  # one recipient, one token
    assert links.read_token("g" + "0" * len(signature)) is None
    assert links.read_token(signature) is None and links.read_token("g.y") is None
    assert links.read_token(token + "0") is None and links.read_token(token[:-1]) is None
    assert links.read_token(f"g{signature[:-1]}-") is None


@pytest.mark.parametrize("recipient_id", [1, 61, 62, 99_999_999, 62**5 - 1, 2**63 - 1])
def test_a_token_is_letters_and_digits_and_names_its_recipient(recipient_id: int) -> None:
    token = links.token_for(recipient_id)
    assert token.isascii() and token.isalnum()
    assert links.read_token(token) == recipient_id


def test_the_signature_carries_64_bits_of_the_hmac() -> None:
    # 11 base-62 characters, the pieces each within their digits: every 64-bit value is
    # written, so a guess is right once in 2**64.
    assert links.SIGNATURE_CHARS == 11
    assert sum(bits for bits, _ in links.PIECES) == 64
    assert all(2**bits <= 62**digits for bits, digits in links.PIECES)


def test_an_old_decimal_and_hex_link_is_not_a_token() -> None:
    # Links were "<id>.<20 hex>" before any release; none was ever sent in production.
    assert links.read_token("42.0123456789abcdef0123") is None


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
        number = links.read_token(token)
        assert number is not None and token == links.token_for(number)
    big = 2**40 + 12_345  # more digits than the test's ids, the same SQL
    assert db.scalar(select(links.token_sql(db, literal(big)))) == links.token_for(big)


def test_token_of_link_is_what_python_signs(sent: Sent) -> None:
    for token in sent.tokens.values():
        assert links.read_token(token) is not None
