"""Who sees which conversations: a post its own inbox, HQ every post, a partner only the
conversations of cases delegated to it (open delegations, decided on every call)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor, Role
from peduli.auth.roles import CONVERSATION_LINKERS, CONVERSATION_READERS
from peduli.conversations.models import Conversation
from peduli.partners.models import Delegation
from peduli.partners.repository import open_delegations_of


def conversation_scope(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition selecting the conversations ``actor`` may read and answer."""
    if actor.role == Role.PARTNER:
        delegated = select(Delegation.case_id).where(open_delegations_of(actor))
        return Conversation.case_id.in_(delegated)
    return policy.within_posts(actor, Conversation.representation_code)


def require_reader(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that never see conversations."""
    policy.require_role(session, actor, roles=CONVERSATION_READERS, action=action)


def require_linker(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that may not link a conversation to a person or a case."""
    policy.require_role(session, actor, roles=CONVERSATION_LINKERS, action=action)


def sees_records(actor: Actor) -> bool:
    """Whether ``actor`` sees the linked person's record and cases (not partners)."""
    return actor.role in CONVERSATION_LINKERS
