"""The audience of a crisis before sending: people by post, language and channel, and how
many are placed only approximately (at their city's centre), in one grouped statement."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, exists, func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.core.i18n import LANGUAGES
from peduli.crisis import access, delivery, targeting
from peduli.crisis import service as crisis_service
from peduli.crisis.delivery import usable_contact
from peduli.notify.models import ChannelName
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay


@dataclass(frozen=True)
class AudiencePreview:
    """Who a broadcast would reach now; a channel's count is the people it can reach, and
    ``by_preferred_chat`` those who get it in their preferred chat instead of SMS."""

    total: int
    approximate: int
    by_post: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    by_channel: dict[str, int]
    by_preferred_chat: dict[str, int]
    unreachable: int


def _has(kind: ContactKind) -> ColumnElement[int]:
    """1 when the stay's person has a trusted primary contact of ``kind`` (what a send uses)."""
    return case(
        (exists().where(usable_contact(ContactPoint, Stay.person_id, kind.value)), 1), else_=0
    )


def _chat() -> ColumnElement[str]:
    """The chat channel the stay's person gets broadcasts on instead of SMS, or ""."""
    return case(
        (delivery.chats_preferred(Stay.person_id), func.coalesce(Person.preferred_channel, "")),
        else_="",
    )


def preview(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> AudiencePreview:
    """The audience of the crisis the caller reaches, grouped in the database."""
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    language = case((Stay.language.in_(LANGUAGES), Stay.language), else_="id")
    stays = targeting.audience(
        session,
        crisis,
        representation_codes=access.audience_posts(actor),
        columns=(
            func.coalesce(Stay.representation_code, "").label("post"),
            language.label("language"),
            _has(ContactKind.PHONE).label("phone"),
            _has(ContactKind.EMAIL).label("email"),
            _has(ContactKind.TELEGRAM).label("telegram"),
            _chat().label("chat"),
            case((Stay.position_approximate.is_(True), 1), else_=0).label("approximate"),
        ),
    )
    # The chat channel is the person's; their language the stay carries.
    per_stay = stays.join(Person, Person.id == Stay.person_id).subquery()
    c = per_stay.c
    keys = (c.post, c.language, c.phone, c.email, c.telegram, c.chat, c.approximate)
    grouped = select(*keys, func.count()).group_by(*keys)
    posts: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    chats: Counter[str] = Counter()
    approximate = unreachable = 0
    for post, lang, phone, email, telegram, chat, approx, people in session.execute(grouped):
        posts[post] += people
        languages[lang] += people
        channels[ChannelName.SMS.value] += people * phone
        channels[ChannelName.WHATSAPP.value] += people * phone
        channels[ChannelName.TELEGRAM.value] += people * telegram
        channels[ChannelName.EMAIL.value] += people * email
        chats[chat] += people
        approximate += people * approx
        unreachable += people * (1 - max(phone, email, telegram))
    return AudiencePreview(
        total=sum(posts.values()),
        approximate=approximate,
        by_post=posts.most_common(),
        by_language=languages.most_common(),
        by_channel={name: channels[name] for name in delivery.CHANNEL_CONTACT},
        by_preferred_chat={name: chats[name] for name in delivery.CHAT_CHANNELS},
        unreachable=unreachable,
    )
