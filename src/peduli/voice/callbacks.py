"""Returning the calls nobody answered: the officers' list and what came of each callback.

A missed, abandoned or dropped call stays on the list of its post until an officer records
that the caller was reached; "not reached" keeps it there, with the time of the try.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.core.errors import Conflict
from peduli.core.i18n import _
from peduli.voice import access, repository
from peduli.voice.models import VoiceCall
from peduli.voice.workflow import OPEN_CALLBACKS, CallbackState


def list_due(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[int, list[tuple[VoiceCall, str | None]]]:
    """How many calls there are to return, and one page of them (number, person, language,
    what happened); the read is audited."""
    access.require_responder(session, actor, action="voice.callbacks")
    due = repository.callbacks_due(session, actor=actor, limit=limit, offset=offset)
    audit.record(session, actor=actor, action="voice.callbacks", entity_type="voice_call",
                 fields=["phone", "name", "language"])  # fmt: skip
    return due


def record_callback(
    session: Session, *, call_id: uuid.UUID, reached: bool, actor: Actor
) -> VoiceCall:
    """An officer called the caller back: reached (off the list) or not (stays on it)."""
    access.require_responder(session, actor, action="voice.called_back")
    call = access.call_in_scope(session, actor, call_id, action="voice.called_back")
    if call.callback_state not in OPEN_CALLBACKS:
        raise Conflict(_("This call is not waiting for a callback."), code="no_callback_due")
    call.callback_state = (CallbackState.REACHED if reached else CallbackState.NOT_REACHED).value
    call.called_back_at, call.called_back_by_account_id = utcnow(), actor.account_id
    audit.record(session, actor=actor, action="voice.called_back", entity_type="voice_call",
                 entity_id=str(call.id), subject_person_id=call.person_id,
                 outcome="allowed")  # fmt: skip
    return call


def call_of_emergency(
    session: Session, *, emergency_id: uuid.UUID, actor: Actor
) -> VoiceCall | None:
    """The call behind an emergency, for its acknowledge screen (the read is audited)."""
    access.require_responder(session, actor, action="voice.call_read")
    call = repository.call_of_emergency(session, actor=actor, emergency_id=emergency_id)
    if call is not None:
        audit.record(session, actor=actor, action="voice.call_read", entity_type="voice_call",
                     entity_id=str(call.id), subject_person_id=call.person_id)  # fmt: skip
    return call
