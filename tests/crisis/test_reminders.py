"""Reminders: one to each silent recipient when due, even with two runs at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.db import get_sessionmaker, utcnow
from peduli.crisis import broadcasts, reminders
from peduli.crisis.models import Broadcast, Crisis, Recipient
from peduli.notify.models import OutboxMessage
from tests.crisis.crisis_helpers import (
    declare_crisis,
    draft_broadcast,
)
from tests.factories import staff


def _due(db: Session, crisis: Crisis, author: object) -> Broadcast:
    broadcast = draft_broadcast(db, crisis, author, ["sms"])
    broadcasts.approve(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=staff(Role.HQ_ADMIN)
    )
    broadcasts.send(
        db,
        crisis_id=broadcast.crisis_id,
        broadcast_id=broadcast.id,
        actor=author,
        now=utcnow() - timedelta(hours=3),
    )
    db.commit()
    return broadcast


def test_reminder_goes_once_and_only_to_the_silent(db: Session, world: dict) -> None:
    from peduli.crisis import checkins

    author = staff(Role.HQ_ADMIN)
    crisis = declare_crisis(db, author)
    _due(db, crisis, author)
    answered = db.scalars(select(Recipient).limit(1)).one()
    checkins.record(db, recipient_id=answered.id, answer="safe", via="web")
    db.commit()
    assert reminders.remind_silent(db, utcnow()) == 3
    db.commit()
    assert reminders.remind_silent(db, utcnow()) == 0
    db.commit()
    sent_reminders = db.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key.like("%:reminder"))
    ).all()
    assert len(sent_reminders) == 3
    assert all("/c/" in r.body for r in sent_reminders)


def test_two_concurrent_reminder_runs_send_each_reminder_once(db: Session, world: dict) -> None:
    author = staff(Role.HQ_ADMIN)
    crisis = declare_crisis(db, author)
    _due(db, crisis, author)
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            with get_sessionmaker()() as session, session.begin():
                barrier.wait(timeout=10)
                results.append(reminders.remind_silent(session, utcnow()))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sum(results) == 4
    count = select(func.count()).select_from(OutboxMessage)
    assert db.scalar(count.where(OutboxMessage.idempotency_key.like("%:reminder"))) == 4


def test_the_reminder_goes_to_the_preferred_chat_as_the_broadcast_did(
    db: Session, world: dict
) -> None:
    from peduli.registry import contacts

    person = world["people"][0]
    contacts.record_chat_contact(db, person_id=person.person_id, channel="telegram", address="42")
    author = staff(Role.HQ_ADMIN)
    _due(db, declare_crisis(db, author), author)

    assert reminders.remind_silent(db, utcnow()) == 4
    db.commit()

    reminded = db.scalars(
        select(OutboxMessage.channel).where(OutboxMessage.idempotency_key.like("%:reminder"))
    ).all()
    assert sorted(reminded) == ["sms", "sms", "sms", "telegram"]
