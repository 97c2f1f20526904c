"""A quiet conversation leaves after its period with its messages and stored files, unless a
case still being worked holds it; a citizen's erasure takes the files too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.cases.models import Case
from peduli.cases.storage import get_storage
from peduli.conversations import inbound, service
from peduli.conversations.models import ChatChannel, Conversation, ConversationMessage, MessageKind
from peduli.conversations.platforms import Inbound
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.retention import purge_round
from tests.cases.conftest import open_case
from tests.crisis.crisis_helpers import add_person
from tests.emergency.conftest import SEOUL, staff_actor

PHOTO = b"\xff\xd8 a photo of an employment contract"


@pytest.fixture(autouse=True)
def storage_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("PEDULI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _chat_with_photo(db: Session, phone: str, *, quiet_days: int) -> Conversation:
    """A conversation whose one photo was fetched and kept, last active ``quiet_days`` ago."""
    photo = Inbound(ChatChannel.WHATSAPP, phone, f"wamid.{phone}", MessageKind.IMAGE,
                    media_id="m1", media_type="image/jpeg")  # fmt: skip
    inbound.receive(db, inbound=photo)
    conversation = db.scalars(select(Conversation).order_by(Conversation.created_at.desc())).first()
    assert conversation is not None
    key = f"chat/{conversation.id}/{phone}"
    get_storage().put(key, PHOTO)
    db.execute(
        update(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation.id)
        .values(attachment_key=key)
    )
    conversation.last_activity_at = utcnow() - timedelta(days=quiet_days)
    db.flush()
    return conversation


def _stored(conversation: Conversation) -> bool:
    try:
        get_storage().get(f"chat/{conversation.id}/{conversation.address}")
    except (FileNotFoundError, KeyError):
        return False
    return True


def test_only_quiet_conversations_no_open_case_holds_leave(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    quiet = _chat_with_photo(db, "+821000000001", quiet_days=366)
    recent = _chat_with_photo(db, "+821000000002", quiet_days=364)
    held = _chat_with_photo(db, "+821000000003", quiet_days=400)
    held.case_id = open_case(db, officer).id
    done = _chat_with_photo(db, "+821000000004", quiet_days=400)
    done.case_id = open_case(db, officer).id
    db.execute(update(Case).where(Case.id == done.case_id).values(status="closed"))
    db.flush()

    assert purge_round(db, now=utcnow())["quiet_conversations"] == 2
    left = set(db.scalars(select(Conversation.id)))
    assert left == {recent.id, held.id}
    assert len(db.scalars(select(ConversationMessage)).all()) == 2
    assert [_stored(c) for c in (quiet, recent, held, done)] == [False, True, True, False]


def test_a_citizen_s_erasure_takes_the_stored_files_too(db: Session) -> None:
    phone = "+821000000009"
    person = add_person(db, latitude=37.5, longitude=127.0, country="KR", subdivision=None,
                        city="Seoul", post=SEOUL, phone=phone)  # fmt: skip
    theirs = _chat_with_photo(db, phone, quiet_days=1)
    assert theirs.person_id == person.person_id and _stored(theirs)
    assert service.erase_people(db, [person.person_id], None) == 1
    assert db.scalars(select(Conversation)).all() == []
    assert not _stored(theirs)
