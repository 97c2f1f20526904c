"""The inbox and a conversation's thread: the SELECTs the pages and the API share."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.conversations.access import conversation_scope
from peduli.conversations.models import Conversation, ConversationMessage
from peduli.registry.models import Person

THREAD_LIMIT = 200

# The citizen wrote last and nobody answered since: what an officer takes first.
UNANSWERED = and_(
    Conversation.last_inbound_at.is_not(None),
    or_(
        Conversation.last_outbound_at.is_(None),
        Conversation.last_outbound_at < Conversation.last_inbound_at,
    ),
)


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    unanswered: bool
    person_name: str | None


def inbox(session: Session, *, actor: Actor, limit: int, offset: int) -> tuple[int, list[InboxRow]]:
    """The caller's conversations, unanswered first, then the latest activity first."""
    where = conversation_scope(actor)
    total = session.scalar(select(func.count()).select_from(Conversation).where(where)) or 0
    unanswered = case((UNANSWERED, 1), else_=0)
    rows = session.execute(
        select(Conversation, unanswered, Person.full_name)
        .outerjoin(Person, Person.id == Conversation.person_id)
        .where(where)
        .order_by(unanswered.desc(), Conversation.last_activity_at.desc(), Conversation.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, [InboxRow(row[0], bool(row[1]), row[2]) for row in rows]


def conversation_in_scope(
    session: Session, conversation_id: uuid.UUID, actor: Actor
) -> Conversation | None:
    """The conversation if the caller may see it."""
    return session.scalar(
        select(Conversation).where(Conversation.id == conversation_id, conversation_scope(actor))
    )


def thread(session: Session, conversation_id: uuid.UUID) -> Sequence[ConversationMessage]:
    """The conversation's latest messages, oldest first as a chat reads."""
    latest = (
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id)
        .order_by(ConversationMessage.created_at.desc(), ConversationMessage.id.desc())
        .limit(THREAD_LIMIT)
    ).subquery()
    rows = session.scalars(
        select(ConversationMessage)
        .join(latest, latest.c.id == ConversationMessage.id)
        .order_by(ConversationMessage.created_at, ConversationMessage.id)
    )
    return list(rows)


def last_location(session: Session, conversation_id: uuid.UUID) -> tuple[float, float] | None:
    """Where the citizen last said they were, if they shared a location."""
    row = session.execute(
        select(ConversationMessage.latitude, ConversationMessage.longitude)
        .where(
            ConversationMessage.conversation_id == conversation_id,
            ConversationMessage.latitude.is_not(None),
        )
        .order_by(ConversationMessage.created_at.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return (row[0], row[1])
