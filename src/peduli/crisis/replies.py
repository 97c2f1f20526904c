"""Answers that arrive as text, an SMS or a chat message, rather than through a link.

The text is read for a keyword (``reply_words``) and recorded as the check-in of the
sender's latest broadcast through ``checkins.record``, like a link's answer. What is no
answer comes back whole (``UnreadText``) for the person's conversation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from peduli.core.crypto import contact_index
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.crisis import reply_answers, reply_words
from peduli.crisis.checkin_answers import RecordedCheckIn
from peduli.crisis.checkins import record
from peduli.crisis.models import Answer, Crisis, CrisisStatus, Recipient
from peduli.registry.models import ContactKind, ContactPoint


class NotAKeyword(ValidationFailed):
    """A reply whose first words hold neither a safe word nor a call for help."""

    def __init__(self) -> None:
        super().__init__(
            [
                FieldProblem(
                    field="text",
                    code="unknown_keyword",
                    message=_("The reply holds no known keyword."),
                    hint=_("Reply with AMAN or SAFE, or with TOLONG or HELP."),
                )
            ]
        )


def parse_reply(text: str) -> tuple[Answer, str | None]:
    """The answer a reply gives (a keyword among its first words, ``reply_words``) and the
    note kept with it; ``NotAKeyword`` when there is none."""
    reading = reply_words.read(text)
    if reading is None:
        raise NotAKeyword()
    return reading.answer, reading.note


def no_broadcast() -> NotFound:
    """The refusal of a text from a number no broadcast reached."""
    return NotFound(_("No broadcast went to this phone number."))


@dataclass(frozen=True)
class UnreadText:
    """An SMS from a registered number that records no answer, kept whole for the person's
    conversation: no keyword in it (``broadcast``: the person was reached by one), or no
    broadcast went to the number."""

    person_id: uuid.UUID
    sender: str
    text: str
    broadcast: bool


_PEOPLE_OF_PHONE = select(ContactPoint.person_id).where(
    ContactPoint.kind == ContactKind.PHONE,
    ContactPoint.value_index == bindparam("phone_index"),
    ContactPoint.trusted_at.is_not(None),
)
_LATEST_RECIPIENT = (
    select(Recipient.id, Recipient.person_id, Recipient.language)
    .where(Recipient.person_id.in_(_PEOPLE_OF_PHONE))
    .order_by(Recipient.created_at.desc(), Recipient.id.desc())
    .limit(1)
)


def sms_reply(session: Session, *, sender: str, text: str) -> RecordedCheckIn | UnreadText:
    """Record an inbound SMS as the answer to the sender's latest broadcast, and answer it.

    A number a broadcast reached gets an answer in the language of that broadcast: a
    confirmation, or how to reply when no keyword was found (the text then comes back as
    ``UnreadText``, as does any text from a registered number no broadcast reached). Any
    other number gets no answer, whatever it sent: an answer would tell anyone who texts
    the gateway, or forges a sender, whether a number belongs to a citizen on record, and
    would let them spend the ministry's SMS on numbers of their choosing.
    """
    phone = sender.strip()
    params = {"phone_index": contact_index(phone)}
    latest = session.connection().execute(_LATEST_RECIPIENT, params).first()
    if latest is None:
        person_id = session.scalar(_PEOPLE_OF_PHONE.limit(1), params)
        if person_id is None:
            raise no_broadcast()
        return UnreadText(person_id, phone, text, broadcast=False)
    now = utcnow()
    try:
        answer, note = parse_reply(text)
    except NotAKeyword:
        reply_answers.answer_by_sms(
            session, phone=phone, recipient_id=latest.id, kind=reply_answers.HOW_TO_REPLY,
            language=latest.language, now=now,
        )  # fmt: skip
        return UnreadText(latest.person_id, phone, text, broadcast=True)
    checkin = record(session, recipient_id=latest.id, answer=answer, note=note, via="sms")
    reply_answers.answer_by_sms(
        session, phone=phone, recipient_id=latest.id, kind=answer, language=latest.language,
        now=now,
    )  # fmt: skip
    return checkin


def chat_reply(
    session: Session, *, person_id: uuid.UUID, text: str, via: str
) -> RecordedCheckIn | None:
    """A chat message from a linked person as a check-in, when a broadcast of an active
    crisis reached them and the text is an answer; None otherwise (an ordinary message)."""
    recipient_id = session.scalar(
        select(Recipient.id)
        .join(Crisis, Crisis.id == Recipient.crisis_id)
        .where(Recipient.person_id == person_id, Crisis.status == CrisisStatus.ACTIVE)
        .order_by(Recipient.created_at.desc(), Recipient.id.desc())
        .limit(1)
    )
    if recipient_id is None:
        return None
    try:
        answer, note = parse_reply(text)
    except ValidationFailed:
        return None
    return record(session, recipient_id=recipient_id, answer=answer, note=note, via=via)
