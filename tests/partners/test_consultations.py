"""A partner's consultation becomes a case delegated back to it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.cases.models import Case
from peduli.core.errors import Forbidden, ValidationFailed
from peduli.partners import consultations, delegated_cases, repository
from peduli.partners.schemas import ConsultationCreate
from tests.factories import staff
from tests.partners.conftest import (
    Scene,
)


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
    shown = delegated_cases.read_case(db, case_id=done.case.id, actor=scene.partner_user)
    assert shown.people[0].name == "Rudi Hartono"
    assert shown.people[0].phone == "+821022223333"
    assert repository.partner_queue(db, actor=scene.partner_user)[0] == 2
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
