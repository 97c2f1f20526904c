"""A message a citizen sent: stored once, its conversation found or opened, acted on.

Every webhook message ends here, whatever the platform. In order: the conversation of the
address (opened in the post that serves the person); the message, written once per platform
id (a webhook delivered twice is one message); the person, linked only by a verified phone;
then what it asks for: an answer to a crisis check-in, an SOS (an emergency alerted like the
SOS page's, or the open one joined), or a place for the emergency already open.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM, Actor
from peduli.conversations import repository, workflow
from peduli.conversations.models import (
    ChatChannel,
    Conversation,
    ConversationMessage,
    ConversationStatus,
    Direction,
    MessageKind,
    PersonLink,
)
from peduli.conversations.platforms import Inbound
from peduli.core.crypto import contact_index
from peduli.core.db import insert_on_conflict, utcnow
from peduli.core.errors import NotFound
from peduli.crisis import replies
from peduli.crisis.checkin_answers import RecordedCheckIn
from peduli.emergency import chat_sos
from peduli.emergency.models import Emergency
from peduli.emergency.roster import HQ_DESK
from peduli.emergency.service import REPEAT_WINDOW
from peduli.reference.places import directory
from peduli.registry import contacts as registry_contacts
from peduli.registry import repository as registry_repository
from peduli.registry.models import Person


def receive(session: Session, *, inbound: Inbound) -> uuid.UUID | None:
    """Record and act on one inbound message; its id, or None when the platform sent it
    before (a webhook delivered again)."""
    now = utcnow()
    conversation, opened = _conversation_for(session, inbound, now)
    message_id = _store(session, conversation, inbound, now)
    if message_id is None:
        return None
    if opened:  # a new conversation was linked as it was opened
        remember_chat(session, conversation, actor=SYSTEM)
    else:
        _link_by_verified_phone(session, conversation, inbound)
    _act_on(session, conversation, inbound)
    return message_id


def receive_sms(session: Session, *, sender: str, text: str, message_id: str | None) -> str | None:
    """A text from the SMS gateway: the answer to the sender's latest crisis broadcast
    (returned), or else a message of their conversation, like a chat's (None)."""
    try:
        answered = replies.sms_reply(session, sender=sender, text=text)
    except NotFound:  # no broadcast reached this number: still a citizen writing to us
        answered = None
    if isinstance(answered, RecordedCheckIn):
        return answered.answer
    receive(
        session,
        inbound=Inbound(
            ChatChannel.SMS,
            sender.strip(),  # the gateway's E.164, as ``sms_reply`` reads it
            message_id or f"sms-{uuid.uuid4()}",
            MessageKind.TEXT,
            text=text,
        ),
    )
    return None


def _phone_of(inbound: Inbound) -> str | None:
    """The phone this message proves: the WhatsApp or SMS sender, or a Telegram user's own."""
    if inbound.channel in (ChatChannel.WHATSAPP, ChatChannel.SMS):
        return inbound.address
    return inbound.shared_phone


def _post_for(session: Session, person_id: uuid.UUID | None, phone: str | None) -> str:
    """The post a new conversation belongs to: the person's current stay, else the country of
    the phone, else the HQ desk."""
    if person_id is not None:
        code = registry_repository.current_representation(session, person_id)
        if code:
            return code
    if phone:
        try:
            country = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
        except phonenumbers.NumberParseException:
            country = None
        found = directory().resolve(country=country) if country else None
        if found is not None:
            return found.code
    return HQ_DESK


def _conversation_for(
    session: Session, inbound: Inbound, now: datetime
) -> tuple[Conversation, bool]:
    """The address's conversation, and whether it was opened now (its person looked up)."""
    index = contact_index(inbound.address)
    where = (Conversation.channel == inbound.channel, Conversation.address_index == index)
    found = session.scalar(select(Conversation).where(*where))
    if found is not None:
        return found, False
    phone = _phone_of(inbound)
    person_id = registry_repository.person_by_trusted_phone(session, phone) if phone else None
    session.execute(
        insert_on_conflict(session, Conversation)
        .values(
            id=uuid.uuid4(),
            channel=inbound.channel.value,
            address=inbound.address,
            address_index=index,
            representation_code=_post_for(session, person_id, phone),
            person_id=person_id,
            person_link=PersonLink.VERIFIED_PHONE.value if person_id else None,
            status=ConversationStatus.OPEN.value,
            language=inbound.language if inbound.language in ("id", "en", "zh", "fr") else None,
            created_at=now,
            last_activity_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "address_index"])
    )
    return session.scalars(select(Conversation).where(*where)).one(), True


