"""Builders for partner tests: partners, their accounts and the actors that use them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.cases import service as cases_service
from peduli.cases.models import Case
from peduli.cases.schemas import CaseCreate
from peduli.partners import delegations, repository, service
from peduli.partners.schemas import DelegationCreate, MemberCreate, PartnerCreate
from tests.factories import staff

SEOUL_OFFICER = staff(Role.OFFICER, "kbri-seoul")
KL_OFFICER = staff(Role.OFFICER, "kbri-kuala-lumpur")
HQ_ADMIN = staff(Role.HQ_ADMIN)


def partner_body(**overrides: Any) -> PartnerCreate:
    """A valid partner of KBRI Seoul; override any field."""
    values: dict[str, Any] = {
        "name": "Paguyuban WNI Ansan",
        "kind": "diaspora_association",
        "country": "KR",
        "subdivisions": ["KR-41"],
        "cities": ["Ansan", "Siheung"],
        "home_provinces": ["35", "33"],
        "languages": ["id", "jv", "ko"],
        "contact_name": "Pak Slamet",
        "contact_email": "Mitra.Ansan@example.org",
        "contact_phone": "010-1234-5678",
    }
    values.update(overrides)
    return PartnerCreate.model_validate(values)


def make_partner(
    db: Session, actor: Actor = SEOUL_OFFICER, **overrides: Any
) -> repository.PartnerView:
    view = service.create_partner(db, data=partner_body(**overrides), actor=actor)
    db.commit()
    return view


def partner_actor(
    db: Session, partner: repository.PartnerView, email: str = "staf@mitra.example"
) -> Actor:
    """A signed-in member of ``partner`` (its account created through the service)."""
    officer = staff(Role.HQ_ADMIN)
    view, _password, _uri = service.add_member(
        db,
        partner_id=partner.partner.id,
        data=MemberCreate(email=email, display_name="Staf Mitra"),
        actor=officer,
    )
    db.commit()
    return Actor(
        role=Role.PARTNER,
        account_id=view.account.id,
        display=view.account.email,
        representation_code=view.account.representation_code,
    )


@pytest.fixture
def seoul_partner(db: Session) -> repository.PartnerView:
    return make_partner(db)


def staff_account(db: Session, role: Role, post: str | None, name: str) -> Actor:
    """A real staff account (reminders and escalations email it) as a request's actor."""
    account = StaffAccount(
        email=f"{name}@kemlu.example", display_name=name, role=role.value,
        representation_code=post,
    )  # fmt: skip
    db.add(account)
    db.flush()
    return Actor(
        role=role,
        account_id=account.id,
        display=name,
        representation_code=post if role in (Role.OFFICER, Role.SUPERVISOR) else None,
    )


def open_case(db: Session, actor: Actor, **overrides: Any) -> Case:
    """A labour case of the officer's post with one registered-less person and a contact."""
    values: dict[str, Any] = {
        "category": "labour",
        "summary": "Wages unpaid for four months.",
        "people": [{"name": "Siti Aminah", "phone": "+821055556666"}],
        "contact_email": "siti@example.org",
    }
    values.update(overrides)
    case = cases_service.open_case(db, data=CaseCreate.model_validate(values), actor=actor)
    db.commit()
    return case


def delegation_body(partner_id: uuid.UUID, **overrides: Any) -> DelegationCreate:
    values: dict[str, Any] = {
        "partner_id": str(partner_id),
        "task": "Visit the dormitory and check on her.",
        "consent": True,
        "consent_note": "Agreed by phone.",
    }
    values.update(overrides)
    return DelegationCreate.model_validate(values)


@dataclass
class Scene:
    """A Seoul case delegated to a Seoul partner, and the actors around it."""

    officer: Actor
    partner: repository.PartnerView
    partner_user: Actor
    case: Case
    delegation_id: uuid.UUID


@pytest.fixture
def officer(db: Session) -> Actor:
    return staff_account(db, Role.OFFICER, "kbri-seoul", "officer-seoul")


@pytest.fixture
def scene(db: Session, officer: Actor) -> Scene:
    partner = make_partner(db, actor=officer)
    user = partner_actor(db, partner)
    case = open_case(db, officer)
    view = delegations.delegate(
        db, case_id=case.id, data=delegation_body(partner.partner.id), actor=officer
    )
    db.commit()
    return Scene(officer, partner, user, case, view.delegation.id)
