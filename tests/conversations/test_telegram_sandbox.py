"""The sandbox plays a Telegram user over real HTTP: the bot's webhook on the live app hears
them, links them by the number they share as their own, and a "TOLONG" opens an emergency."""

from __future__ import annotations

from sqlalchemy import select

from peduli.conversations.models import Conversation, ConversationMessage, PersonLink
from peduli.core.config import get_settings
from peduli.core.crypto import contact_index
from peduli.core.db import session_scope
from peduli.emergency.models import Emergency
from peduli.notify.sandbox.telegram_gateway import user_writes
from tests.browser.harness import LiveServer
from tests.crisis.crisis_helpers import add_person

PHONE = "+85291234567"
CHAT_ID = 770001


def test_a_telegram_user_shares_their_number_then_asks_for_help(live_server: LiveServer) -> None:
    with session_scope() as db:
        person = add_person(db, latitude=22.3, longitude=114.2, country="HK", subdivision=None,
                            city="Hong Kong", post="kjri-hong-kong", phone=PHONE)  # fmt: skip
    webhook = f"{live_server.url}/api/v1/channels/telegram/webhook"
    secret = get_settings().telegram_webhook_secret

    def write(content: dict[str, object], token: str = secret) -> int:
        return user_writes(
            webhook, secret_token=token, chat_id=CHAT_ID, content=content
        ).status_code

    assert write({"text": "TOLONG"}, token="not-the-secret") == 401
    assert (
        write({"contact": {"phone_number": PHONE, "user_id": CHAT_ID, "first_name": "Siti"}}) == 200
    )
    assert write({"text": "TOLONG saya dikunci majikan"}) == 200
    with session_scope() as db:  # the live server's database holds other tests' rows too
        conversation = db.scalars(
            select(Conversation).where(Conversation.address_index == contact_index(str(CHAT_ID)))
        ).one()
        assert (conversation.person_id, conversation.person_link) == (
            person.person_id,
            PersonLink.VERIFIED_PHONE,
        )
        thread = select(ConversationMessage).where(
            ConversationMessage.conversation_id == conversation.id
        )
        assert len(db.scalars(thread).all()) == 2
        emergency = db.get_one(Emergency, conversation.emergency_id)
        assert (emergency.source, emergency.representation_code) == ("chat", "kjri-hong-kong")
