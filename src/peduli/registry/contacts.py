"""A citizen confirms a phone or email of their own record by a one-time code; a chat
contact (a WhatsApp number, a Telegram chat) is recorded when a linked person writes.

A contact typed in a report is kept but not trusted: it neither signs in, nor becomes
primary, nor receives messages until a code sent to it comes back. A person writing from a
chat linked to their record has shown the chat is theirs, as a returned code would.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, codes
from peduli.auth.actor import SYSTEM, Actor, Role
from peduli.core import ratelimit
from peduli.core.crypto import contact_index
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotAuthenticated, NotFound, ValidationFailed
from peduli.core.i18n import _, in_language
from peduli.registry import repository
from peduli.registry.models import (
    ContactKind,
    ContactPoint,
    ContactTrust,
    Person,
    PreferredChannel,
)

CODE_PURPOSE = "contact"
# The contact each chat channel writes to: WhatsApp a phone number, Telegram a chat id.
CHAT_CONTACT = {
    PreferredChannel.WHATSAPP: ContactKind.PHONE,
    PreferredChannel.TELEGRAM: ContactKind.TELEGRAM,
}
_TELEGRAM_CHAT = re.compile(r"^-?\d{1,20}$")
CODES_PER_CONTACT_PER_HOUR = 3
HOUR = 3600


def untrusted_of(session: Session, *, actor: Actor) -> list[ContactPoint]:
    """The signed-in citizen's contacts still waiting for a code to come back."""
    if actor.role != Role.CITIZEN or actor.person_id is None:
        return []
    rows = session.scalars(
        select(ContactPoint)
        .where(ContactPoint.person_id == actor.person_id, ContactPoint.trusted_at.is_(None))
        .order_by(ContactPoint.kind, ContactPoint.id)
    )
    return list(rows)


def _own_untrusted(session: Session, actor: Actor, value: str) -> ContactPoint:
    found = next((c for c in untrusted_of(session, actor=actor) if c.value == value), None)
    if found is None:
        raise NotFound(_("Your record has no unconfirmed phone or email like this."))
    return found


def _key(contact: ContactPoint) -> str:
    return codes.purpose_key(CODE_PURPOSE, str(contact.id))


def send_code(session: Session, *, actor: Actor, value: str) -> None:
    """Send a code to one of the citizen's own unconfirmed contacts."""
    contact = _own_untrusted(session, actor, value)
    ratelimit.hit(
        session,
        key=f"contact-code:{contact.id}",
        limit=CODES_PER_CONTACT_PER_HOUR,
        window_seconds=HOUR,
    )
    language = session.get_one(Person, contact.person_id).preferred_language
    codes.issue_code(
        session,
        key=_key(contact),
        recipients=[codes.Address(contact.kind, contact.value)],
        subject=in_language(_("Peduli: confirm this contact"), language),
        body=lambda code, minutes: in_language(
            _(
                "Your Peduli code to confirm this contact: {code} (valid {minutes} minutes). "
                "Never share it."
            ).format(code=code, minutes=minutes),
            language,
        ),
        idempotency_prefix="contact-code",
    )


def confirm(session: Session, *, actor: Actor, value: str, code: str) -> ContactPoint:
    """The code came back: the contact is trusted and becomes the primary one of its kind."""
    contact = _own_untrusted(session, actor, value)
    try:
        codes.use_code(session, key=_key(contact), code=code)
    except NotAuthenticated as error:
        raise ValidationFailed(
            [
                FieldProblem(
                    "code",
                    "code_invalid",
                    error.detail,
                    _("Use the code of the newest message, or ask for a new code."),
                )
            ]
        ) from error
    _make_primary(session, contact)
    contact.trusted_at, contact.trust_source = utcnow(), ContactTrust.CODE
    audit.record(
        session,
        actor=actor,
        action="contact.confirm",
        entity_type="contact_point",
        entity_id=str(contact.id),
        subject_person_id=contact.person_id,
        fields=[contact.kind],
    )
    return contact


def record_chat_contact(
    session: Session,
    *,
    person_id: uuid.UUID,
    channel: str,
    address: str,
    actor: Actor = SYSTEM,
) -> ContactPoint:
    """A linked person wrote from ``address`` on ``channel`` (``whatsapp``: their number,
    ``telegram``: their chat id): it becomes their trusted primary contact of its kind, and
    the channel their preferred one, so crisis broadcasts reach them there.

    Safe to call for every message they write: when all of this holds already, nothing is
    written and nothing audited.
    """
    kind = _chat_kind(channel)
    value = _chat_address(kind, address)
    contact = session.scalar(
        select(ContactPoint).where(
            ContactPoint.person_id == person_id,
            ContactPoint.kind == kind.value,
            ContactPoint.value_index == contact_index(value),
        )
    )
    person = session.get_one(Person, person_id)
    if (
        contact is not None
        and contact.trusted_at is not None
        and contact.is_primary
        and person.preferred_channel == channel
    ):
        return contact
    if contact is None:
        contact = ContactPoint(person_id=person_id, kind=kind.value, value=value)
        session.add(contact)
        session.flush()
    if contact.trusted_at is None:
        contact.trusted_at, contact.trust_source = utcnow(), ContactTrust.CHAT
    _make_primary(session, contact)
    person.preferred_channel = channel
    audit.record(
        session,
        actor=actor,
        action="contact.chat",
        entity_type="contact_point",
        entity_id=str(contact.id),
        subject_person_id=person_id,
        fields=[kind.value, "preferred_channel"],
    )
    return contact


def _make_primary(session: Session, contact: ContactPoint) -> None:
    """``contact`` becomes the person's primary one of its kind, the others not."""
    for other in repository.contacts_of(session, contact.person_id):
        if other.kind == contact.kind:
            other.is_primary = other.id == contact.id


def _chat_kind(channel: str) -> ContactKind:
    try:
        return CHAT_CONTACT[PreferredChannel(channel)]
    except (ValueError, KeyError):
        raise ValidationFailed(
            [
                FieldProblem(
                    "channel",
                    "not_a_chat_channel",
                    _("Chat contacts are WhatsApp numbers or Telegram chats only."),
                    _("Use whatsapp or telegram."),
                )
            ]
        ) from None


def _chat_address(kind: ContactKind, address: str) -> str:
    """A WhatsApp id (``6281…``, with or without ``+``) in E.164; a Telegram chat id as is."""
    text = address.strip()
    if kind is ContactKind.TELEGRAM:
        if _TELEGRAM_CHAT.match(text):
            return text
        raise ValidationFailed(
            [
                FieldProblem(
                    "address",
                    "chat_id_invalid",
                    _("A Telegram chat id is a whole number."),
                    _("Give the chat id of the update the bot received."),
                )
            ]
        )
    phone = codes.normalize_address("+" + text.lstrip("+"))
    if phone.kind != ContactKind.PHONE.value:
        raise ValidationFailed(
            [
                FieldProblem(
                    "address",
                    "phone_invalid",
                    _("A WhatsApp id is a phone number with its country code."),
                    _("Write it as digits with the country code, for example 6281234567890."),
                )
            ]
        )
    return phone.value
