"""Demo chats: a WhatsApp conversation with a registered citizen of Seoul (their verified
phone), answered from the inbox, that turned into an SOS; and a Telegram question to Hong
Kong, answered. Written through the real inbound path and the inbox's services, so the
emergency, its alerts and the outbox rows are those a real chat would make.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.conversations import inbound, service
from peduli.conversations.models import ChatChannel, Conversation, MessageKind
from peduli.conversations.platforms import Inbound
from peduli.demo.cases import demo_officers
from peduli.registry.models import ContactKind, ContactPoint, Stay

SEOUL, HONG_KONG = "kbri-seoul", "kjri-hong-kong"
# Used when the demo runs without seeded citizens: nobody's verified phone, so not linked.
FALLBACK_PHONE = "+821055550100"
TELEGRAM_CHAT = "700100200"
HK_PHONE = "+85251234567"
ANSAN = (37.3219, 126.8309)


def _verified_phone_in(session: Session, post: str) -> str:
    """The trusted phone of a registered citizen whose stay the post serves."""
    phone = session.scalar(
        select(ContactPoint.value)
        .join(Stay, Stay.person_id == ContactPoint.person_id)
        .where(
            Stay.representation_code == post,
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.trusted_at.is_not(None),
        )
        .order_by(ContactPoint.person_id)
        .limit(1)
    )
    return phone or FALLBACK_PHONE


def _says(session: Session, channel: ChatChannel, address: str, text: str | None = None,
          **more: object) -> None:  # fmt: skip
    kind = MessageKind(str(more.pop("kind", MessageKind.TEXT)))
    message = Inbound(channel, address, f"demo.{uuid.uuid4().hex}", kind, text=text,
                      **more)  # type: ignore[arg-type]  # fmt: skip
    inbound.receive(session, inbound=message)


def _conversation(session: Session, channel: ChatChannel) -> uuid.UUID:
    return session.scalars(select(Conversation.id).where(Conversation.channel == channel)).one()


def ensure_demo_conversations(session: Session) -> int:
    """Write the two demo chats once (none when any conversation exists); how many."""
    if session.scalar(select(func.count()).select_from(Conversation)):
        return 0
    officers = demo_officers(session)
    seoul, hong_kong = officers.get(SEOUL), officers.get(HONG_KONG)
    if seoul is None or hong_kong is None:
        return 0
    phone = _verified_phone_in(session, SEOUL)
    whatsapp = ChatChannel.WHATSAPP
    _says(session, whatsapp, phone, "Selamat siang pak. Paspor saya ditahan majikan, bisa dibantu?")
    chat = _conversation(session, whatsapp)
    service.reply(session, conversation_id=chat, actor=seoul, template="received")
    _says(session, whatsapp, phone, kind=MessageKind.LOCATION, latitude=ANSAN[0],
          longitude=ANSAN[1])  # fmt: skip
    _says(session, whatsapp, phone, "TOLONG pak, majikan mengunci saya di kamar sekarang")
    answer = "Petugas kami akan menelepon Anda dalam 10 menit. Simpan ponsel Anda."
    service.reply(session, conversation_id=chat, actor=seoul, text=answer)
    telegram = ChatChannel.TELEGRAM
    # Sharing their own contact first puts the chat in the inbox of the phone's country.
    _says(session, telegram, TELEGRAM_CHAT, kind=MessageKind.CONTACT, shared_phone=HK_PHONE,
          language="id")  # fmt: skip
    _says(session, telegram, TELEGRAM_CHAT, "Halo, saya baru tiba di Hong Kong. Bagaimana cara "
          "lapor diri?", language="id")  # fmt: skip
    service.reply(
        session,
        conversation_id=_conversation(session, telegram),
        actor=hong_kong,
        text="Selamat datang! Lapor diri di halaman Peduli, menu Lapor diri. Kami siap membantu.",
    )
    return 2
