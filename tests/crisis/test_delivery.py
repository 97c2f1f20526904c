"""A broadcast's delivery: once per person and channel, in their language, trusted contacts only."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.crisis import broadcasts, links
from peduli.crisis.models import Recipient
from peduli.notify.models import OutboxMessage
from peduli.registry import contacts
from peduli.registry.models import Person
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


def _send(db: Session, channels: list[str]) -> dict[str, int]:
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    broadcast = draft_broadcast(db, declare_crisis(db, author), author, channels)
    broadcasts.approve(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second)
    _sent, queued = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
    )
    db.commit()
    return queued


def _channels_of(db: Session) -> dict[str, set[str]]:
    """Each recipient's channels, by the address in clear."""
    seen: dict[str, set[str]] = {}
    for row in crisis_outbox(db):
        seen.setdefault(opened(row), set()).add(row.channel)
    return seen


def test_a_person_who_prefers_telegram_gets_the_broadcast_there_instead_of_sms(
    db: Session, world: dict
) -> None:
    person = add_person(db, latitude=3.14, longitude=101.69, email="t@example.org")
    contacts.record_chat_contact(db, person_id=person.person_id, channel="telegram", address="42")
    db.commit()

    queued = _send(db, ["sms", "email"])

    assert queued == {"sms": 4, "email": 2, "telegram": 1}
    seen = _channels_of(db)
    assert seen["42"] == {"telegram"}
    assert person.phone not in seen  # no SMS beside the chat
    assert seen["t@example.org"] == {"email"}  # e-mail is no phone channel: as chosen
    assert all(seen[p.phone] == {"sms"} for p in world["people"][:4])
    (row,) = [r for r in crisis_outbox(db) if r.channel == "telegram"]
    assert "/c/" in row.body and row.body.startswith(MESSAGES["id"])


def test_a_person_who_prefers_whatsapp_gets_one_message_where_others_get_two(
    db: Session, world: dict
) -> None:
    person = add_person(db, latitude=3.14, longitude=101.69)
    contacts.record_chat_contact(
        db, person_id=person.person_id, channel="whatsapp", address=person.phone.lstrip("+")
    )
    db.commit()

    assert _send(db, ["sms", "whatsapp"]) == {"sms": 4, "whatsapp": 5}

    seen = _channels_of(db)
    assert seen[person.phone] == {"whatsapp"}
    assert all(seen[p.phone] == {"sms", "whatsapp"} for p in world["people"][:4])


def test_a_preference_without_its_contact_leaves_the_person_on_sms(
    db: Session, world: dict
) -> None:
    person = add_person(db, latitude=3.14, longitude=101.69)
    db.execute(
        update(Person).where(Person.id == person.person_id).values(preferred_channel="telegram")
    )
    db.commit()

    assert _send(db, ["sms"]) == {"sms": 5}
    assert _channels_of(db)[person.phone] == {"sms"}


def test_the_worker_delivers_a_preferred_telegram_broadcast_through_the_bot_api(
    db: Session, world: dict
) -> None:
    """From the send to the person's Telegram chat: the outbox row goes through the real
    adapter to the sandbox Bot API, which keeps what the chat received."""
    from peduli.core.db import get_sessionmaker
    from peduli.notify.channels.sms_http import HttpSmsChannel
    from peduli.notify.channels.telegram_bot import TelegramBotChannel
    from peduli.notify.dispatcher import dispatch_once
    from peduli.notify.sandbox import start_sandboxes
    from peduli.notify.sandbox.store import latest_for

    person = world["people"][1]
    contacts.record_chat_contact(db, person_id=person.person_id, channel="telegram", address="77")
    db.commit()
    _send(db, ["sms"])
    sandboxes = start_sandboxes(smtp_port=0, sms_port=0)
    telegram = TelegramBotChannel(api_url=sandboxes.telegram_url, token="sandbox", timeout=2.0)
    sms = HttpSmsChannel(url=sandboxes.sms_url, token="sandbox", timeout=2.0)
    try:
        delivered = dispatch_once(
            get_sessionmaker(), channels={"telegram": telegram, "sms": sms}, worker_id="w"
        )
    finally:
        telegram.close()
        sms.close()
        sandboxes.stop()

    assert delivered == 4
    db.rollback()
    chat = latest_for(db, channel="telegram", recipient="77")
    assert chat is not None and chat.body.startswith(MESSAGES["fr"])  # in their language
    assert latest_for(db, channel="sms", recipient=person.phone) is None
