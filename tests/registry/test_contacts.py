"""A contact typed in a report is trusted only once a code sent to it comes back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.core.crypto import contact_index
from peduli.core.errors import NotFound, ValidationFailed
from peduli.registry import contacts, service
from peduli.registry.models import ContactPoint
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
