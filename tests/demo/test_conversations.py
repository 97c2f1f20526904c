"""The demo's chats: a WhatsApp chat from a verified phone in Seoul, answered, that turned
into an SOS alerting the demo duty officer; a Telegram question answered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.conversations.models import Conversation, ConversationMessage
from peduli.demo.conversations import ensure_demo_conversations
from peduli.demo.staff import ensure_demo_staff
from peduli.emergency.models import Emergency
from peduli.notify.models import OutboxMessage
from tests.crisis.crisis_helpers import add_person
from tests.outbox import opened


def test_demo_chats_go_through_the_real_path(db: Session) -> None:
    ensure_demo_staff(db)
    citizen = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                         city="Ansan", post="kbri-seoul", phone="+821044445555")  # fmt: skip
    assert ensure_demo_conversations(db) == 2
    whatsapp = db.scalars(select(Conversation).where(Conversation.channel == "whatsapp")).one()
    assert whatsapp.person_id == citizen.person_id, "linked by the verified phone"
    emergency = db.get_one(Emergency, whatsapp.emergency_id)
    assert (emergency.source, emergency.representation_code) == ("chat", "kbri-seoul")
    alerted = {opened(m) for m in db.scalars(select(OutboxMessage))}
    assert "+821000000001" in alerted, "the demo duty phone got the SOS alert"
    assert "+821044445555" in alerted, "the officer's answers are on their way"
    directions = db.scalars(
        select(ConversationMessage.direction)
        .where(ConversationMessage.conversation_id == whatsapp.id)
        .order_by(ConversationMessage.created_at)
    ).all()
    assert directions == ["in", "out", "in", "in", "out"]
    assert ensure_demo_conversations(db) == 0
