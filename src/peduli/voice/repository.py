"""The voice calls the officers' pages and the API share: callbacks due, and the call
behind an emergency."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.registry.models import Person
from peduli.voice import access
from peduli.voice.models import VoiceCall
from peduli.voice.workflow import OPEN_CALLBACKS


def callbacks_due(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[int, list[tuple[VoiceCall, str | None]]]:
    """How many calls of the actor's posts are still to be returned, and one page of them,
    oldest first, with the name of the person whose verified phone called."""
    due = (VoiceCall.callback_state.in_(OPEN_CALLBACKS), access.call_scope(actor))
    total = session.scalar(select(func.count()).select_from(VoiceCall).where(*due)) or 0
    rows = session.execute(
        select(VoiceCall, Person.full_name)
        .outerjoin(Person, Person.id == VoiceCall.person_id)
        .where(*due)
        .order_by(VoiceCall.started_at, VoiceCall.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, [(call, name) for call, name in rows]


def call_of_emergency(
    session: Session, *, actor: Actor, emergency_id: uuid.UUID
) -> VoiceCall | None:
    """The call that raised an emergency, if the actor reaches it."""
    return session.scalar(
        select(VoiceCall).where(VoiceCall.emergency_id == emergency_id, access.call_scope(actor))
    )
