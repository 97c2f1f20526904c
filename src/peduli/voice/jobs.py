"""The voice line's periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from peduli.core.periodic import PeriodicTask
from peduli.emergency import voice_calls
from peduli.voice.models import VoiceCall
from peduli.voice.workflow import SILENCE, CallbackState, CallState, EndReason


def close_silent_calls(session: Session, now: datetime) -> int:
    """Close the calls nothing was heard of for ``SILENCE`` (their hang-up event was lost):
    one conditional UPDATE; a call no officer spoke in becomes a callback task, noted on its
    emergency's case. Returns how many calls were closed."""
    connected = VoiceCall.connected_at.is_not(None)
    closed = session.execute(
        update(VoiceCall)
        .where(VoiceCall.ended_at.is_(None), VoiceCall.last_event_at <= now - SILENCE)
        .values(
            ended_at=now,
            state=CallState.ENDED.value,
            end_reason=case(
                (connected, EndReason.COMPLETED.value),
                (VoiceCall.end_reason == EndReason.MISSED.value, EndReason.MISSED.value),
                else_=EndReason.DROPPED.value,
            ),
            callback_state=case((connected, None), else_=CallbackState.DUE.value),
        )
        .returning(VoiceCall.emergency_id, VoiceCall.callback_state)
        .execution_options(synchronize_session=False)
    ).all()
    voice_calls.callbacks_due(
        session,
        emergency_ids=[e for e, state in closed if e is not None and state is not None],
        at=now,
    )
    return len(closed)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("close-silent-voice-calls", 30, close_silent_calls),
)
