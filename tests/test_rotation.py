"""``peduli keys rotate``: everything sealed under an old data key is re-encrypted under the
new one, in batches that survive an interruption, and every value and look-up still works."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, func, select, type_coerce
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
from peduli.demo import seed as seeding
from peduli.models import Base
from peduli.notify import service as notify_service
from peduli.notify.models import OutboxMessage
from peduli.registry import service as registry_service
from peduli.registry.models import NIK_PURPOSE, Person
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


def _niks(session: Session) -> dict[object, str]:
    """Every person's NIK in clear, by person id."""
    rows = session.execute(select(Person.id, Person.nik_encrypted))
    return {key: get_cipher().decrypt(nik, purpose=NIK_PURPOSE) for key, nik in rows if nik}


def test_workers_split_the_keys_and_an_interrupted_run_resumes(
    db: Session, ring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeding.seed_citizens(db, citizens=40, seed=2026, batch_size=40)
    db.commit()
    niks = _niks(db)
    db.rollback()
    _use_ring(monkeypatch, f"new:{NEW},old:{OLD}")
    seen = []

    def interrupt(progress: rotation.Progress) -> None:
        seen.append(progress)
        if progress.table == "person" and progress.done >= 15:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rotate(get_sessionmaker(), batch_size=5, workers=3, on_batch=interrupt)
    halfway = db.scalars(select(type_coerce(Person.nik_encrypted, Text()))).all()
    db.rollback()
    assert {v.split("$")[0] for v in halfway} == {"new", "old"}

    report = rotation.rotate(get_sessionmaker(), batch_size=5, workers=3)
    assert 0 < report["person"] < 80  # what the first run rewrote is not done again
    assert set().union(*_stored_key_ids(db).values()) == {"new"}
    _use_ring(monkeypatch, f"new:{NEW}")
    assert _niks(db) == niks


def test_a_value_changed_during_a_batch_is_not_overwritten(
    db: Session, ring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeding.seed_citizens(db, citizens=6, seed=7, batch_size=6)
    db.commit()
    with_phone = Person.emergency_contact_phone.is_not(None)
    person_id = db.scalars(select(Person.id).where(with_phone).order_by(Person.id)).first()
    sealed = db.scalar(
        select(func.count(Person.nik_encrypted) + func.count(Person.emergency_contact_phone))
    )
    changed = "+6281399990000"
    db.rollback()
    _use_ring(monkeypatch, f"new:{NEW},old:{OLD}")
    rewrite = rotation._rewrite

    def officer_corrects_the_phone(session: Session, job: Any, rows: Any) -> int:
        # Between the rotation's read and its write, an officer saves a corrected phone (in
        # the same transaction: SQLite lets no other writer in, PostgreSQL would).
        if job.table.name == "person":
            session.get_one(Person, person_id).emergency_contact_phone = changed
            session.flush()
        return rewrite(session, job, rows)

    monkeypatch.setattr(rotation, "_rewrite", officer_corrects_the_phone)
    report = rotation.rotate(get_sessionmaker(), batch_size=100)
    assert report["person"] == sealed - 1  # all but the phone the officer just saved
    assert db.get_one(Person, person_id).emergency_contact_phone == changed
    assert set().union(*_stored_key_ids(db).values()) == {"new"}


def test_a_rate_limit_spreads_the_rows_over_time(
    db: Session, ring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeding.seed_citizens(db, citizens=10, seed=3, batch_size=10)
    db.commit()
    _use_ring(monkeypatch, f"new:{NEW},old:{OLD}")
    started = time.monotonic()
    rotation.rotate(get_sessionmaker(), batch_size=5, max_rows_per_second=40)
    rows = sum(
        db.scalar(select(func.count()).select_from(table)) or 0
        for table in {table for table, _column, _purpose in sealed_columns(Base.metadata)}
    )
    # The first batch goes at once; every later row waits its 1/40 s.
    assert time.monotonic() - started >= (rows - 5) / 40
