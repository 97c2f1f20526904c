"""Broadcasts: second-person approval, one set-based send that never doubles, reminders."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.db import get_sessionmaker, utcnow
from peduli.core.errors import Conflict, Forbidden
from peduli.crisis import broadcasts, links, reminders, service
from peduli.crisis.models import Broadcast, Crisis, Recipient
from peduli.crisis.schemas import BroadcastCreate, CrisisCreate
from peduli.notify.models import OutboxMessage
from tests.crisis.crisis_helpers import add_person
from tests.factories import staff
from tests.outbox import opened

KL = (3.139, 101.687)
MESSAGES = {
    "id": "Gempa kuat di Kuala Lumpur. Jauhi bangunan.",
    "en": "Strong earthquake in Kuala Lumpur. Stay away from buildings.",
    "zh": "吉隆坡发生强烈地震。远离建筑物。",
    "fr": "Fort séisme à Kuala Lumpur. Éloignez-vous des bâtiments.",
}


def _crisis(db: Session, author: object) -> Crisis:
    body = CrisisCreate(
        title="Gempa Kuala Lumpur", kind="earthquake", severity="severe",
        area={"circle": {"lat": KL[0], "lon": KL[1], "radius_km": 30}},
    )  # fmt: skip
    return service.declare(db, body=body, actor=author)  # type: ignore[arg-type]


def _draft(
    db: Session, crisis: Crisis, author: object, channels: list[str] | None = None
) -> Broadcast:
    body = BroadcastCreate(messages=MESSAGES, channels=channels or ["sms", "email"])
    return broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=author)  # type: ignore[arg-type]


@pytest.fixture
def world(db: Session) -> dict[str, object]:
    people = [
        add_person(db, latitude=3.14, longitude=101.69, language="zh", email="a@example.org"),
        add_person(db, latitude=3.30, longitude=101.60, language="fr"),
        add_person(db, latitude=3.10, longitude=101.70, language="xx"),
        add_person(db, latitude=3.15, longitude=101.68, post="kjri-johor-bahru", language="en"),
        add_person(db, latitude=5.40, longitude=100.30),  # Penang: outside the circle
    ]
    db.commit()
    return {"people": people}


def test_author_cannot_approve_and_second_person_can(db: Session, world: dict) -> None:
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    crisis = _crisis(db, author)
    broadcast = _draft(db, crisis, author)
    with pytest.raises(Conflict):
        broadcasts.approve(
            db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
        )
    with pytest.raises(Conflict):
        broadcasts.send(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author)
    with pytest.raises(Forbidden):
        broadcasts.approve(
            db,
            crisis_id=broadcast.crisis_id,
            broadcast_id=broadcast.id,
            actor=staff(Role.OFFICER, "kbri-kuala-lumpur"),
        )
    approved = broadcasts.approve(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second
    )
    assert approved.status == "approved" and approved.approved_by == second.account_id
    with pytest.raises(Conflict):
        broadcasts.approve(
            db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=staff(Role.HQ_ADMIN)
        )


def test_supervisor_cannot_approve_another_posts_broadcast(db: Session, world: dict) -> None:
    author = staff(Role.SUPERVISOR, "kbri-kuala-lumpur")
    crisis = _crisis(db, staff(Role.HQ_ADMIN))
    broadcast = _draft(db, crisis, author)
    with pytest.raises(Forbidden):
        broadcasts.approve(
            db,
            crisis_id=broadcast.crisis_id,
            broadcast_id=broadcast.id,
            actor=staff(Role.SUPERVISOR, "kjri-johor-bahru"),
        )
    broadcasts.approve(
        db,
        crisis_id=broadcast.crisis_id,
        broadcast_id=broadcast.id,
        actor=staff(Role.SUPERVISOR, "kbri-kuala-lumpur"),
    )
    _sent, queued = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
    )
    assert queued == {"sms": 3, "email": 1}  # the Johor Bahru post's person is not theirs


def _outbox(db: Session) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.priority)))


def test_send_writes_each_person_once_per_channel_in_their_language(
    db: Session, world: dict
) -> None:
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    crisis = _crisis(db, author)
    broadcast = _draft(db, crisis, author)
    broadcasts.approve(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second)
    sent, queued = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
    )
    db.commit()
    assert queued == {"sms": 4, "email": 1} and sent.recipients == 4
    rows = _outbox(db)
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


def test_tokens_are_unforgeable() -> None:
    token = links.token_for(42)
    assert links.read_token(token) == 42
    number, signature = token.split(".")
    assert links.read_token(f"43.{signature}") is None
    assert links.read_token(f"{number}.{'0' * len(signature)}") is None
    assert links.read_token("42") is None and links.read_token("x.y") is None
    assert links.read_token(token + "0") is None


def test_sql_signed_links_match_python(db: Session, world: dict) -> None:
    author = staff(Role.HQ_ADMIN)
    crisis = _crisis(db, author)
    broadcast = _draft(db, crisis, author, ["sms"])
    broadcasts.approve(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=staff(Role.HQ_ADMIN)
    )
    broadcasts.send(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author)
    for row in _outbox(db):
        token = row.body.rsplit("/c/", 1)[1]
        number = int(token.split(".")[0])
        assert token == links.token_for(number)


def _due(db: Session, crisis: Crisis, author: object) -> Broadcast:
    broadcast = _draft(db, crisis, author, ["sms"])
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
    crisis = _crisis(db, author)
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
    crisis = _crisis(db, author)
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


def test_an_untrusted_contact_gets_no_crisis_alert(db: Session, world: dict) -> None:
    """A phone no code has reached and no officer confirmed (e.g. typed in someone else's
    report) is never sent the person's alerts."""
    untrusted = add_person(db, latitude=3.14, longitude=101.69, trusted=False)
    db.commit()
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    broadcast = _draft(db, _crisis(db, author), author)
    broadcasts.approve(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second)
    _sent, queued = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
    )
    db.commit()
    assert queued == {"sms": 4, "email": 1}
    assert untrusted.phone not in {opened(row) for row in _outbox(db)}
