"""How long the voice line keeps a caller's number, and a citizen's erasure of it.

The number is kept until the call is over and returned, then
``PEDULI_RETENTION_VOICE_CALL_DAYS`` (the emergency's case keeps its own copy under the
case's rules); a call still waiting for a callback keeps it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from peduli.core.purging import update_batch
from peduli.registry.rights import ErasureStep
from peduli.voice.models import VoiceCall
from peduli.voice.workflow import OPEN_CALLBACKS


def purge_call_numbers(session: Session, *, ended_before: datetime, limit: int) -> int:
    """Blank the caller's number of one batch of calls ended before ``ended_before`` and not
    waiting for a callback; how many were blanked."""
    return update_batch(
        session,
        VoiceCall,
        key=VoiceCall.id,
        condition=(
            (VoiceCall.ended_at < ended_before)
            & VoiceCall.caller_number.is_not(None)
            & or_(
                VoiceCall.callback_state.is_(None), VoiceCall.callback_state.not_in(OPEN_CALLBACKS)
            )
        ),
        values={"caller_number": None},
        limit=limit,
    )


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None
) -> int:
    """A citizen's erasure: their calls lose the number and the link to them (the call's
    times, language and what was pressed stay, as the emergency's record)."""
    erased = session.execute(
        update(VoiceCall)
        .where(VoiceCall.person_id.in_(person_ids))
        .values(caller_number=None, person_id=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(erased, "rowcount", 0) or 0)


ERASURE_STEP = ErasureStep("voice_calls", erase_people)