def _store(
    session: Session, conversation: Conversation, inbound: Inbound, now: datetime
) -> uuid.UUID | None:
    """Write the message unless the platform delivered it before; bump the conversation."""
    message_id = session.scalar(
        insert_on_conflict(session, ConversationMessage)
        .values(
            id=uuid.uuid4(),
            conversation_id=conversation.id,
            channel=inbound.channel.value,
            platform_message_id=inbound.platform_message_id,
            direction=Direction.INBOUND.value,
            kind=inbound.kind.value,
            body=inbound.text or None,
            media_id=inbound.media_id or None,
            media_type=inbound.media_type,
            latitude=inbound.latitude,
            longitude=inbound.longitude,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "platform_message_id"])
        .returning(ConversationMessage.id)
    )
    if message_id is None:
        return None
    conversation.last_inbound_at = conversation.last_activity_at = now
    conversation.status = ConversationStatus.OPEN.value
    return message_id


def _link_by_verified_phone(session: Session, conversation: Conversation, inbound: Inbound) -> None:
    """Show the person only when the phone is a trusted one of theirs (never a claim)."""
    phone = _phone_of(inbound)
    if conversation.person_id is not None or phone is None:
        return
    person_id = registry_repository.person_by_trusted_phone(session, phone)
    if person_id is not None:
        conversation.person_id = person_id
        conversation.person_link = PersonLink.VERIFIED_PHONE.value
        session.flush()
        remember_chat(session, conversation, actor=SYSTEM)


def remember_chat(session: Session, conversation: Conversation, *, actor: Actor) -> None:
    """A person proven to write on WhatsApp or Telegram hears from us there: the chat becomes
    their trusted, preferred channel, so crisis broadcasts and reminders reach them in it.

    Only a link the platform proves (the sender's own trusted phone) counts. An officer's link
    says who is writing, not that the chat is theirs: trusting it would route the person's
    sign-in codes to whoever holds the chat."""
    proven = conversation.person_link == PersonLink.VERIFIED_PHONE
    if conversation.person_id is None or conversation.channel == ChatChannel.SMS or not proven:
        return
    registry_contacts.record_chat_contact(
        session,
        person_id=conversation.person_id,
        channel=conversation.channel,
        address=conversation.address,
        actor=actor,
    )


def _act_on(session: Session, conversation: Conversation, inbound: Inbound) -> None:
    if inbound.kind == MessageKind.LOCATION and inbound.latitude is not None:
        if conversation.emergency_id is not None and inbound.longitude is not None:
            chat_sos.place_shared(
                session,
                emergency_id=conversation.emergency_id,
                latitude=inbound.latitude,
                longitude=inbound.longitude,
            )
        return
    if conversation.person_id is not None and inbound.text:
        answered = replies.chat_reply(
            session, person_id=conversation.person_id, text=inbound.text, via=inbound.channel
        )
        if answered is not None:
            return
    if workflow.asks_for_help(inbound.text):
        _sos(session, conversation)


def _sos(session: Session, conversation: Conversation) -> None:
    """Open the conversation's emergency, or join the one it opened recently."""
    if conversation.emergency_id is not None:
        opened = session.scalar(
            select(Emergency.created_at).where(Emergency.id == conversation.emergency_id)
        )
        if opened is not None and utcnow() - opened < REPEAT_WINDOW:
            chat_sos.chat_sos_again(session, emergency_id=conversation.emergency_id)
            return
    place = repository.last_location(session, conversation.id)
    phone = conversation.address if conversation.channel != ChatChannel.TELEGRAM else None
    name = (
        session.scalar(select(Person.full_name).where(Person.id == conversation.person_id))
        if conversation.person_id
        else None
    )
    emergency = chat_sos.raise_for_chat(
        session,
        sos=chat_sos.ChatSos(
            channel=conversation.channel,
            representation_code=conversation.representation_code,
            phone=phone,
            person_id=conversation.person_id,
            name=name,
            latitude=place[0] if place else None,
            longitude=place[1] if place else None,
            language=conversation.language,
        ),
    )
    conversation.emergency_id = emergency.id
    if conversation.case_id is None:
        conversation.case_id = emergency.case_id
    session.flush()
