"""Builders for partner tests: partners, their accounts and the actors that use them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.partners import service
from peduli.partners.schemas import MemberCreate, PartnerCreate
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
) -> service.PartnerView:
    view = service.create_partner(db, data=partner_body(**overrides), actor=actor)
    db.commit()
    return view


def partner_actor(
    db: Session, partner: service.PartnerView, email: str = "staf@mitra.example"
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
def seoul_partner(db: Session) -> service.PartnerView:
    return make_partner(db)
