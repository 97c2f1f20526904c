"""The voice calls the officers' pages and the API share: callbacks due, and the call
behind an emergency."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.registry.models import Person
from peduli.voice import access
from peduli.voice.models import VoiceCall
from peduli.voice.workflow import OPEN_CALLBACKS

MAX_LISTED = 200


def callbacks_due(session: Session, *, actor: Actor) -> Sequence[tuple[VoiceCall, str | None]]:
    """The calls of the actor's posts still to be returned, oldest first, with the name of
    the person whose verified phone called (one query)."""
    return [
        (call, name)
        for call, name in session.execute(
            select(VoiceCall, Person.full_name)
            .outerjoin(Person, Person.id == VoiceCall.person_id)
            .where(VoiceCall.callback_state.in_(OPEN_CALLBACKS), access.call_scope(actor))
            .order_by(VoiceCall.started_at)
            .limit(MAX_LISTED)
        ).all()
    ]


def call_of_emergency(
    session: Session, *, actor: Actor, emergency_id: uuid.UUID
) -> VoiceCall | None:
    """The call that raised an emergency, if the actor reaches it."""
    return session.scalar(
        select(VoiceCall).where(VoiceCall.emergency_id == emergency_id, access.call_scope(actor))
    )
