"""The demo has people who prefer a chat in each demo post, so a broadcast there shows
Telegram and WhatsApp beside SMS."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.demo import seed as seeding
from peduli.demo.cases import DEMO_POSTS
from peduli.demo.chats import PER_POST_AND_CHAT, ensure_demo_chats
from peduli.registry.models import ContactPoint, Person, Stay

CITIZENS = 600


def test_each_demo_post_gets_telegram_and_whatsapp_people_once(db: Session) -> None:
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS)
    db.commit()

    assert ensure_demo_chats(db) == 2 * PER_POST_AND_CHAT * len(DEMO_POSTS)
    assert ensure_demo_chats(db) == 0  # a second demo start adds nothing
    db.commit()

    for post in DEMO_POSTS:
        preferences = dict(
            db.execute(
                select(Person.preferred_channel, func.count(func.distinct(Person.id)))
                .join(Stay, Stay.person_id == Person.id)
                .where(Stay.representation_code == post, Person.preferred_channel.is_not(None))
                .group_by(Person.preferred_channel)
            ).all()
        )
        assert preferences == {"telegram": PER_POST_AND_CHAT, "whatsapp": PER_POST_AND_CHAT}
    chats = db.scalars(select(ContactPoint).where(ContactPoint.kind == "telegram")).all()
    assert len({c.value for c in chats}) == PER_POST_AND_CHAT * len(DEMO_POSTS)
    assert all(c.trusted_at is not None and c.is_primary for c in chats)
