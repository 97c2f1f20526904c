"""An SOS becomes a critical case in the right post and alerts the officer on duty."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.cases.models import Case, CaseEvent
from peduli.core.errors import Forbidden
from peduli.emergency import service
from peduli.emergency.models import Emergency
from peduli.emergency.schemas import EmergencyCreate, HotlineCallCreate
from peduli.notify.models import OutboxMessage
from tests.emergency.conftest import KL, SEOUL, on_duty_now, sos, staff_actor
from tests.outbox import opened, recipients


def _report(db: Session, **overrides: object) -> service.Reported:
    data = EmergencyCreate.model_validate(sos(**overrides))
    return service.report_emergency(db, data=data, actor=None, ip="198.51.100.1")


def test_an_sos_is_a_critical_case_of_the_post_serving_the_place(db: Session) -> None:
    outcome = _report(db)
    db.commit()
    case = db.get_one(Case, outcome.emergency.case_id)
    assert (case.priority, case.intake_channel, case.danger_to_life) == (
        "critical", "emergency", True,
    )  # fmt: skip
    assert case.representation_code == SEOUL == outcome.representation.code
    # Names, not codes: the kind and the country as a reader knows them.
    assert case.summary.startswith("Emergency: violence or threats, in Ansan, South Korea.")
    kl = _report(db, country="MY", city="Kuala Lumpur", phone="+60123456789")
    assert db.get_one(Case, kl.emergency.case_id).representation_code == KL


def test_the_officer_on_duty_is_alerted_in_the_same_transaction(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "duty-officer")
    staff_actor(db, Role.OFFICER, SEOUL, "resting-officer")
    staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    on_duty_now(db, officer, phone="+821099998888")
    outcome = _report(db)
    messages = db.scalars(select(OutboxMessage).order_by(OutboxMessage.channel)).all()
    assert {(m.channel, opened(m)) for m in messages} == {
        ("email", "duty-officer@kemlu.example"),
        ("sms", "+821099998888"),
    }
    assert all(outcome.emergency.case_reference in m.subject for m in messages)
    db.rollback()
    assert db.scalars(select(OutboxMessage)).all() == [], "no alert without the case"


def test_without_anyone_on_duty_the_supervisors_are_alerted_at_once(db: Session) -> None:
    staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    _report(db)
    assert recipients(db) == ["supervisor@kemlu.example"]


def test_a_repeat_joins_the_first_and_is_never_refused(db: Session) -> None:
    first = _report(db)
    for _ in range(service.PER_CONTACT_PER_DAY + 3):
        again = _report(db, details="Please hurry")
        assert again.repeat and again.emergency.id == first.emergency.id
    assert db.scalars(select(Emergency)).one().repeats == service.PER_CONTACT_PER_DAY + 3


def test_staff_use_the_hotline_form_not_the_sos(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    with pytest.raises(Forbidden):
        service.report_emergency(
            db, data=EmergencyCreate.model_validate(sos()), actor=officer, ip="x"
        )


def test_a_hotline_call_is_logged_on_the_case_timeline(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    data = HotlineCallCreate.model_validate(
        sos(call_notes="Caller whispering; locked in a flat in Ansan.")
    )
    outcome = service.record_hotline_call(db, data=data, actor=officer)
    assert outcome.emergency.source == "hotline"
    kinds = [
        (e.kind, e.text)
        for e in db.scalars(select(CaseEvent).where(CaseEvent.case_id == outcome.emergency.case_id))
    ]
    assert ("call", "Caller whispering; locked in a flat in Ansan.") in kinds
    assert db.get_one(Case, outcome.emergency.case_id).priority == "critical"


def test_an_officer_records_calls_only_for_their_post(db: Session) -> None:
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    data = HotlineCallCreate.model_validate(
        sos(call_notes="Call.", representation_code=KL, country="MY", phone="+60123456789")
    )
    with pytest.raises(Forbidden):
        service.record_hotline_call(db, data=data, actor=officer)


def test_a_signed_in_citizens_sos_is_linked_to_their_person(db: Session) -> None:
    from peduli.cases.models import CasePerson
    from peduli.registry import service as registry_service
    from tests.factories import refreshed, report, signed_in_citizen

    citizen = signed_in_citizen(db, "yusuf@example.org")
    registry_service.submit_self_report(db, report=report(), actor=citizen)
    citizen = refreshed(db, citizen)
    assert service.citizen_name(db, citizen) == "Muhammad Yusuf"
    data = EmergencyCreate.model_validate(sos(name=None))
    outcome = service.report_emergency(db, data=data, actor=citizen, ip="198.51.100.9")
    linked = db.scalars(
        select(CasePerson.person_id).where(CasePerson.case_id == outcome.emergency.case_id)
    ).one()
    assert linked == citizen.person_id
    assert db.get_one(Case, outcome.emergency.case_id).requester_account_id == citizen.account_id
