"""Delegations: the consent-or-legal-ground rule, every status transition, revocation."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.cases.models import CaseEvent
from peduli.core.errors import Conflict, NotFound, ValidationFailed
from peduli.partners import casework, delegated_cases, delegations, repository, workflow
from peduli.partners.models import ACTIVE_DELEGATION, Delegation, DelegationStatus
from peduli.partners.schemas import Revocation
from tests.partners.conftest import (
    KL_OFFICER,
    Scene,
    delegation_body,
    make_partner,
    open_case,
    partner_actor,
    staff_account,
)


@pytest.mark.parametrize(
    ("basis", "code"),
    [
        ({"consent": False}, "basis_required"),
        ({"consent": True, "legal_ground": "vital_interest", "legal_ground_note": "x" * 20},
         "consent_or_ground"),
        ({"consent": False, "legal_ground": "vital_interest"}, "ground_note_required"),
        ({"consent": False, "legal_ground": "vital_interest", "legal_ground_note": "short"},
         "ground_note_required"),
    ],
)  # fmt: skip
def test_consent_or_a_stated_legal_ground_is_required(
    db: Session, officer: Actor, basis: dict[str, Any], code: str
) -> None:
    partner = make_partner(db, actor=officer)
    case = open_case(db, officer)
    body = delegation_body(partner.partner.id, consent_note=None, **basis)
    with pytest.raises(ValidationFailed) as failed:
        delegations.delegate(db, case_id=case.id, data=body, actor=officer)
    assert [p.code for p in failed.value.problems] == [code]


def test_a_legal_ground_with_its_reason_is_enough(db: Session, officer: Actor) -> None:
    partner = make_partner(db, actor=officer)
    case = open_case(db, officer, danger_to_life=True)
    body = delegation_body(
        partner.partner.id,
        consent=False,
        consent_note=None,
        legal_ground="vital_interest",
        legal_ground_note="Locked in by the employer, phone taken away.",
    )
    view = delegations.delegate(db, case_id=case.id, data=body, actor=officer)
    assert (view.delegation.basis, view.delegation.status) == ("vital_interest", "sent")
    # A critical case gets a one-day deadline by default.
    assert (view.delegation.due_at - view.delegation.created_at).days == 0
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "partners.delegation_create")
    ).one()
    assert entry.reason == "Locked in by the employer, phone taken away."


def test_only_partners_of_the_cases_post_and_one_open_delegation(
    db: Session, officer: Actor, scene: Scene
) -> None:
    kl_partner = make_partner(
        db, actor=KL_OFFICER, name="Mitra KL", country="MY", subdivisions=[], contact_phone=None
    )
    with pytest.raises(ValidationFailed) as failed:
        delegations.delegate(
            db, case_id=scene.case.id, data=delegation_body(kl_partner.partner.id), actor=officer
        )
    assert failed.value.problems[0].code == "unknown_partner"
    with pytest.raises(Conflict):
        delegations.delegate(
            db, case_id=scene.case.id, data=delegation_body(scene.partner.partner.id), actor=officer
        )


def test_an_officer_of_another_post_cannot_delegate(db: Session, scene: Scene) -> None:
    other = staff_account(db, Role.OFFICER, "kbri-kuala-lumpur", "officer-kl")
    with pytest.raises(NotFound):
        delegations.delegate(
            db, case_id=scene.case.id, data=delegation_body(scene.partner.partner.id), actor=other
        )
    with pytest.raises(NotFound):
        delegations.list_delegations(db, case_id=scene.case.id, actor=other)


ALL = list(DelegationStatus)
PARTNER_TARGETS = [DelegationStatus.ACCEPTED, DelegationStatus.DECLINED, DelegationStatus.DONE,
                   DelegationStatus.ESCALATED]  # fmt: skip


@pytest.mark.parametrize(("start", "target"), list(itertools.product(ALL, PARTNER_TARGETS)))
def test_every_partner_transition(
    db: Session, scene: Scene, start: DelegationStatus, target: DelegationStatus
) -> None:
    db.execute(
        update(Delegation).where(Delegation.id == scene.delegation_id).values(status=start.value)
    )
    db.commit()

    def change() -> None:
        casework.change_status(
            db, case_id=scene.case.id, actor=scene.partner_user, status=target, note="Noted."
        )

    if start not in ACTIVE_DELEGATION:
        with pytest.raises(NotFound):  # a closed delegation gives no access at all
            change()
        return
    if target in workflow.PARTNER_TRANSITIONS[start]:
        change()
        db.commit()
        assert db.get(Delegation, scene.delegation_id).status == target.value  # type: ignore[union-attr]
        last = db.scalars(select(CaseEvent).order_by(CaseEvent.seq.desc()).limit(1)).one()
        assert last.kind == "delegation" and f'"status": "{target.value}"' in last.data
    else:
        with pytest.raises(workflow.StatusNotAllowed):
            change()


@pytest.mark.parametrize("start", ALL)
def test_revocation_from_every_status(db: Session, scene: Scene, start: DelegationStatus) -> None:
    db.execute(
        update(Delegation).where(Delegation.id == scene.delegation_id).values(status=start.value)
    )
    db.commit()
    reason = Revocation(reason="The citizen withdrew consent.")
    if start in workflow.REVOCABLE:
        view = delegations.revoke(
            db, case_id=scene.case.id, delegation_id=scene.delegation_id, data=reason,
            actor=scene.officer,
        )  # fmt: skip
        assert view.delegation.status == "revoked"
    else:
        with pytest.raises(workflow.StatusNotAllowed):
            delegations.revoke(
                db, case_id=scene.case.id, delegation_id=scene.delegation_id, data=reason,
                actor=scene.officer,
            )  # fmt: skip


def test_revocation_cuts_access_on_the_next_request(db: Session, scene: Scene) -> None:
    shown = delegated_cases.read_case(db, case_id=scene.case.id, actor=scene.partner_user)
    assert shown.delegated.case.reference == scene.case.reference
    assert repository.partner_queue(db, actor=scene.partner_user)[0] == 1
    delegations.revoke(
        db,
        case_id=scene.case.id,
        delegation_id=scene.delegation_id,
        data=Revocation(reason="The citizen withdrew consent."),
        actor=scene.officer,
    )
    db.commit()
    with pytest.raises(NotFound):
        delegated_cases.read_case(db, case_id=scene.case.id, actor=scene.partner_user)
    with pytest.raises(NotFound):
        casework.add_note(db, case_id=scene.case.id, actor=scene.partner_user, text="Hi")
    assert repository.partner_queue(db, actor=scene.partner_user) == (0, [])


def test_a_new_delegation_after_revocation_restores_access(db: Session, scene: Scene) -> None:
    delegations.revoke(
        db,
        case_id=scene.case.id,
        delegation_id=scene.delegation_id,
        data=Revocation(reason="Sent to the wrong person."),
        actor=scene.officer,
    )
    again = delegations.delegate(
        db,
        case_id=scene.case.id,
        data=delegation_body(scene.partner.partner.id),
        actor=scene.officer,
    )
    db.commit()
    shown = delegated_cases.read_case(db, case_id=scene.case.id, actor=scene.partner_user)
    assert shown.delegated.delegation.id == again.delegation.id
    # The revoked delegation's events are not shown through the new one.
    assert all(f'"delegation_id": "{scene.delegation_id}"' not in e.data for e in shown.timeline)


def test_every_change_is_on_the_timeline_and_in_the_audit_log(db: Session, scene: Scene) -> None:
    casework.change_status(
        db, case_id=scene.case.id, actor=scene.partner_user,
        status=DelegationStatus.ACCEPTED, note=None,
    )  # fmt: skip
    casework.add_note(db, case_id=scene.case.id, actor=scene.partner_user, text="Visited.")
    casework.escalate(
        db, case_id=scene.case.id, actor=scene.partner_user, reason="The employer threatened her."
    )
    db.commit()
    kinds = db.scalars(
        select(CaseEvent.kind).where(CaseEvent.case_id == scene.case.id).order_by(CaseEvent.seq)
    ).all()
    assert kinds == ["created", "delegation", "delegation", "partner_note", "delegation"]
    actions = db.scalars(select(AuditEntry.action)).all()
    for action in ("partners.delegation_create", "partners.delegation_status", "partners.note"):
        assert action in actions


def test_the_officer_answers_an_escalation_and_the_partner_resumes(
    db: Session, scene: Scene
) -> None:
    casework.escalate(
        db, case_id=scene.case.id, actor=scene.partner_user, reason="The employer threatened her."
    )
    from peduli.partners.schemas import NoteCreate

    delegations.note_to_partner(
        db,
        case_id=scene.case.id,
        delegation_id=scene.delegation_id,
        data=NoteCreate(text="We called the employer; go ahead."),
        actor=scene.officer,
    )
    casework.change_status(
        db, case_id=scene.case.id, actor=scene.partner_user,
        status=DelegationStatus.ACCEPTED, note=None,
    )  # fmt: skip
    db.commit()
    shown = delegated_cases.read_case(db, case_id=scene.case.id, actor=scene.partner_user)
    assert "We called the employer; go ahead." in [e.text for e in shown.timeline]


def test_a_second_member_of_the_same_partner_sees_the_case(db: Session, scene: Scene) -> None:
    colleague = partner_actor(db, scene.partner, email="kedua@mitra.example")
    assert delegated_cases.read_case(db, case_id=scene.case.id, actor=colleague).delegated
