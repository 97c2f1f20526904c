"""Issuing, verifying and revoking documents; key rotation; the signed trust list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from peduli.documents import keys, service
from peduli.documents.models import IssuedDocument, KeyState, Revocation, SigningKey
from peduli.registry.models import Person
from tests import factories
from tests.documents.conftest import KL, SEOUL, issue, tampered


def test_an_issued_document_verifies_with_its_fields(db: Session, person: Person) -> None:
    issued = issue(db, person)
    result = service.verify(db, issued.payload)
    assert result.verdict == service.Verdict.VALID
    assert result.fields is not None
    assert result.fields.name == "Siti Nurhaliza Binti Abdullah"
    assert result.fields.birth_date == person.date_of_birth
    assert result.fields.post == SEOUL and result.fields.kind == "self_report"
    assert result.fields.number == issued.document.number
    assert result.kid == issued.document.key_id
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "document.issued")).one()
    assert entry.subject_person_id == person.id


def test_tampered_and_garbage(db: Session, person: Person) -> None:
    issued = issue(db, person)
    assert service.verify(db, tampered(issued.payload)).verdict == service.Verdict.FORGED
    with pytest.raises(ValidationFailed) as refused:
        service.verify(db, "PDL1:not a document")
    assert refused.value.problems[0].field == "payload"


def test_a_key_outside_the_trust_list_is_forged(db: Session, person: Person) -> None:
    issued = issue(db, person)
    db.delete(db.get_one(IssuedDocument, issued.document.id))
    db.flush()
    db.delete(db.get_one(SigningKey, issued.document.key_id))  # a key nobody lists
    db.flush()
    assert service.verify(db, issued.payload).verdict == service.Verdict.FORGED


def test_expired_after_the_expiry_day(db: Session, person: Person) -> None:
    issued = issue(db, person, days=3)
    expiry = issued.document.expires_on
    late_that_day = utcnow().replace(year=expiry.year, month=expiry.month, day=expiry.day,
                                     hour=23, minute=59)  # fmt: skip
    assert service.verify(db, issued.payload, now=late_that_day).verdict == "valid"
    next_day = late_that_day + timedelta(minutes=1)
    assert service.verify(db, issued.payload, now=next_day).verdict == "expired"


def test_rotation_keeps_old_documents_valid(db: Session, person: Person) -> None:
    old = issue(db, person)
    new_kid = keys.rotate(db)
    db.commit()
    assert new_kid != old.document.key_id
    assert db.get_one(SigningKey, old.document.key_id).state == KeyState.RETIRED
    assert service.verify(db, old.payload).verdict == service.Verdict.VALID
    new = issue(db, person)
    assert new.document.key_id == new_kid
    assert service.verify(db, new.payload).verdict == service.Verdict.VALID
    listed = {k["kid"]: k["state"] for k in keys.trust_list(db)["keys"]}
    assert listed == {old.document.key_id: "retired", new_kid: "active"}
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "documents.key_rotated")).one()


def test_rotating_the_secret_key_does_not_invalidate_documents(
    db: Session, person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peduli.core.config import get_settings

    issued = issue(db, person)
    monkeypatch.setenv("PEDULI_SECRET_KEY", "a-completely-different-secret-of-32-characters!")
    get_settings.cache_clear()
    try:
        assert service.verify(db, issued.payload).verdict == service.Verdict.VALID
    finally:
        get_settings.cache_clear()


def test_the_trust_list_is_signed_by_its_active_key(db: Session, person: Person) -> None:
    issue(db, person)
    keys.rotate(db)
    published = keys.trust_list(db)
    body = keys.read_signed_list(published["signed"])
    assert body is not None
    assert body == {k: v for k, v in published.items() if k != "signed"}
    header, payload, signature = published["signed"].split(".")
    changed = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    assert keys.read_signed_list(f"{header}.{changed}.{signature}") is None
    assert keys.read_signed_list("not.a.jws") is None


def test_revocation_by_the_issuing_post_is_audited(db: Session, person: Person) -> None:
    issued = issue(db, person)
    officer = factories.staff(Role.OFFICER, SEOUL)
    service.revoke(db, actor=officer, document_id=issued.document.id, reason="lost")
    db.commit()
    result = service.verify(db, issued.payload)
    assert result.verdict == service.Verdict.REVOKED and result.revocation_reason == "lost"
    assert db.get_one(Revocation, issued.document.id).revoked_by == officer.account_id
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "document.revoked")).one()
    assert entry.subject_person_id == person.id and entry.reason == "lost"
    with pytest.raises(Conflict):
        service.revoke(db, actor=officer, document_id=issued.document.id, reason="lost")


def test_who_may_revoke(db: Session, person: Person) -> None:
    issued = issue(db, person)
    with pytest.raises(NotFound):  # another post's document does not exist for them
        service.revoke(db, actor=factories.staff(Role.OFFICER, KL),
                       document_id=issued.document.id, reason="lost")  # fmt: skip
    for role in (Role.HQ_ANALYST, Role.PARTNER):
        with pytest.raises(Forbidden):
            service.revoke(db, actor=factories.staff(role, SEOUL),
                           document_id=issued.document.id, reason="lost")  # fmt: skip
    with pytest.raises(ValidationFailed):
        service.revoke(db, actor=factories.staff(Role.OFFICER, SEOUL),
                       document_id=issued.document.id, reason="bored")  # fmt: skip
    service.revoke(db, actor=factories.staff(Role.HQ_ADMIN, None),
                   document_id=issued.document.id, reason="replaced")  # fmt: skip
    assert service.verify(db, issued.payload).verdict == service.Verdict.REVOKED


def test_an_erasure_revokes_the_persons_documents(db: Session, person: Person) -> None:
    from peduli import erasure

    first, second = issue(db, person), issue(db, person)
    service.revoke(db, actor=factories.staff(Role.OFFICER, SEOUL),
                   document_id=first.document.id, reason="replaced")  # fmt: skip
    step = next(step for step in erasure.STEPS if step.name == "documents")
    assert step.run(db, [person.id], None) == 1
    db.commit()
    assert service.verify(db, first.payload).revocation_reason == "replaced"
    erased = service.verify(db, second.payload)
    assert erased.verdict == service.Verdict.REVOKED and erased.revocation_reason == "erased"
    assert db.get_one(Revocation, second.document.id).reason == "erased"
    assert step.run(db, [], None) == 0
    with pytest.raises(ValidationFailed):  # not a reason an officer gives
        service.revoke(db, actor=factories.staff(Role.OFFICER, SEOUL),
                       document_id=second.document.id, reason="erased")  # fmt: skip


def test_documents_follow_a_merge_and_its_undoing(db: Session, person: Person) -> None:
    from peduli import merging
    from tests.web.officer_support import reported

    other_id = reported(db, nik=factories.nik(serial=77), passport_number="C7777777",
                        phone="+821077777777", email="other@example.org")  # fmt: skip
    document_id = issue(db, person).document.id
    person_id = person.id
    step = next(step for step in merging.STEPS if step.name == "documents")
    moved = step.move(db, person_id, other_id)
    assert moved == [str(document_id)]
    db.commit()
    assert db.get_one(IssuedDocument, document_id).holder_person_id == other_id
    assert step.move_back(db, moved, other_id, person_id) == 1
    assert step.move_back(db, [], other_id, person_id) == 0
    db.commit()
    db.expire_all()
    assert db.get_one(IssuedDocument, document_id).holder_person_id == person_id
