"""A contact typed in a report is trusted only once a code sent to it comes back."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.audit import AuditEntry
from peduli.core.crypto import contact_index
from peduli.core.errors import NotFound, ValidationFailed
from peduli.registry import contacts, service
from peduli.registry.models import ContactPoint, Person
from tests.factories import refreshed, report, signed_in_citizen
from tests.outbox import messages_to

PHONE = "+821055556666"


def test_a_citizen_confirms_their_typed_phone_by_code(db: Session) -> None:
    citizen = signed_in_citizen(db, "owner@example.org")
    service.submit_self_report(
        db, report=report(email="owner@example.org", phone=PHONE), actor=citizen
    )
    db.commit()
    citizen = refreshed(db, citizen)
    assert [c.value for c in contacts.untrusted_of(db, actor=citizen)] == [PHONE]
    with pytest.raises(NotFound):
        contacts.send_code(db, actor=citizen, value="owner@example.org")  # trusted already
    contacts.send_code(db, actor=citizen, value=PHONE)
    db.commit()
    (message,) = messages_to(db, PHONE)
    code = re.search(r"\b(\d{6})\b", message.body).group(1)  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed):
        contacts.confirm(
            db, actor=citizen, value=PHONE, code="000000" if code != "000000" else "111111"
        )
    db.rollback()
    contacts.confirm(db, actor=citizen, value=PHONE, code=code)
    db.commit()
    phone = db.scalars(
        select(ContactPoint).where(ContactPoint.value_index == contact_index(PHONE))
    ).one()
    assert phone.trusted_at is not None and phone.trust_source == "code" and phone.is_primary
    assert contacts.untrusted_of(db, actor=citizen) == []


def test_no_one_confirms_a_contact_of_a_record_that_is_not_theirs(db: Session) -> None:
    owner = signed_in_citizen(db, "owner@example.org")
    service.submit_self_report(
        db, report=report(email="owner@example.org", phone=PHONE), actor=owner
    )
    db.commit()
    stranger = signed_in_citizen(db, "stranger@example.org")
    with pytest.raises(NotFound):
        contacts.send_code(db, actor=stranger, value=PHONE)


def _person_with_phone(db: Session, phone: str, *, trusted: bool) -> uuid.UUID:
    from tests.crisis.crisis_helpers import add_person

    return add_person(db, latitude=3.14, longitude=101.69, phone=phone, trusted=trusted).person_id


def _chat_contacts(db: Session, person_id: uuid.UUID) -> list[ContactPoint]:
    return list(
        db.scalars(
            select(ContactPoint)
            .where(ContactPoint.person_id == person_id)
            .order_by(ContactPoint.kind, ContactPoint.value_index)
        )
    )


def test_a_telegram_chat_becomes_a_trusted_contact_and_the_preferred_channel(
    db: Session,
) -> None:
    person_id = _person_with_phone(db, PHONE, trusted=True)

    contacts.record_chat_contact(db, person_id=person_id, channel="telegram", address=" 700123 ")
    contacts.record_chat_contact(db, person_id=person_id, channel="telegram", address="700123")
    db.commit()

    telegram = [c for c in _chat_contacts(db, person_id) if c.kind == "telegram"]
    assert [(c.value, c.is_primary, c.trust_source) for c in telegram] == [("700123", True, "chat")]
    assert telegram[0].value_index == contact_index("700123")  # found again by blind index
    assert db.get_one(Person, person_id).preferred_channel == "telegram"
    audited = db.scalars(select(AuditEntry).where(AuditEntry.action == "contact.chat")).all()
    # The second message changed nothing, so it wrote and audited nothing.
    assert [a.subject_person_id for a in audited] == [person_id]


def test_a_whatsapp_number_is_trusted_and_made_the_primary_phone(db: Session) -> None:
    person_id = _person_with_phone(db, "+821011112222", trusted=True)
    db.add(ContactPoint(person_id=person_id, kind="phone", value=PHONE, is_primary=False))
    db.flush()

    contacts.record_chat_contact(
        db, person_id=person_id, channel="whatsapp", address=PHONE.lstrip("+")
    )
    db.commit()

    phones = {c.value: c for c in _chat_contacts(db, person_id)}
    assert phones[PHONE].is_primary and phones[PHONE].trusted_at is not None
    assert not phones["+821011112222"].is_primary
    assert db.get_one(Person, person_id).preferred_channel == "whatsapp"


@pytest.mark.parametrize(
    ("channel", "address", "field"),
    [("sms", PHONE, "channel"), ("telegram", "@someone", "address"), ("whatsapp", "12", "address")],
)
def test_a_chat_contact_that_is_not_one_is_refused(
    db: Session, channel: str, address: str, field: str
) -> None:
    person_id = _person_with_phone(db, "+821011112222", trusted=True)

    with pytest.raises(ValidationFailed) as refused:
        contacts.record_chat_contact(db, person_id=person_id, channel=channel, address=address)

    assert [p.field for p in refused.value.problems] == [field]
    assert db.get_one(Person, person_id).preferred_channel is None
