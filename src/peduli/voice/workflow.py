"""A call's states and clocks: what each event moves it to, when silence ends it, and when
somebody must call the caller back.

ringing → menu (our IVR answered) → connecting (the duty officer's phone is dialled) →
connected (the officer picked up) → ended. Any state may end: by the platform's hang-up
event, or — when that event never comes (real exchanges lose it) — by the silence job
after ``SILENCE``. A call that ended before an officer spoke with the caller leaves a
callback task; nobody who called is left unanswered.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class CallState(StrEnum):
    RINGING = "ringing"
    MENU = "menu"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    ENDED = "ended"


class EndReason(StrEnum):
    COMPLETED = "completed"  # the duty officer spoke with the caller
    ABANDONED = "abandoned"  # the caller hung up before an officer answered
    MISSED = "missed"  # nobody on duty answered the transfer
    DROPPED = "dropped"  # the line went silent: no hang-up event ever came


class CallbackState(StrEnum):
    DUE = "due"
    NOT_REACHED = "not_reached"  # tried, nobody answered: still due
    REACHED = "reached"


# Callback states still on the officers' list.
OPEN_CALLBACKS = (CallbackState.DUE.value, CallbackState.NOT_REACHED.value)

# No event for this long and the call is over: a gather waits at most a few seconds per
# prompt, and a transfer reports back when it ends, so only a lost line is this quiet.
SILENCE = timedelta(minutes=5)


def end_reason(*, connected: bool, dropped: bool) -> EndReason:
    """Why a call ended, from what its events showed."""
    if connected:
        return EndReason.COMPLETED
    return EndReason.DROPPED if dropped else EndReason.ABANDONED


def callback_after(reason: EndReason) -> CallbackState | None:
    """The callback a call leaves: every call no officer spoke in."""
    return None if reason == EndReason.COMPLETED else CallbackState.DUE
