"""Who may see and return the voice line's calls: those who answer emergencies, each for
their own post (HQ admins for every post), on the post scope of ``auth.policy``."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import EMERGENCY_RESPONDERS
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.voice.models import VoiceCall


def call_scope(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition selecting the calls ``actor`` may see."""
    return policy.within_posts(actor, VoiceCall.representation_code)


def require_responder(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) roles that do not answer emergencies."""
    policy.require_role(session, actor, roles=EMERGENCY_RESPONDERS, action=action)


def call_in_scope(session: Session, actor: Actor, call_id: uuid.UUID, *, action: str) -> VoiceCall:
    """The call if ``actor`` reaches it; otherwise 404, and a denial audited if it exists."""
    found = session.scalar(select(VoiceCall).where(VoiceCall.id == call_id, call_scope(actor)))
    if found is not None:
        return found
    if session.scalar(select(VoiceCall.id).where(VoiceCall.id == call_id)) is not None:
        audit.record_denial(session, actor=actor, action=action, entity_type="voice_call",
                            entity_id=str(call_id))  # fmt: skip
    raise NotFound(_("There is no call with this id in your representation."))
