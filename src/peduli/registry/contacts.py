"""A citizen confirms a phone or email of their own record by a one-time code.

A contact typed in a report is kept but not trusted: it neither signs in, nor becomes
primary, nor receives messages until a code sent to it comes back. This is that code.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, codes
from peduli.auth.actor import Actor, Role
from peduli.core import ratelimit
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotAuthenticated, NotFound, ValidationFailed
from peduli.core.i18n import _, in_language
from peduli.registry import repository
from peduli.registry.models import ContactPoint, ContactTrust, Person

CODE_PURPOSE = "contact"
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
    for other in repository.contacts_of(session, contact.person_id):
        if other.kind == contact.kind:
            other.is_primary = other.id == contact.id
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
