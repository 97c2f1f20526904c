"""The audience of a crisis before sending: people by post, language and channel, and how
many are placed only approximately (at their city's centre), in one grouped statement."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.core.i18n import LANGUAGES
from peduli.crisis import access, targeting
from peduli.crisis import service as crisis_service
from peduli.notify.models import ChannelName
from peduli.registry.models import ContactKind, ContactPoint, Person, Stay


@dataclass(frozen=True)
class AudiencePreview:
    """Who a broadcast would reach now; a channel's count is the people it can reach."""

    total: int
    approximate: int
    by_post: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    by_channel: dict[str, int]
    unreachable: int


def _has(kind: ContactKind) -> ColumnElement[int]:
    """1 when the stay's person has a trusted primary contact of ``kind`` (what a send uses)."""
    found = exists().where(
        and_(
            ContactPoint.person_id == Stay.person_id,
            ContactPoint.kind == kind.value,
            ContactPoint.is_primary.is_(True),
            ContactPoint.trusted_at.is_not(None),
        )
    )
    return case((found, 1), else_=0)


def preview(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> AudiencePreview:
    """The audience of the crisis the caller reaches, grouped in the database."""
    crisis = crisis_service.get(session, crisis_id=crisis_id, actor=actor)
    language = case(
        (Person.preferred_language.in_(LANGUAGES), Person.preferred_language), else_="id"
    )
    per_stay = targeting.audience(
        session,
        crisis,
        representation_codes=access.audience_posts(actor),
        columns=(
            func.coalesce(Stay.representation_code, "").label("post"),
            language.label("language"),
            _has(ContactKind.PHONE).label("phone"),
            _has(ContactKind.EMAIL).label("email"),
            case((Stay.position_approximate.is_(True), 1), else_=0).label("approximate"),
        ),
    ).subquery()
    c = per_stay.c
    grouped = select(c.post, c.language, c.phone, c.email, c.approximate, func.count()).group_by(
        c.post, c.language, c.phone, c.email, c.approximate
    )
    posts: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    approximate = unreachable = 0
    for post, lang, phone, email, approx, people in session.execute(grouped):
        posts[post] += people
        languages[lang] += people
        channels[ChannelName.SMS.value] += people * phone
        channels[ChannelName.WHATSAPP.value] += people * phone
        channels[ChannelName.EMAIL.value] += people * email
        approximate += people * approx
        unreachable += people * (1 - max(phone, email))
    return AudiencePreview(
        total=sum(posts.values()),
        approximate=approximate,
        by_post=posts.most_common(),
        by_language=languages.most_common(),
        by_channel={name: channels[name] for name in ("sms", "whatsapp", "email")},
        unreachable=unreachable,
    )
