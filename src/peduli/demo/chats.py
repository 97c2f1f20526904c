"""Chat preferences in the demo: in each demo post, a few people write to the ministry's bot
on Telegram and a few on WhatsApp, so a crisis broadcast there shows them reached on their
chat instead of by SMS (the sandbox Telegram and WhatsApp APIs receive them).

Recorded as the conversations domain would when a linked person writes, through
``registry.contacts.record_chat_contact``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from peduli.demo.cases import DEMO_POSTS
from peduli.registry import contacts
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay, StayStatus

PER_POST_AND_CHAT = 3
# Sandbox chat ids: Telegram private chats are positive numbers; these name nobody.
FIRST_CHAT_ID = 900_000_001


def ensure_demo_chats(session: Session, *, per_post: int = PER_POST_AND_CHAT) -> int:
    """Give ``per_post`` people of each demo post a Telegram chat and as many a WhatsApp
    preference, unless the post has some already; returns how many were recorded."""
    recorded = 0
    for post in DEMO_POSTS:
        if _has_chat_preference(session, post):
            continue
        people = _with_trusted_phone(session, post, 2 * per_post)
        for number, (person_id, phone) in enumerate(people):
            if number < per_post:
                chat = str(FIRST_CHAT_ID + recorded)
                contacts.record_chat_contact(
                    session, person_id=person_id, channel="telegram", address=chat
                )
            else:
                contacts.record_chat_contact(
                    session, person_id=person_id, channel="whatsapp", address=phone
                )
            recorded += 1
    return recorded


def _has_chat_preference(session: Session, post: str) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Stay.person_id == Person.id,
                    Stay.representation_code == post,
                    Person.preferred_channel.is_not(None),
                )
            )
        )
    )


def _with_trusted_phone(session: Session, post: str, count: int) -> list[tuple[uuid.UUID, str]]:
    """``count`` people of the post with an active stay and a trusted phone, each once."""
    rows = session.execute(
        select(Stay.person_id, ContactPoint.value)
        .join(ContactPoint, ContactPoint.person_id == Stay.person_id)
        .where(
            Stay.representation_code == post,
            Stay.status == StayStatus.ACTIVE.value,
            ContactPoint.kind == ContactKind.PHONE.value,
            ContactPoint.is_primary.is_(True),
            ContactPoint.trusted_at.is_not(None),
        )
        .distinct()
        .order_by(Stay.person_id)
        .limit(count)
    ).all()
    return [(row[0], row[1]) for row in rows]
