"""The partner's side of a delegated case: isolation, the least-data view, the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.cases import casework as case_casework
from peduli.cases.models import Case, Visibility
from peduli.core.errors import Forbidden, NotFound
from peduli.partners import casework, delegated_cases, delegations, repository
from peduli.partners.models import DelegationStatus
from peduli.partners.schemas import PartnerCaseView
from peduli.registry import service as registry_service
from tests.factories import report, staff
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
        delegated_cases.read_case(db, case_id=scene.case.id, actor=stranger)
    with pytest.raises(NotFound):
        casework.change_status(
            db, case_id=scene.case.id, actor=stranger,
            status=DelegationStatus.ACCEPTED, note=None,
        )  # fmt: skip
    assert repository.partner_queue(db, actor=stranger) == (0, [])


def test_an_undelegated_case_is_not_found(db: Session, scene: Scene) -> None:
    other_case = open_case(db, scene.officer, summary="Passport held by the agency.")
    with pytest.raises(NotFound):
        delegated_cases.read_case(db, case_id=other_case.id, actor=scene.partner_user)
    total, rows = repository.partner_queue(db, actor=scene.partner_user)
    assert total == 1 and rows[0].case.id == scene.case.id


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HQ_ADMIN, Role.AGENCY, Role.CITIZEN])
def test_partner_endpoints_are_for_partners_only(db: Session, scene: Scene, role: Role) -> None:
    with pytest.raises(Forbidden):
        delegated_cases.read_case(db, case_id=scene.case.id, actor=staff(role))


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
    view = PartnerCaseView.shown(delegated_cases.read_case(db, case_id=case.id, actor=user))
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
    person = delegated_cases.read_case(db, case_id=case.id, actor=user).people[0]
    assert person.phone == "+821012345678"
    assert person.email == "yusuf@example.org"
    assert person.address == "12 Sejong-daero, Jung-gu"


def test_the_partner_timeline_hides_internal_notes(db: Session, scene: Scene) -> None:
    case_casework.add_note(
        db, case_id=scene.case.id, actor=scene.officer, text="Internal: suspect the agent."
    )
    case_casework.add_note(
        db, case_id=scene.case.id, actor=scene.officer, text="Shared: we are on it.",
        visibility=Visibility.SHARED,
    )  # fmt: skip
    casework.add_note(db, case_id=scene.case.id, actor=scene.partner_user, text="Visited her.")
    db.commit()
    texts = [e.text for e in delegated_cases.read_case(
        db, case_id=scene.case.id, actor=scene.partner_user
    ).timeline]  # fmt: skip
    assert "Internal: suspect the agent." not in texts
    assert "Shared: we are on it." in texts and "Visited her." in texts
