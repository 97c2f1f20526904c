"""The partner's side: isolation, the least-data view, notes, questions, escalation and
consultations that become cases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.cases import changes
from peduli.cases.models import Case, CaseEvent, Visibility
from peduli.core.errors import Forbidden, NotFound, ValidationFailed
from peduli.notify.models import OutboxMessage
from peduli.partners import consultations, delegations, partner_work
from peduli.partners.models import DelegationStatus
from peduli.partners.schemas import ConsultationCreate, PartnerCaseView
from peduli.registry import service as registry_service
from tests.factories import report, staff
from tests.outbox import opened
from tests.partners.conftest import (
    Scene,
    delegation_body,
    make_partner,
    open_case,
    partner_actor,
)


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_another_partner_sees_nothing_of_the_case(db: Session, scene: Scene) -> None:
    other = make_partner(db, actor=scene.officer, name="Mitra Busan", subdivisions=["KR-26"])
    stranger = partner_actor(db, other, email="busan@mitra.example")
    with pytest.raises(NotFound):
        partner_work.read_case(db, case_id=scene.case.id, actor=stranger)
    with pytest.raises(NotFound):
        partner_work.change_status(
            db, case_id=scene.case.id, actor=stranger,
            status=DelegationStatus.ACCEPTED, note=None,
        )  # fmt: skip
    assert partner_work.queue(db, actor=stranger) == (0, [])


def test_an_undelegated_case_is_not_found(db: Session, scene: Scene) -> None:
    other_case = open_case(db, scene.officer, summary="Passport held by the agency.")
    with pytest.raises(NotFound):
        partner_work.read_case(db, case_id=other_case.id, actor=scene.partner_user)
    total, rows = partner_work.queue(db, actor=scene.partner_user)
    assert total == 1 and rows[0].case.id == scene.case.id


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HQ_ADMIN, Role.AGENCY, Role.CITIZEN])
def test_partner_endpoints_are_for_partners_only(db: Session, scene: Scene, role: Role) -> None:
    with pytest.raises(Forbidden):
        partner_work.read_case(db, case_id=scene.case.id, actor=staff(role))


def _registered_case(db: Session, officer: Actor) -> Case:
    outcome = registry_service.submit_self_report(db, report=report(), actor=staff(Role.HQ_ADMIN))
    db.commit()
    return open_case(db, officer, person_id=str(outcome.person.id), people=[], contact_email=None)


def test_the_view_has_no_nik_passport_or_birth_date(db: Session, officer: Actor) -> None:
    partner = make_partner(db, actor=officer)
    user = partner_actor(db, partner)
    case = _registered_case(db, officer)
    delegations.delegate(
        db, case_id=case.id, data=delegation_body(partner.partner.id), actor=officer
    )
    db.commit()
    view = PartnerCaseView.shown(partner_work.read_case(db, case_id=case.id, actor=user))
    dumped = view.model_dump(mode="json")
    keys = _keys(dumped)
    for secret in ("nik", "passport", "passports", "date_of_birth", "person_id", "sex"):
        assert secret not in keys
    text = view.model_dump_json()
    assert "3171011705900001" not in text and "C1234567" not in text
    person = view.people[0]
    assert (person.name, person.city, person.home_province) == ("Muhammad Yusuf", "Seoul", "31")
    # Not shared: no phone, email or address.
    assert (person.phone, person.email, person.address) == (None, None, None)
    assert "Sejong-daero" not in text and "+8210" not in text


def test_contact_and_address_only_when_shared(db: Session, officer: Actor) -> None:
    partner = make_partner(db, actor=officer)
    user = partner_actor(db, partner)
    case = _registered_case(db, officer)
    body = delegation_body(partner.partner.id, share_contact=True, share_address=True)
    delegations.delegate(db, case_id=case.id, data=body, actor=officer)
    db.commit()
    person = partner_work.read_case(db, case_id=case.id, actor=user).people[0]
    assert person.phone == "+821012345678"
    assert person.email == "yusuf@example.org"
    assert person.address == "12 Sejong-daero, Jung-gu"


def test_the_partner_timeline_hides_internal_notes(db: Session, scene: Scene) -> None:
    changes.add_note(
        db, case_id=scene.case.id, actor=scene.officer, text="Internal: suspect the agent."
    )
    changes.add_note(
        db, case_id=scene.case.id, actor=scene.officer, text="Shared: we are on it.",
        visibility=Visibility.SHARED,
    )  # fmt: skip
    partner_work.add_note(db, case_id=scene.case.id, actor=scene.partner_user, text="Visited her.")
    db.commit()
    texts = [e.text for e in partner_work.read_case(
        db, case_id=scene.case.id, actor=scene.partner_user
    ).timeline]  # fmt: skip
    assert "Internal: suspect the agent." not in texts
    assert "Shared: we are on it." in texts and "Visited her." in texts


def test_asking_the_citizen_goes_through_the_outbox(db: Session, scene: Scene) -> None:
    partner_work.ask_citizen(
        db, case_id=scene.case.id, actor=scene.partner_user,
        message="Which dormitory do you live in now?",
    )  # fmt: skip
    db.commit()
    message = db.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key.like("partners.info-request:%"))
    ).one()
    assert opened(message) == "siti@example.org" and message.channel == "email"
    assert "Which dormitory do you live in now?" in message.body
    assert scene.case.reference in message.body
    event = db.scalars(select(CaseEvent).where(CaseEvent.kind == "info_request")).one()
    assert "siti@example.org" not in event.data


def test_asking_without_any_contact_is_a_conflict(db: Session, officer: Actor) -> None:
    partner = make_partner(db, actor=officer)
    user = partner_actor(db, partner)
    case = open_case(db, officer, people=[{"name": "Tanpa Kontak"}], contact_email=None)
    delegations.delegate(
        db, case_id=case.id, data=delegation_body(partner.partner.id), actor=officer
    )
    db.commit()
    from peduli.core.errors import Conflict

    with pytest.raises(Conflict):
        partner_work.ask_citizen(db, case_id=case.id, actor=user, message="Where are you now?")


def test_escalation_tells_the_officer(db: Session, scene: Scene) -> None:
    delegated = partner_work.escalate(
        db, case_id=scene.case.id, actor=scene.partner_user,
        reason="She says her life is threatened.",
    )  # fmt: skip
    db.commit()
    assert delegated.delegation.status == "escalated"
    message = db.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key.like("partners.escalated:%"))
    ).one()
    assert opened(message) == "officer-seoul@kemlu.example"
    # The officer picked no language: Indonesian.
    assert message.body == (
        "Paguyuban WNI Ansan mengembalikan kasus "
        f"{scene.case.reference} ke perwakilan: She says her life is threatened."
    )
    # Still visible to the partner until the representation revokes or it is done.
    assert partner_work.read_case(db, case_id=scene.case.id, actor=scene.partner_user)


def _consultation(**overrides: Any) -> ConsultationCreate:
    values: dict[str, Any] = {
        "category": "job_fraud",
        "summary": "Paid an agent 3 million won for a job that does not exist.",
        "name": "Rudi Hartono",
        "phone": "010-2222-3333",
        "city": "Ansan",
        "consent": True,
    }
    values.update(overrides)
    return ConsultationCreate.model_validate(values)


def test_a_consultation_becomes_a_case_delegated_back(db: Session, scene: Scene) -> None:
    done = consultations.pass_on(db, data=_consultation(), actor=scene.partner_user)
    db.commit()
    assert done.case.intake_channel == "partner"
    assert done.case.representation_code == "kbri-seoul"
    assert done.case.reference.startswith("KBRI-SEOUL-")
    assert done.delegation.status == "accepted"
    shown = partner_work.read_case(db, case_id=done.case.id, actor=scene.partner_user)
    assert shown.people[0].name == "Rudi Hartono"
    assert shown.people[0].phone == "+821022223333"
    assert partner_work.queue(db, actor=scene.partner_user)[0] == 2
    # The representation sees the case in its own scope.
    assert db.get(Case, done.case.id) is not None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"category": "nonsense"}, "category"),
        ({"name": None, "phone": None}, "name"),
    ],
)
def test_bad_consultations_are_refused(
    db: Session, scene: Scene, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as failed:
        consultations.pass_on(db, data=_consultation(**overrides), actor=scene.partner_user)
    assert field in [p.field for p in failed.value.problems]


def test_only_partner_accounts_pass_on_consultations(db: Session) -> None:
    with pytest.raises(Forbidden):
        consultations.pass_on(db, data=_consultation(), actor=staff(Role.OFFICER))


def test_the_escalation_mail_is_in_the_officers_language(db: Session, scene: Scene) -> None:
    from peduli.auth.models import StaffAccount

    db.get_one(StaffAccount, scene.officer.account_id).preferred_language = "fr"
    partner_work.escalate(
        db, case_id=scene.case.id, actor=scene.partner_user, reason="Elle est menacée."
    )
    db.commit()
    message = db.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key.like("partners.escalated:%"))
    ).one()
    reference = scene.case.reference
    assert message.subject == f"Peduli : Paguyuban WNI Ansan a remonté le dossier {reference}"
    assert message.body == (
        f"Paguyuban WNI Ansan a renvoyé le dossier {reference} à la représentation : "
        "Elle est menacée."
    )
