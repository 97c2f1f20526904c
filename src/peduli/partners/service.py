"""The partner registry: partners of a representation and the accounts of their people.

Officers and supervisors manage their own representation's partners, HQ administrators
every partner. Every change is audited; list queries are scoped in SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from peduli.auth import accounts, audit, policy, totp
from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.partners import access, repository
from peduli.partners.models import MemberRole, Partner, PartnerHomeProvince, PartnerMember
from peduli.partners.repository import PartnerView
from peduli.partners.schemas import MemberCreate, PartnerCreate, PartnerUpdate
from peduli.partners.validation import check_partner_fields
from peduli.reference import places


@dataclass(frozen=True)
class MemberView:
    member: PartnerMember
    account: StaffAccount


def _set_provinces(session: Session, partner_id: uuid.UUID, codes: Sequence[str]) -> None:
    session.execute(delete(PartnerHomeProvince).where(PartnerHomeProvince.partner_id == partner_id))
    unique = sorted(set(codes))
    if unique:
        session.execute(
            insert(PartnerHomeProvince),
            [{"partner_id": partner_id, "province_code": code} for code in unique],
        )


def _representation_for(actor: Actor, requested: str | None, scope: policy.PostScope) -> str:
    """The post a new partner belongs to: the officer's own, or the one HQ names."""
    if not scope.every_post:
        own = actor.representation_code or ""
        if requested and requested.strip().lower() != own:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "representation_code",
                        "not_your_post",
                        _("You manage only the partners of your own representation."),
                        _("Leave representation_code out; your post ({code}) is used.").format(
                            code=own
                        ),
                    )
                ]
            )
        return own
    if not requested:
        raise ValidationFailed(
            [
                FieldProblem(
                    "representation_code",
                    "required",
                    _("Name the representation that manages this partner."),
                    _("Give its code, e.g. kbri-seoul."),
                )
            ]
        )
    code = requested.strip().lower()
    if places.representation_by_code(code) is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "representation_code",
                    "unknown_representation",
                    _("There is no representation with code {code!r}.").format(code=code),
                    _("List the codes with GET /api/v1/representations."),
                )
            ]
        )
    return code


def create_partner(session: Session, *, data: PartnerCreate, actor: Actor) -> PartnerView:
    """Register a community partner of a representation."""
    scope = access.manage_scope(session, actor, action="partners.partner_create")
    representation_code = _representation_for(actor, data.representation_code, scope)
    fields = check_partner_fields(
        representation_code=representation_code,
        country=data.country,
        subdivisions=data.subdivisions,
        home_provinces=data.home_provinces,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
    )
    partner = Partner(
        name=data.name,
        kind=data.kind.value,
        representation_code=representation_code,
        country=fields.country,
        subdivisions=fields.subdivisions,
        cities=list(dict.fromkeys(data.cities)),
        languages=list(dict.fromkeys(data.languages)),
        contact_name=data.contact_name,
        contact_email=fields.contact_email,
        contact_phone=fields.contact_phone,
        description=data.description,
        active=True,
    )
    session.add(partner)
    session.flush()
    _set_provinces(session, partner.id, fields.home_provinces)
    audit.record(
        session,
        actor=actor,
        action="partners.partner_create",
        entity_type="partner",
        entity_id=str(partner.id),
        ip=actor.ip,
    )
    return repository.partner_view(session, partner)


def _managed_partner(
    session: Session, *, partner_id: uuid.UUID, actor: Actor, action: str
) -> Partner:
    """A partner the caller manages; another post's partner is 'not found' to them."""
    scope = access.manage_scope(session, actor, action=action)
    statement = select(Partner).where(Partner.id == partner_id)
    statement = statement.where(scope.within(Partner.representation_code))
    partner = session.scalar(statement)
    if partner is None:
        audit.record_denial(
            session, actor=actor, action=action, entity_type="partner", entity_id=str(partner_id)
        )
        raise NotFound(_("No partner of your representation has this id."))
    return partner


def get_partner(session: Session, *, partner_id: uuid.UUID, actor: Actor) -> PartnerView:
    """One partner of the caller's representation (HQ: any)."""
    partner = _managed_partner(
        session, partner_id=partner_id, actor=actor, action="partners.partner_read"
    )
    return repository.partner_view(session, partner)


