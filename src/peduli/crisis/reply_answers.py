"""The SMS that answers a person's reply to a crisis broadcast, in their language.

Someone who answered "I need help" must know they were heard, and someone whose reply was
not understood must learn how to answer, so every reply from a person a broadcast reached
gets an SMS back through the outbox: a confirmation, or how to reply. The texts fit one SMS
segment in every language (tests measure them with ``notify.segments``).

An automatic answer can meet another one (an "out of office" reply, a carrier's notice)
and the two would then answer each other for ever. So a person gets at most one answer of
each kind per window (``ANSWER_WINDOW``; "how to reply" only once an hour): the outbox's
idempotency key carries the window, and the next one in it is not queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from peduli.core.i18n import Message, _, in_language
from peduli.crisis.models import Answer
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority

ANSWER_WINDOW = timedelta(minutes=10)
HOW_TO_REPLY_WINDOW = timedelta(hours=1)
HOW_TO_REPLY = "how_to_reply"

CONFIRMATIONS: dict[str, Message] = {
    Answer.SAFE: _("Thank you, we have recorded that you are safe."),
    Answer.NEED_HELP: _(
        "We have told the duty officer, who will contact you at this number. Keep your phone on."
    ),
    HOW_TO_REPLY: _(
        "We did not understand your reply. Reply SAFE if you are safe, or HELP if you need help."
    ),
}
# A person in danger, or one whose answer was lost, is told as soon as the nearest people
# of a broadcast are; a "noted, you are safe" may wait behind the rest of a broadcast.
PRIORITIES = {
    Answer.SAFE: MessagePriority.CRISIS_FARTHEST,
    Answer.NEED_HELP: MessagePriority.CRISIS_NEAREST,
    HOW_TO_REPLY: MessagePriority.CRISIS_NEAREST,
}


def text_of(kind: str, language: str | None) -> str:
    """The answer of ``kind`` (an ``Answer`` or ``HOW_TO_REPLY``) in ``language``."""
    return in_language(CONFIRMATIONS[kind], language)


def answer_by_sms(
    session: Session,
    *,
    phone: str,
    recipient_id: int,
    kind: str,
    language: str | None,
    now: datetime,
) -> None:
    """Queue the answer of ``kind`` to ``phone``, once per window per recipient and kind.

    The body is sealed like an alert's: with the number it is sent to, it says how this
    person fares in a crisis.
    """
    window = HOW_TO_REPLY_WINDOW if kind == HOW_TO_REPLY else ANSWER_WINDOW
    slot = int(now.timestamp() // window.total_seconds())
    notify_service.enqueue(
        session,
        channel=ChannelName.SMS,
        recipient=phone,
        subject="",
        body=notify_service.sealed_body(text_of(kind, language)),
        idempotency_key=f"crisis-reply:{recipient_id}:{kind}:{slot}",
        priority=PRIORITIES[kind],
    )
