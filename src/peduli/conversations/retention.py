"""How long a conversation is kept, and what leaves with it.

A conversation quiet for ``PEDULI_RETENTION_CONVERSATION_DAYS`` (365 by default) is deleted
with its messages, and the photos and documents they kept leave the attachments' storage;
one linked to a case still being worked stays until the case is done (what the case needs of
a chat is on its own timeline). A citizen's erasure deletes their conversations the same way
at once (``service.erase_people``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from peduli.cases.models import Case
from peduli.cases.storage import get_storage
from peduli.cases.workflow import DONE
from peduli.conversations.models import Conversation, ConversationMessage


def delete_conversations(
    session: Session, which: ColumnElement[bool], *, limit: int | None = None
) -> int:
    """Delete the conversations matching ``which`` (up to ``limit``), their messages and
    stored files; how many went. The files go last: should the transaction still roll back,
    its rows stay without their files and leave at the next round."""
    ids = session.scalars(select(Conversation.id).where(which).limit(limit)).all()
    if not ids:
        return 0
    keys = session.scalars(
        select(ConversationMessage.attachment_key).where(
            ConversationMessage.conversation_id.in_(ids),
            ConversationMessage.attachment_key.is_not(None),
        )
    ).all()
    session.execute(
        delete(ConversationMessage)
        .where(ConversationMessage.conversation_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(Conversation)
        .where(Conversation.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    storage = get_storage()
    for key in keys:
        storage.delete(str(key))
    return len(ids)


def purge_quiet_conversations(session: Session, *, quiet_since: datetime, limit: int) -> int:
    """One batch of conversations with no message since ``quiet_since`` and no case still
    being worked; how many went."""
    cases_done = select(Case.id).where(Case.status.in_(list(DONE)))
    return delete_conversations(
        session,
        (Conversation.last_activity_at < quiet_since)
        & or_(Conversation.case_id.is_(None), Conversation.case_id.in_(cases_done)),
        limit=limit,
    )
