"""What an inbound chat message does: the person by verified phone only, an SOS alerted like
the SOS page's, a shared location as the emergency's place, a check-in answer counted."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.cases.models import Case, CaseEvent
from peduli.conversations import inbound
from peduli.conversations.models import ChatChannel, Conversation, MessageKind, PersonLink
from peduli.conversations.platforms import Inbound
from peduli.crisis.models import CheckIn
from peduli.emergency.models import Emergency
from peduli.notify.models import OutboxMessage
from peduli.registry.models import Person
from tests.crisis.crisis_helpers import add_person, sent_by_sms
from tests.emergency.conftest import SEOUL, on_duty_now, staff_actor
from tests.outbox import opened

PHONE = "+821012345678"
DUTY_PHONE = "+821099998888"
_number = iter(range(1, 10_000))


def _write(db: Session, text: str | None = None, *, phone: str = PHONE, **more: object) -> None:
    message = Inbound(
        channel=ChatChannel.WHATSAPP,
        address=phone,
        platform_message_id=f"wamid.{next(_number)}",
        kind=MessageKind(more.pop("kind", MessageKind.TEXT)),
        text=text,
        **more,  # type: ignore[arg-type]
    )
    inbound.receive(db, inbound=message)


def _duty_sms(db: Session) -> list[OutboxMessage]:
    rows = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
    return [m for m in rows if opened(m) == DUTY_PHONE]


@pytest.mark.parametrize(
    "text",
    ["TOLONG saya dikunci majikan", "sos", "Pak, bantu saya", "DARURAT!!", "help me please",
     "救命！我被关起来了", "Au secours, je suis enfermée", "AU SÉCOURS", "Tolong"],
)  # fmt: skip
def test_an_sos_word_in_any_language_alerts_the_duty_officer(db: Session, text: str) -> None:
    on_duty_now(db, staff_actor(db, Role.OFFICER, SEOUL, "duty"), phone=DUTY_PHONE)
    _write(db, text)
    emergency = db.scalars(select(Emergency)).one()
    assert (emergency.source, emergency.representation_code) == ("chat", SEOUL)
    assert len(_duty_sms(db)) == 1, "the duty phone gets the SMS alert, as for an SOS"
    conversation = db.scalars(select(Conversation)).one()
    assert (conversation.emergency_id, conversation.case_id) == (emergency.id, emergency.case_id)


def test_an_ordinary_message_opens_no_emergency(db: Session) -> None:
    _write(db, "Selamat siang, bagaimana cara memperpanjang paspor?")
    _write(db, "Terima kasih, saya tidak butuh bantuan lagi nanti saja")
    assert db.scalars(select(Emergency)).all() == []


def test_a_repeat_sos_in_the_conversation_joins_the_open_emergency(db: Session) -> None:
    on_duty_now(db, staff_actor(db, Role.OFFICER, SEOUL, "duty"), phone=DUTY_PHONE)
    _write(db, "TOLONG")
    _write(db, "TOLONG cepat")
    emergency = db.scalars(select(Emergency)).one()
    assert emergency.repeats == 1
    assert len(_duty_sms(db)) == 1, "nobody paged twice"


def test_a_location_becomes_the_emergency_s_place(db: Session) -> None:
    _write(db, kind=MessageKind.LOCATION, latitude=37.3219, longitude=126.8309)
    _write(db, "SOS")
    case = db.get_one(Case, db.scalars(select(Emergency)).one().case_id)
    assert "Location: 37.32190, 126.83090." in case.summary
    _write(db, kind=MessageKind.LOCATION, latitude=37.33, longitude=126.84)
    notes = db.scalars(select(CaseEvent.text).where(CaseEvent.case_id == case.id)).all()
    assert "Location: 37.33000, 126.84000." in notes


def test_the_person_is_linked_only_by_a_verified_phone(db: Session) -> None:
    add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
               city="Seoul", post=SEOUL, phone="+821011112222", trusted=False)  # fmt: skip
    _write(db, "Halo", phone="+821011112222")
    assert db.scalars(select(Conversation)).one().person_id is None
    verified = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                          city="Seoul", post=SEOUL, phone=PHONE)  # fmt: skip
    _write(db, "Halo")
    linked = db.scalars(select(Conversation).where(Conversation.person_id.is_not(None))).one()
    assert (linked.person_id, linked.person_link) == (verified.person_id, PersonLink.VERIFIED_PHONE)


def test_a_linked_writer_hears_from_us_on_their_chat(db: Session) -> None:
    person = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                        city="Seoul", post=SEOUL, phone=PHONE)  # fmt: skip
    _write(db, "Halo")
    assert db.get_one(Person, person.person_id).preferred_channel == "whatsapp"


def test_a_telegram_contact_of_the_sender_himself_links_by_its_phone(db: Session) -> None:
    person = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                        city="Seoul", post=SEOUL, phone=PHONE)  # fmt: skip
    base = {"channel": ChatChannel.TELEGRAM, "address": "5550001", "kind": MessageKind.CONTACT}
    inbound.receive(db, inbound=Inbound(**base, platform_message_id="5550001:1",
                                        shared_phone=None))  # fmt: skip
    assert db.scalars(select(Conversation)).one().person_id is None
    inbound.receive(db, inbound=Inbound(**base, platform_message_id="5550001:2",
                                        shared_phone=PHONE))  # fmt: skip
    assert db.scalars(select(Conversation)).one().person_id == person.person_id


def test_an_answer_in_chat_to_a_crisis_check_in_counts(db: Session) -> None:
    author = staff_actor(db, Role.SUPERVISOR, "kbri-kuala-lumpur", "author")
    second = staff_actor(db, Role.HQ_ADMIN, None, "second")
    person = add_person(db, latitude=3.139, longitude=101.687, phone="+60123456789")
    sent_by_sms(db, author=author, second=second)
    _write(db, "Halo pak, apa kabar?", phone="+60123456789")
    assert db.scalars(select(CheckIn)).all() == [], "not an answer: it stays in the inbox"
    _write(db, "aman", phone="+60123456789")
    answers = db.scalars(select(CheckIn).where(CheckIn.person_id == person.person_id)).all()
    assert [a.via for a in answers] == ["whatsapp"]
    assert [a.answer for a in answers] == ["safe"]
