"""The partner registry: who manages which partners, field checks, members."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.core.errors import Forbidden, NotFound, ValidationFailed
from peduli.partners import service
from peduli.partners.schemas import PartnerUpdate
from tests.factories import staff
from tests.partners.conftest import (
    HQ_ADMIN,
    KL_OFFICER,
    SEOUL_OFFICER,
    make_partner,
    partner_actor,
    partner_body,
)


def test_an_officer_registers_a_partner_of_their_post(db: Session) -> None:
    view = make_partner(db)
    partner = view.partner
    assert partner.representation_code == "kbri-seoul"
    assert partner.contact_email == "mitra.ansan@example.org"
    assert partner.contact_phone == "+821012345678"
    assert view.home_provinces == ["33", "35"]
    assert partner.subdivisions == ["KR-41"]
    actions = db.scalars(select(AuditEntry.action)).all()
    assert "partners.partner_create" in actions


def test_an_officer_cannot_register_for_another_post(db: Session) -> None:
    with pytest.raises(ValidationFailed) as failed:
        service.create_partner(
            db,
            data=partner_body(representation_code="kbri-kuala-lumpur"),
            actor=SEOUL_OFFICER,
        )
    assert failed.value.problems[0].code == "not_your_post"


def test_hq_must_name_the_post(db: Session) -> None:
    with pytest.raises(ValidationFailed) as failed:
        service.create_partner(db, data=partner_body(), actor=HQ_ADMIN)
    assert failed.value.problems[0].field == "representation_code"
    view = service.create_partner(
        db, data=partner_body(representation_code="kbri-seoul"), actor=HQ_ADMIN
    )
    assert view.partner.representation_code == "kbri-seoul"


def test_every_bad_field_is_named_at_once(db: Session) -> None:
    with pytest.raises(ValidationFailed) as failed:
        service.create_partner(
            db,
            data=partner_body(
                country="MY",
                home_provinces=["99", "3x"],
                contact_email="not-an-email",
                contact_phone="12",
            ),
            actor=SEOUL_OFFICER,
        )
    fields = {p.field: p.code for p in failed.value.problems}
    assert fields == {
        "country": "outside_jurisdiction",
        "home_provinces": "unknown_province",
        "contact_email": "email_invalid",
        "contact_phone": "phone_invalid",
    }


def test_unknown_subdivision_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed) as failed:
        service.create_partner(db, data=partner_body(subdivisions=["MY-01"]), actor=SEOUL_OFFICER)
    assert failed.value.problems[0].code == "unknown_subdivision"


@pytest.mark.parametrize("role", [Role.HQ_ANALYST, Role.AGENCY, Role.PARTNER, Role.CITIZEN])
def test_other_roles_do_not_manage_partners(db: Session, role: Role) -> None:
    with pytest.raises(Forbidden):
        service.create_partner(db, data=partner_body(), actor=staff(role))


def test_another_posts_partner_is_not_found(db: Session) -> None:
    view = make_partner(db)
    with pytest.raises(NotFound):
        service.get_partner(db, partner_id=view.partner.id, actor=KL_OFFICER)
    with pytest.raises(NotFound):
        service.update_partner(
            db, partner_id=view.partner.id, changes=PartnerUpdate(name="Taken"), actor=KL_OFFICER
        )


def test_update_changes_only_what_is_given_and_audits_the_fields(db: Session) -> None:
    view = make_partner(db)
    updated = service.update_partner(
        db,
        partner_id=view.partner.id,
        changes=PartnerUpdate(home_provinces=["52"], contact_name="Bu Sri"),
        actor=SEOUL_OFFICER,
    )
    assert updated.home_provinces == ["52"]
    assert updated.partner.contact_name == "Bu Sri"
    assert updated.partner.cities == ["Ansan", "Siheung"]
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "partners.partner_update")
    ).one()
    assert entry.fields == '["contact_name", "home_provinces"]'


def test_members_are_partner_accounts_and_removal_disables_them(db: Session) -> None:
    view = make_partner(db)
    actor = partner_actor(db, view)
    assert service.my_partner(db, actor=actor).partner.id == view.partner.id
    members = service.list_members(db, partner_id=view.partner.id, actor=SEOUL_OFFICER)
    assert [m.account.role for m in members] == ["partner"]
    service.remove_member(
        db, partner_id=view.partner.id, account_id=actor.account_id, actor=SEOUL_OFFICER
    )
    db.commit()
    account = db.get(StaffAccount, actor.account_id)
    assert account is not None and account.disabled_at is not None
    with pytest.raises(Forbidden):
        service.my_partner(db, actor=actor)


def test_a_deactivated_partner_loses_access_at_once(db: Session) -> None:
    view = make_partner(db)
    actor = partner_actor(db, view)
    service.update_partner(
        db, partner_id=view.partner.id, changes=PartnerUpdate(active=False), actor=SEOUL_OFFICER
    )
    db.commit()
    with pytest.raises(Forbidden):
        service.my_partner(db, actor=actor)
