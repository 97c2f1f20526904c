"""Referrals to agencies: the consent-or-legal-ground rule, every transition, scope."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.cases.models import CaseEvent
from peduli.core.db import utcnow
from peduli.core.errors import Forbidden, NotFound, ValidationFailed
from peduli.partners import referrals, workflow
from peduli.partners.models import Referral, ReferralStatus
from peduli.partners.schemas import ReferralCreate, ReferralUpdate
from tests.factories import staff
from tests.partners.conftest import open_case, staff_account


def referral_body(**overrides: Any) -> ReferralCreate:
    values: dict[str, Any] = {
        "agency_kind": "police",
        "agency_name": "Ansan Danwon Police Station",
        "purpose": "Report the employer for withholding her passport.",
        "consent": True,
    }
    values.update(overrides)
    return ReferralCreate.model_validate(values)


def test_a_referral_is_sent_with_consent_on_the_timeline(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    referral = referrals.create_referral(db, case_id=case.id, data=referral_body(), actor=officer)
    db.commit()
    assert (referral.status, referral.basis) == ("sent", "consent")
    assert timedelta(days=6) < referral.due_at - utcnow() <= timedelta(days=7)
    event = db.scalars(select(CaseEvent).where(CaseEvent.kind == "referral")).one()
    assert '"agency_kind": "police"' in event.data
    assert "partners.referral_create" in db.scalars(select(AuditEntry.action)).all()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"consent": False}, "consent", "basis_required"),
        ({"legal_ground": "vital_interest", "legal_ground_note": "Detained, no phone."},
         "legal_ground", "consent_or_ground"),
        ({"consent": False, "legal_ground": "legal_obligation"},
         "legal_ground_note", "ground_note_required"),
        ({"agency_kind": "mafia"}, "agency_kind", "unknown_agency_kind"),
        ({"due_at": "2020-01-01T00:00:00+00:00"}, "due_at", "deadline_out_of_range"),
    ],
)  # fmt: skip
def test_bad_referrals_are_refused(
    db: Session, officer: Actor, overrides: dict[str, Any], field: str, code: str
) -> None:
    case = open_case(db, officer)
    with pytest.raises(ValidationFailed) as failed:
        referrals.create_referral(
            db, case_id=case.id, data=referral_body(**overrides), actor=officer
        )
    assert [(p.field, p.code) for p in failed.value.problems] == [(field, code)]


def test_a_legal_ground_is_audited_with_its_reason(db: Session, officer: Actor) -> None:
    case = open_case(db, officer, danger_to_life=True)
    body = referral_body(
        consent=False, legal_ground="vital_interest", legal_ground_note="Held hostage, no contact."
    )
    referral = referrals.create_referral(db, case_id=case.id, data=body, actor=officer)
    assert referral.basis == "vital_interest"
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "partners.referral_create")
    ).one()
    assert entry.reason == "Held hostage, no contact."


@pytest.mark.parametrize(
    ("start", "target"), list(itertools.product(list(ReferralStatus), list(ReferralStatus)))
)
def test_every_referral_transition(
    db: Session, officer: Actor, start: ReferralStatus, target: ReferralStatus
) -> None:
    case = open_case(db, officer)
    referral = referrals.create_referral(db, case_id=case.id, data=referral_body(), actor=officer)
    db.execute(update(Referral).where(Referral.id == referral.id).values(status=start.value))
    db.commit()

    def change() -> Referral:
        return referrals.update_referral(
            db,
            case_id=case.id,
            referral_id=referral.id,
            data=ReferralUpdate(status=target, note="The agency answered."),
            actor=officer,
        )

    if target in workflow.REFERRAL_TRANSITIONS[start]:
        assert change().status == target.value
    else:
        with pytest.raises(workflow.StatusNotAllowed):
            change()


def test_referrals_are_scoped_to_the_cases_post(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    referral = referrals.create_referral(db, case_id=case.id, data=referral_body(), actor=officer)
    db.commit()
    other = staff_account(db, Role.OFFICER, "kbri-kuala-lumpur", "officer-kl")
    with pytest.raises(NotFound):
        referrals.list_referrals(db, case_id=case.id, actor=other)
    with pytest.raises(NotFound):
        referrals.get_referral(db, case_id=case.id, referral_id=referral.id, actor=other)
    assert len(referrals.list_referrals(db, case_id=case.id, actor=staff(Role.HQ_ADMIN))) == 1
    for role in (Role.PARTNER, Role.HQ_ANALYST, Role.AGENCY):
        with pytest.raises(Forbidden):
            referrals.list_referrals(db, case_id=case.id, actor=staff(role))
