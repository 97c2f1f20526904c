"""The answer's write: what the prepared statements store reads back through the ORM as
SQLAlchemy itself would have written it, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.core import events
from peduli.core.db import utcnow
from peduli.crisis import checkin_answers, links
from peduli.crisis.checkin_answers import RecordedCheckIn
from peduli.crisis.models import CheckIn, Recipient
from tests.crisis.conftest import Sent


def _checkin(recipient_id: int) -> RecordedCheckIn:
    return RecordedCheckIn(
        id=uuid.uuid4(), recipient_id=recipient_id, answer="safe", latitude=3.1,
        longitude=101.6, place="Masjid Negara", note="ok", via="api", created_at=utcnow(),
    )  # fmt: skip


def test_the_write_reads_back_as_written(sent: Sent, db: Session) -> None:
    recipient_id = links.read_token(sent.tokens[sent.phones[0]])
    assert recipient_id is not None
    checkin = _checkin(recipient_id)
    answered = checkin_answers.write(db, checkin)
    db.commit()
    recipient = db.get_one(Recipient, recipient_id)
    assert answered == (recipient.crisis_id, recipient.person_id, recipient.representation_code)
    stored = db.get_one(CheckIn, checkin.id)
    assert (stored.crisis_id, stored.person_id) == (recipient.crisis_id, recipient.person_id)
    assert stored.created_at == checkin.created_at  # the same instant, read back aware
    assert (stored.place, stored.latitude, stored.via) == ("Masjid Negara", 3.1, "api")
    assert recipient.answer == "safe" and recipient.answered_at == checkin.created_at
    event = db.scalars(
        select(events.DomainEvent).where(events.DomainEvent.event_type == "checkin.recorded")
    ).one()
    assert event.occurred_at == checkin.created_at
    assert json.loads(event.data)["crisis_id"] == str(recipient.crisis_id)


def test_an_unknown_recipient_writes_nothing(sent: Sent, db: Session) -> None:
    assert checkin_answers.write(db, _checkin(10**12)) is None
    assert db.scalar(select(CheckIn.id)) is None
