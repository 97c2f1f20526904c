"""The audience before sending: by post, language and channel, approximate positions apart."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.crisis import audience
from peduli.registry import contacts
from peduli.registry.models import ContactPoint, Stay
from tests.crisis.crisis_helpers import add_person, declare_crisis
from tests.factories import staff


def test_the_audience_is_grouped_by_post_language_and_channel(db: Session) -> None:
    add_person(db, latitude=3.14, longitude=101.69, language="zh", email="a@example.org")
    add_person(db, latitude=3.30, longitude=101.60, language="fr")
    add_person(db, latitude=3.10, longitude=101.70, language="xx")  # unknown: Indonesian
    johor = add_person(db, latitude=3.15, longitude=101.68, post="kjri-johor-bahru", language="en")
    add_person(db, latitude=5.40, longitude=100.30)  # Penang: outside
    add_person(db, latitude=3.13, longitude=101.69, trusted=False)  # nothing trusted to send to
    db.execute(update(Stay).where(Stay.id == johor.stay_id).values(position_approximate=True))
    crisis = declare_crisis(db, staff(Role.HQ_ADMIN))
    db.commit()

    seen = audience.preview(db, crisis_id=crisis.id, actor=staff(Role.HQ_ADMIN))
    assert seen.total == 5
    assert seen.approximate == 1
    assert dict(seen.by_post) == {"kbri-kuala-lumpur": 4, "kjri-johor-bahru": 1}
    assert dict(seen.by_language) == {"id": 2, "zh": 1, "fr": 1, "en": 1}
    assert seen.by_channel == {"sms": 4, "whatsapp": 4, "telegram": 0, "email": 1}
    assert seen.by_preferred_chat == {"whatsapp": 0, "telegram": 0}
    assert seen.unreachable == 1

    supervisor = staff(Role.SUPERVISOR, "kjri-johor-bahru")
    own = audience.preview(db, crisis_id=crisis.id, actor=supervisor)
    assert (own.total, own.approximate, dict(own.by_post)) == (1, 1, {"kjri-johor-bahru": 1})


def test_a_secondary_or_untrusted_contact_does_not_count_as_a_channel(db: Session) -> None:
    person = add_person(db, latitude=3.14, longitude=101.69, email="b@example.org")
    db.execute(
        update(ContactPoint)
        .where(ContactPoint.person_id == person.person_id, ContactPoint.kind == "email")
        .values(is_primary=False)
    )
    crisis = declare_crisis(db, staff(Role.HQ_ADMIN))
    seen = audience.preview(db, crisis_id=crisis.id, actor=staff(Role.HQ_ADMIN))
    assert seen.by_channel == {"sms": 1, "whatsapp": 1, "telegram": 0, "email": 0}


def test_people_who_prefer_a_chat_are_counted_by_that_chat(db: Session) -> None:
    on_telegram = add_person(db, latitude=3.14, longitude=101.69)
    on_whatsapp = add_person(db, latitude=3.14, longitude=101.69)
    add_person(db, latitude=3.14, longitude=101.69)
    contacts.record_chat_contact(
        db, person_id=on_telegram.person_id, channel="telegram", address="700123"
    )
    contacts.record_chat_contact(
        db, person_id=on_whatsapp.person_id, channel="whatsapp", address=on_whatsapp.phone
    )
    crisis = declare_crisis(db, staff(Role.HQ_ADMIN))

    seen = audience.preview(db, crisis_id=crisis.id, actor=staff(Role.HQ_ADMIN))

    assert seen.by_channel == {"sms": 3, "whatsapp": 3, "telegram": 1, "email": 0}
    assert seen.by_preferred_chat == {"whatsapp": 1, "telegram": 1}