def update_partner(
    session: Session, *, partner_id: uuid.UUID, changes: PartnerUpdate, actor: Actor
) -> PartnerView:
    """Change a partner; deactivating it cuts its accounts' access at once."""
    partner = _managed_partner(
        session, partner_id=partner_id, actor=actor, action="partners.partner_update"
    )
    given = changes.model_dump(exclude_unset=True)
    current_provinces = repository.provinces_of(session, [partner.id])[partner.id]
    fields = check_partner_fields(
        representation_code=partner.representation_code,
        country=partner.country,
        subdivisions=given.get("subdivisions", partner.subdivisions) or [],
        home_provinces=given.get("home_provinces", current_provinces) or [],
        contact_email=given.get("contact_email", partner.contact_email),
        contact_phone=given.get("contact_phone", partner.contact_phone),
    )
    values: dict[str, Any] = {
        "subdivisions": fields.subdivisions,
        "contact_email": fields.contact_email,
        "contact_phone": fields.contact_phone,
    }
    for name in ("name", "contact_name", "description", "active"):
        if name in given:
            values[name] = given[name]
    if given.get("kind") is not None:
        values["kind"] = str(given["kind"])
    for name in ("cities", "languages"):
        if given.get(name) is not None:
            values[name] = list(dict.fromkeys(given[name]))
    changed = [name for name, value in values.items() if getattr(partner, name) != value]
    for name in changed:
        setattr(partner, name, values[name])
    if "home_provinces" in given and sorted(set(fields.home_provinces)) != current_provinces:
        _set_provinces(session, partner.id, fields.home_provinces)
        changed.append("home_provinces")
    session.flush()
    if changed:
        audit.record(
            session,
            actor=actor,
            action="partners.partner_update",
            entity_type="partner",
            entity_id=str(partner.id),
            fields=changed,
            ip=actor.ip,
        )
    return repository.partner_view(session, partner)


def my_partner(session: Session, *, actor: Actor) -> PartnerView:
    """The partner a partner account works for."""
    partner_id = access.partner_id_of(session, actor, action="partners.partner_read_own")
    partner = session.get(Partner, partner_id)
    assert partner is not None
    return repository.partner_view(session, partner)


def add_member(
    session: Session, *, partner_id: uuid.UUID, data: MemberCreate, actor: Actor
) -> tuple[MemberView, str | None, str]:
    """Create a partner account for one of the partner's people.

    Returns the member, the generated password (shown once) and the authenticator URI.
    """
    partner = _managed_partner(
        session, partner_id=partner_id, actor=actor, action="partners.member_add"
    )
    account, password = accounts.create_staff(
        session,
        email=data.email,
        role=Role.PARTNER,
        representation_code=partner.representation_code,
        display_name=data.display_name,
        actor=actor,
    )
    member = PartnerMember(
        staff_account_id=account.id, partner_id=partner.id, member_role=data.member_role.value
    )
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="partners.member_add",
        entity_type="partner",
        entity_id=str(partner.id),
        reason=f"account {account.id}",
        ip=actor.ip,
    )
    return MemberView(member=member, account=account), password, totp.provisioning_uri(account)


def link_member(
    session: Session,
    *,
    partner_id: uuid.UUID,
    staff_account_id: uuid.UUID,
    member_role: MemberRole,
    actor: Actor,
) -> MemberView:
    """Link an existing partner-role account to a partner (demo, CLI)."""
    partner = _managed_partner(
        session, partner_id=partner_id, actor=actor, action="partners.member_add"
    )
    account = session.get(StaffAccount, staff_account_id)
    if account is None or account.role != Role.PARTNER:
        raise ValidationFailed(
            [
                FieldProblem(
                    "email",
                    "not_a_partner_account",
                    _("This account does not have the partner role."),
                    _("Create a partner account instead."),
                )
            ]
        )
    member = session.get(PartnerMember, account.id)
    if member is None:
        member = PartnerMember(
            staff_account_id=account.id, partner_id=partner.id, member_role=member_role.value
        )
        session.add(member)
    else:
        member.partner_id = partner.id
        member.member_role = member_role.value
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="partners.member_link",
        entity_type="partner",
        entity_id=str(partner.id),
        reason=f"account {account.id}",
        ip=actor.ip,
    )
    return MemberView(member=member, account=account)


def list_members(session: Session, *, partner_id: uuid.UUID, actor: Actor) -> list[MemberView]:
    """The accounts of a partner's people."""
    partner = _managed_partner(
        session, partner_id=partner_id, actor=actor, action="partners.member_list"
    )
    rows = session.execute(
        select(PartnerMember, StaffAccount)
        .join(StaffAccount, StaffAccount.id == PartnerMember.staff_account_id)
        .where(PartnerMember.partner_id == partner.id)
        .order_by(StaffAccount.display_name, StaffAccount.id)
    )
    return [MemberView(member=m, account=a) for m, a in rows.all()]


def remove_member(
    session: Session, *, partner_id: uuid.UUID, account_id: uuid.UUID, actor: Actor
) -> None:
    """Unlink a member and disable the account: its sessions and tokens end at once."""
    partner = _managed_partner(
        session, partner_id=partner_id, actor=actor, action="partners.member_remove"
    )
    member = session.scalar(
        select(PartnerMember).where(
            PartnerMember.partner_id == partner.id, PartnerMember.staff_account_id == account_id
        )
    )
    account = session.get(StaffAccount, account_id)
    if member is None or account is None:
        raise NotFound(_("This partner has no member with this account id."))
    session.delete(member)
    session.flush()
    accounts.disable_staff(session, email=account.email, actor=actor)
    audit.record(
        session,
        actor=actor,
        action="partners.member_remove",
        entity_type="partner",
        entity_id=str(partner.id),
        reason=f"account {account.id}",
        ip=actor.ip,
    )
