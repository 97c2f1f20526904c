"""A broadcast's delivery: once per person and channel, in their language, trusted contacts only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.crisis import broadcasts, links
from peduli.crisis.models import Recipient
from peduli.notify.models import OutboxMessage
from tests.crisis.crisis_helpers import (
    MESSAGES,
    add_person,
    crisis_outbox,
    declare_crisis,
    draft_broadcast,
)
from tests.factories import staff
from tests.outbox import opened


def test_send_writes_each_person_once_per_channel_in_their_language(
    db: Session, world: dict
) -> None:
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    crisis = declare_crisis(db, author)
    broadcast = draft_broadcast(db, crisis, author)
    broadcasts.approve(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second)
    sent, queued = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
    )
    db.commit()
    assert queued == {"sms": 4, "email": 1} and sent.recipients == 4
    rows = crisis_outbox(db)
    by_phone = {p.phone: p for p in world["people"]}
    texts = {opened(r): r.body for r in rows if r.channel == "sms"}
    zh, fr, fallback, en = (by_phone[p.phone] for p in world["people"][:4])
    assert texts[zh.phone].startswith(MESSAGES["zh"])
    assert texts[fr.phone].startswith(MESSAGES["fr"])
    assert texts[fallback.phone].startswith(MESSAGES["id"])  # unknown language → Indonesian
    assert texts[en.phone].startswith(MESSAGES["en"])
    # Nearest first: the person 20 km out comes after those in the centre.
    sms = [r for r in rows if r.channel == "sms"]
    assert opened(sms[-1]) == fr.phone and sms[0].priority < sms[-1].priority
    for row in rows:
        token = row.body.rsplit("/c/", 1)[1]
        recipient = db.get(Recipient, links.read_token(token))
        assert recipient is not None and recipient.broadcast_id == broadcast.id
        assert row.idempotency_key == f"crisis:{recipient.id}:{row.channel}"
    # Sending again (a retry, a double click) writes nothing more.
    _again, queued_again = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second
    )
    db.commit()
    assert queued_again == {"sms": 0, "email": 0}
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 5


def test_an_untrusted_contact_gets_no_crisis_alert(db: Session, world: dict) -> None:
    """A phone no code has reached and no officer confirmed (e.g. typed in someone else's
    report) is never sent the person's alerts."""
    untrusted = add_person(db, latitude=3.14, longitude=101.69, trusted=False)
    db.commit()
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    broadcast = draft_broadcast(db, declare_crisis(db, author), author)
    broadcasts.approve(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second)
    _sent, queued = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
    )
    db.commit()
    assert queued == {"sms": 4, "email": 1}
    assert untrusted.phone not in {opened(row) for row in crisis_outbox(db)}
