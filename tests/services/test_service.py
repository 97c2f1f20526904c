"""Applying and deciding: details taken from the record, documents checked by content and
sealed, fees in both currencies, decisions only as the workflow allows, each audited and told
to the applicant in their language, and every post seeing only its own applications."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.auth.audit import AuditEntry
from peduli.cases.storage import get_storage
from peduli.core.db import rollback_and_keep, utcnow
from peduli.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from peduli.services import application_file, catalogue, jobs, repository, service
from peduli.services.models import ServiceApplication
from peduli.services.schemas import ApplicationCreate
from peduli.services.uploads import Upload
from peduli.services.workflow import Action, State
from tests.services.conftest import PDF, bodies_to, citizen_of, renewal


def test_the_record_fills_the_application_and_the_fee_shows_in_won(
    db: Session, applicant: Actor
) -> None:
    application = renewal(db, applicant)
    db.commit()
    assert application.state == State.SUBMITTED
    assert application.representation_code == "kbri-seoul"
    assert application.applicant_name == "Muhammad Yusuf"
    assert application.applicant_passport == "C1234567"
    assert application.fee_usd_cents == 2500
    assert application.local_currency == "KRW" and application.fee_local > Decimal(30000)
    assert application.payment_state == "awaiting"
    assert application.payment_reference and application.payment_reference.startswith("8808")
    # Sealed at rest: the passport number is not in the table in clear.
    raw = db.execute(text("SELECT applicant_passport FROM service_application")).scalar_one()
    assert "C1234567" not in raw
    assert "is received" in bodies_to(db)[-1] or "diterima" in bodies_to(db)[-1]


def test_documents_are_refused_when_their_content_is_not_their_type(
    db: Session, applicant: Actor
) -> None:
    fake = Upload("current_passport", "passport.pdf", "application/pdf", b"MZ\x90\x00 not a pdf")
    data = ApplicationCreate.model_validate(
        {"service": "passport-renewal", "details_confirmed": True}
    )
    with pytest.raises(ValidationFailed) as refused:
        service.apply(db, data=data, actor=applicant, files=[fake])
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("document_current_passport", "type_not_allowed")
    ]
    lying = Upload("current_passport", "p.png", "image/png", PDF)
    with pytest.raises(ValidationFailed) as mismatch:
        service.apply(db, data=data, actor=applicant, files=[lying])
    assert mismatch.value.problems[0].code == "content_mismatch"


def test_documents_are_sealed_in_the_storage(db: Session, applicant: Actor) -> None:
    application = renewal(db, applicant)
    db.commit()
    view = application_file.read(db, application_id=application.id, actor=applicant)
    assert {d.requirement for d in view.documents} == {"current_passport", "residence_permit"}
    key = view.documents[0].storage_key
    assert get_storage().inner.get(key) != get_storage().get(key)
    assert get_storage().get(key) in (PDF, b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)


def test_without_its_documents_it_waits_and_sending_them_restarts_the_clock(
    db: Session, applicant: Actor
) -> None:
    application = renewal(db, applicant, files=False)
    db.commit()
    assert application.state == State.DOCUMENTS_REQUESTED
    assert "Paspor" in (application.officer_note or "")  # the applicant's language (id)
    for requirement in ("current_passport", "residence_permit"):
        service.add_document(
            db,
            application_id=application.id,
            upload=Upload(requirement, "x.pdf", "application/pdf", PDF),
            actor=applicant,
        )
    db.commit()
    assert application.state == State.SUBMITTED


def test_an_officer_takes_it_to_hand_over_and_the_applicant_hears_each_step(
    db: Session, applicant: Actor, officer: Actor
) -> None:
    application = renewal(db, applicant, payment="counter")
    db.commit()
    with pytest.raises(ValidationFailed):
        service.decide(db, application_id=application.id, action=Action.REFUSE, actor=officer)
    for action in (Action.APPROVE, Action.ISSUE, Action.HAND_OVER):
        service.decide(db, application_id=application.id, action=action, actor=officer)
        db.commit()
    assert application.state == State.HANDED_OVER and application.payment_state == "paid"
    assert application.issued_at is not None and application.closed_at is not None
    assert len(bodies_to(db)) == 4  # received, approved, ready to collect, complete
    with pytest.raises(Conflict):
        service.decide(db, application_id=application.id, action=Action.APPROVE, actor=officer)
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("service.%"))))
    assert {"service.apply", "service.approve", "service.issue", "service.hand_over"} <= actions


def test_issue_waits_for_the_online_payment(db: Session, applicant: Actor, officer: Actor) -> None:
    application = renewal(db, applicant)
    service.decide(db, application_id=application.id, action=Action.APPROVE, actor=officer)
    with pytest.raises(Conflict) as refused:
        service.decide(db, application_id=application.id, action=Action.ISSUE, actor=officer)
    assert refused.value.code == "not_paid"


def test_another_post_and_another_citizen_never_reach_it(
    db: Session, applicant: Actor, officer_kl: Actor
) -> None:
    application = renewal(db, applicant)
    db.commit()
    with pytest.raises(NotFound):
        service.decide(db, application_id=application.id, action=Action.APPROVE, actor=officer_kl)
    rollback_and_keep(db)
    stranger = citizen_of(db, "stranger@example.org", nik="3171011705900002",
                          passport_number="C7654321")  # fmt: skip
    with pytest.raises(NotFound):
        application_file.read(db, application_id=application.id, actor=stranger)
    with pytest.raises(NotFound):
        service.decide(db, application_id=application.id, action=Action.APPROVE, actor=stranger)
    with pytest.raises(Forbidden):  # the applicant does not decide on their own application
        service.decide(db, application_id=application.id, action=Action.APPROVE, actor=applicant)
    total, rows = repository.queue(
        db, actor=officer_kl, filters=repository.QueueFilter(), limit=25, offset=0
    )
    assert (total, rows) == (0, [])
    rollback_and_keep(db)  # the denials are kept although the denied work rolls back
    denied = db.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    assert any(e.entity_id == str(application.id) for e in denied)


def test_in_person_services_are_not_applied_for_online(db: Session, applicant: Actor) -> None:
    data = ApplicationCreate.model_validate({"service": "passport-new", "details_confirmed": True})
    with pytest.raises(ValidationFailed) as refused:
        service.apply(db, data=data, actor=applicant)
    assert refused.value.problems[0].code == "in_person_only"


def test_overdue_applications_escalate_once_to_the_supervisor_and_hq(
    db: Session, applicant: Actor, officer: Actor
) -> None:
    from peduli.auth.actor import Role
    from tests.web.officer_support import make_staff

    make_staff(
        db, "supervisor@kemlu.example", role=Role.SUPERVISOR, representation_code="kbri-seoul"
    )
    make_staff(db, "hq@kemlu.example", role=Role.HQ_ADMIN, representation_code=None)
    application = renewal(db, applicant)
    db.execute(update(ServiceApplication).values(due_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    assert jobs.escalate_overdue(db, utcnow()) == 1
    assert jobs.escalate_overdue(db, utcnow()) == 0
    db.commit()
    keys = (
        db.execute(
            text(
                "SELECT idempotency_key FROM outbox_message"
                " WHERE idempotency_key LIKE 'service-esc%'"
            )
        )
        .scalars()
        .all()
    )
    assert len(keys) == 2
    db.refresh(application)
    assert application.escalated_at is not None
    rows = repository.report(db, actor=officer, now=utcnow())
    assert [(r.received, r.open, r.overdue_open) for r in rows] == [(1, 1, 1)]


def test_hq_publishes_a_new_version_and_old_applications_keep_theirs(
    db: Session, applicant: Actor
) -> None:
    from peduli.auth.actor import Role
    from tests.cases.conftest import staff_actor

    application = renewal(db, applicant)
    admin = staff_actor(db, Role.HQ_ADMIN, None, "hq-admin")
    _version, entry = catalogue.current_of(db, "passport-renewal")
    changed = entry.model_dump(mode="json") | {"fee_usd": "30.00"}
    row = catalogue.publish(db, definition=changed, change_note="New tariff", actor=admin)
    db.commit()
    assert row.version == 2
    assert catalogue.current_of(db, "passport-renewal")[1].fee_usd == Decimal("30.00")
    assert application_file.read(
        db, application_id=application.id, actor=applicant
    ).definition.fee_usd == (Decimal("25.00"))
    officer = staff_actor(db, Role.OFFICER, "kbri-seoul", "officer-x")
    with pytest.raises(Forbidden):
        catalogue.publish(db, definition=changed, change_note="x", actor=officer)


def test_erasure_pseudonymises_applications_and_deletes_their_files(
    db: Session, applicant: Actor
) -> None:
    from peduli.erasure import STEPS
    from peduli.registry import rights

    application = renewal(db, applicant)
    db.commit()
    keys = [d.storage_key for d in application_file.read(
        db, application_id=application.id, actor=applicant).documents]  # fmt: skip
    rights.delete_own_data(db, actor=applicant, steps=STEPS)
    db.commit()
    db.refresh(application)
    assert application.applicant_name != "Muhammad Yusuf" and application.applicant_passport is None
    assert application.service_code == "passport-renewal"  # the report keeps counting it
    for key in keys:
        with pytest.raises(FileNotFoundError):
            get_storage().get(key)
