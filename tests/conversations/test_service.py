"""Officers answer from the inbox: replies through the outbox, WhatsApp's 24-hour window,
who sees which conversation, links audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.conversations import inbound, service
from peduli.conversations.models import ChatChannel, Conversation, MessageKind, PersonLink
from peduli.conversations.platforms import Inbound
from peduli.core.crypto import contact_index
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, NotFound
from peduli.notify.models import OutboxMessage
from peduli.notify.service import open_body
from peduli.registry.models import ContactPoint, Person
from tests.conversations.test_inbound import PHONE
from tests.crisis.crisis_helpers import add_person
from tests.emergency.conftest import KL, SEOUL, staff_actor
from tests.outbox import opened
from tests.partners.conftest import Scene

_number = iter(range(1, 10_000))


def _conversation(db: Session, phone: str = PHONE, text: str = "Halo pak") -> Conversation:
    inbound.receive(db, inbound=Inbound(ChatChannel.WHATSAPP, phone, f"wamid.s{next(_number)}",
                                        MessageKind.TEXT, text=text))  # fmt: skip
    return db.scalars(
        select(Conversation).where(Conversation.address_index == contact_index(phone))
    ).one()


def _age(db: Session, conversation: Conversation, hours: int) -> None:
    db.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(last_inbound_at=utcnow() - timedelta(hours=hours))
    )
    db.expire_all()


def test_a_reply_goes_through_the_outbox_sealed_on_the_conversation_s_channel(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    conversation = _conversation(db)
    message = service.reply(db, conversation_id=conversation.id, actor=officer,
                            text="Kami akan menelepon Anda.")  # fmt: skip
    row = db.scalars(select(OutboxMessage)).one()
    assert (row.channel, opened(row), row.idempotency_key) == (
        "whatsapp",
        PHONE,
        message.outbox_key,
    )
    assert "menelepon" not in row.body, "the body is sealed in the outbox"
    assert open_body(row.body) == "Kami akan menelepon Anda."
    view = service.read_conversation(db, conversation_id=conversation.id, actor=officer)
    assert [m.direction for m in view.messages] == ["in", "out"]


def test_outside_the_24_hour_window_only_the_template_may_be_sent(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    conversation = _conversation(db)
    _age(db, conversation, 25)
    assert not service.read_conversation(
        db, conversation_id=conversation.id, actor=officer
    ).in_window
    with pytest.raises(Conflict):
        service.reply(db, conversation_id=conversation.id, actor=officer, text="Halo")
    with pytest.raises(Conflict):
        service.reply(db, conversation_id=conversation.id, actor=officer, template="call_back")
    sent = service.reply(db, conversation_id=conversation.id, actor=officer, template="reopen")
    assert sent.kind == "template" and sent.body and "Indonesia" in sent.body
    _age(db, conversation, 23)
    service.reply(db, conversation_id=conversation.id, actor=officer, text="Halo")


def test_a_template_is_sent_in_the_citizen_s_language(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    conversation = _conversation(db)
    conversation.language = "fr"
    sent = service.reply(db, conversation_id=conversation.id, actor=officer, template="call_back")
    assert sent.body is not None and "rappeler" in sent.body


def test_officers_see_their_post_s_conversations_and_reads_are_audited(db: Session) -> None:
    seoul = staff_actor(db, Role.OFFICER, SEOUL, "seoul")
    kl = staff_actor(db, Role.OFFICER, KL, "kl")
    conversation = _conversation(db)
    assert service.list_inbox(db, actor=kl, limit=10, offset=0)[0] == 0
    with pytest.raises(NotFound):
        service.read_conversation(db, conversation_id=conversation.id, actor=kl)
    total, rows = service.list_inbox(db, actor=seoul, limit=10, offset=0)
    assert (total, rows[0].unanswered) == (1, True)
    service.read_conversation(db, conversation_id=conversation.id, actor=seoul)
    actions = db.scalars(select(AuditEntry.action)).all()
    assert "conversation.read" in actions


def test_a_partner_sees_only_conversations_of_cases_delegated_to_it(
    db: Session, scene: Scene
) -> None:
    other = _conversation(db, phone="+821077778888")
    delegated = _conversation(db, phone="+821055556666")
    with pytest.raises(NotFound):
        service.read_conversation(db, conversation_id=delegated.id, actor=scene.partner_user)
    service.link_case(db, conversation_id=delegated.id, case_id=scene.case.id, actor=scene.officer)
    total, rows = service.list_inbox(db, actor=scene.partner_user, limit=10, offset=0)
    assert (total, [r.conversation.id for r in rows]) == (1, [delegated.id])
    with pytest.raises(NotFound):
        service.read_conversation(db, conversation_id=other.id, actor=scene.partner_user)
    service.reply(
        db, conversation_id=delegated.id, actor=scene.partner_user, text="Kami mitra KBRI."
    )


def test_an_officer_links_a_person_in_their_post_and_it_is_audited(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    conversation = _conversation(db, phone="+821033334444")
    person = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                        city="Seoul", post=SEOUL, phone="+821099990000")  # fmt: skip
    service.link_person(db, conversation_id=conversation.id, person_id=person.person_id,
                        actor=officer)  # fmt: skip
    assert (conversation.person_id, conversation.person_link) == (
        person.person_id,
        PersonLink.OFFICER,
    )
    audited = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "conversation.link_person")
    ).one()
    assert audited.subject_person_id == person.person_id


def test_an_officer_s_link_does_not_make_the_chat_a_trusted_contact(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    conversation = _conversation(db, phone="+821033334444")
    person = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                        city="Seoul", post=SEOUL, phone="+821099990000")  # fmt: skip
    service.link_person(db, conversation_id=conversation.id, person_id=person.person_id,
                        actor=officer)  # fmt: skip
    assert db.get_one(Person, person.person_id).preferred_channel is None
    phones = db.scalars(
        select(ContactPoint.value_index).where(ContactPoint.person_id == person.person_id)
    ).all()
    assert contact_index("+821033334444") not in phones


def test_a_citizen_s_erasure_deletes_their_conversations(db: Session) -> None:
    person = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                        city="Seoul", post=SEOUL, phone=PHONE)  # fmt: skip
    _conversation(db)
    _conversation(db, phone="+821077778888")
    assert service.erase_people(db, [person.person_id], None) == 1
    assert [c.address for c in db.scalars(select(Conversation))] == ["+821077778888"]
