"""``peduli keys rotate``: everything sealed under an old data key is re-encrypted under the
new one, in batches that survive an interruption, and every value and look-up still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli import rotation
from peduli.auth import accounts
from peduli.auth.actor import Role
from peduli.cases import attachments
from peduli.cases.storage import get_storage
from peduli.conversations import inbound
from peduli.conversations.models import ChatChannel, ConversationMessage, MessageKind
from peduli.conversations.platforms import Inbound
from peduli.core.config import get_settings
from peduli.core.crypto import get_cipher, new_data_key, sealed_columns
from peduli.core.db import get_sessionmaker
from peduli.models import Base
from peduli.notify import service as notify_service
from peduli.notify.models import OutboxMessage
from peduli.registry import service as registry_service
from peduli.registry.repository import person_ids_by_phone
from peduli.registry.schemas import PersonSearch
from peduli.registry.search import search_people
from tests.cases.conftest import open_case
from tests.factories import report, signed_in_citizen, staff
from tests.outbox import recipients

OLD, NEW = new_data_key(), new_data_key()
# An alert naming a caller: its body is sealed in the outbox.
ALERT = "SOS: Siti Aminah, +82 10 5555 0101, Ansan"
PDF = b"%PDF-1.7\n" + b"passport scan" * 20
PHOTO = b"\xff\xd8 a photo of a passport page"


def _use_ring(monkeypatch: pytest.MonkeyPatch, ring: str) -> None:
    monkeypatch.setenv("PEDULI_DATA_KEYS", ring)
    get_settings.cache_clear()
    get_cipher.cache_clear()


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    _use_ring(monkeypatch, f"old:{OLD}")
    monkeypatch.setenv("PEDULI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    get_cipher.cache_clear()


def _stored_key_ids(session: Session) -> dict[str, set[str]]:
    """For each encrypted column, the ids of the keys its values are stored under."""
    found: dict[str, set[str]] = {}
    for table, column, _purpose in sealed_columns(Base.metadata):
        values = session.scalars(select(type_coerce(column, Text())).where(column.is_not(None)))
        ids = {v.split("$", 1)[0] for v in values if v.count("$") == 2}
        if ids:
            found[f"{table.name}.{column.name}"] = ids
    return found


def _world(db: Session) -> tuple[str, str]:
    """A person (NIK, passport, phone, email, address), a pending claim, a staff account, an
    outbox message, a case attachment and a chat's photo, all sealed under the old key;
    returns the two files' storage keys."""
    registry_service.submit_self_report(
        db, report=report(emergency_contact_phone="+6281311112222"), actor=staff(Role.HQ_ADMIN)
    )
    claimant = signed_in_citizen(db, "claimant@example.org")
    claim = registry_service.submit_self_report(
        db, report=report(email="claimant@example.org"), actor=claimant
    )
    assert isinstance(claim, registry_service.PendingClaim)  # its report is sealed whole
    accounts.create_staff(db, email="officer@kemlu.example", role="hq_admin", password="x" * 16)
    notify_service.enqueue(
        db, channel="sms", recipient="+821099998888", subject="", body="hi", idempotency_key="k"
    )
    notify_service.enqueue(
        db, channel="sms", recipient="+821077776666", subject="",
        body=notify_service.sealed_body(ALERT), idempotency_key="alert",
    )  # fmt: skip
    officer = staff()
    case = open_case(db, officer)
    stored = attachments.upload(
        db, case_id=case.id, actor=officer, filename="p.pdf",
        content_type="application/pdf", data=PDF,
    )  # fmt: skip
    photo = Inbound(ChatChannel.WHATSAPP, "+821055550000", "wamid.rotate", MessageKind.IMAGE,
                    media_id="m1", media_type="image/jpeg")  # fmt: skip
    inbound.receive(db, inbound=photo)
    message = db.scalars(select(ConversationMessage)).one()
    chat_key = f"chat/{message.conversation_id}/{message.id}"
    get_storage().put(chat_key, PHOTO)
    message.attachment_key = chat_key
    db.commit()
    return stored.storage_key, chat_key


def test_rotation_resumes_after_an_interruption_and_everything_still_reads(
    db: Session, ring: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    storage_key, chat_key = _world(db)
    before = _stored_key_ids(db)
    db.rollback()
    assert {"person.nik_encrypted", "contact_point.value", "stay.address",
            "outbox_message.recipient", "outbox_message.body", "staff_account.email_sealed",
            "person.emergency_contact_phone",
            "identity_claim.report_encrypted"} <= set(before)  # fmt: skip
    assert set().union(*before.values()) == {"old"}

    _use_ring(monkeypatch, f"new:{NEW},old:{OLD}")
    batches = []

    def interrupt(progress: rotation.Progress) -> None:
        batches.append(progress)
        if len(batches) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rotate(get_sessionmaker(), batch_size=1, on_batch=interrupt)
    halfway = _stored_key_ids(db)
    db.rollback()
    assert "new" in set().union(*halfway.values()) and "old" in set().union(*halfway.values())

    result = CliRunner().invoke(_cli(), ["keys", "rotate", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "contact_point: 2/2 read, 2 re-encrypted" in result.output
    assert "attachment files: 2/2 read, 2 re-encrypted" in result.output
    again = CliRunner().invoke(_cli(), ["keys", "rotate"])
    assert "done: 0 values and files re-encrypted" in again.output

    _use_ring(monkeypatch, f"new:{NEW}")  # the old key is gone: everything must still open
    assert set().union(*_stored_key_ids(db).values()) == {"new"}
    [person_id] = person_ids_by_phone(db, "+821012345678", limit=5)
    view = registry_service.read_person(db, person_id=person_id, actor=staff(Role.HQ_ADMIN))
    assert view.nik == report().nik and view.passports[0][0] == "C1234567"
    assert {c.value for c in view.contacts} == {"+821012345678", "yusuf@example.org"}
    assert view.stays[0].address == "12 Sejong-daero, Jung-gu"
    assert view.person.emergency_contact_phone == "+6281311112222"
    found = search_people(db, query=PersonSearch(nik=report().nik), actor=staff(Role.HQ_ADMIN))
    assert [hit.person.id for hit in found.hits] == [person_id]
    assert "+821099998888" in recipients(db)
    bodies = dict(db.execute(select(OutboxMessage.idempotency_key, OutboxMessage.body)).all())
    assert bodies["k"] == "hi"  # a body in clear is left as it is
    assert notify_service.open_body(bodies["alert"]) == ALERT
    assert get_storage().get(storage_key) == PDF
    assert get_storage().get(chat_key) == PHOTO


def _cli():  # type: ignore[no-untyped-def]
    from peduli.cli.main import app

    return app
