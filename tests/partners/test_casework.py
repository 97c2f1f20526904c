"""The partner's casework: notes, questions to the citizen, escalation."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases.models import CaseEvent
from peduli.notify.models import OutboxMessage
from peduli.partners import casework, delegated_cases, delegations
from tests.outbox import opened
from tests.partners.conftest import (
    Scene,
    delegation_body,
    make_partner,
    open_case,
    partner_actor,
)


def test_asking_the_citizen_goes_through_the_outbox(db: Session, scene: Scene) -> None:
    casework.ask_citizen(
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
        casework.ask_citizen(db, case_id=case.id, actor=user, message="Where are you now?")


def test_escalation_tells_the_officer(db: Session, scene: Scene) -> None:
    delegated = casework.escalate(
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
    assert delegated_cases.read_case(db, case_id=scene.case.id, actor=scene.partner_user)


def test_the_escalation_mail_is_in_the_officers_language(db: Session, scene: Scene) -> None:
    from peduli.auth.models import StaffAccount

    db.get_one(StaffAccount, scene.officer.account_id).preferred_language = "fr"
    casework.escalate(
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
