"""The partner lists the pages and the API share: the partners an officer manages, and the
open delegations of a partner account's organisation (its queue).

Both are scoped in SQL from the caller: an officer's post (HQ: every post), a partner
account's active membership. Nothing is cached, so a revoked delegation or an unlinked member
drops out of the next read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases.models import Case
from peduli.partners import access
from peduli.partners.models import (
    ACTIVE_DELEGATION,
    Delegation,
    DelegationStatus,
    Partner,
    PartnerHomeProvince,
    PartnerMember,
)

MAX_PAGE = 200


@dataclass(frozen=True)
class PartnerView:
    """A partner with its home provinces (a separate table)."""

    partner: Partner
    home_provinces: list[str]


@dataclass(frozen=True)
class PartnerFilters:
    representation_code: str | None = None
    active: bool | None = None
    home_province: str | None = None
    country: str | None = None
    name: str | None = None


def provinces_of(session: Session, partner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The home provinces of each partner, by code."""
    found: dict[uuid.UUID, list[str]] = {pid: [] for pid in partner_ids}
    if not partner_ids:
        return found
    rows = session.execute(
        select(PartnerHomeProvince.partner_id, PartnerHomeProvince.province_code)
        .where(PartnerHomeProvince.partner_id.in_(partner_ids))
        .order_by(PartnerHomeProvince.province_code)
    )
    for partner_id, code in rows:
        found[partner_id].append(code)
    return found


def partner_view(session: Session, partner: Partner) -> PartnerView:
    """One partner with its home provinces."""
    return PartnerView(
        partner=partner, home_provinces=provinces_of(session, [partner.id])[partner.id]
    )


def list_partners(
    session: Session,
    *,
    actor: Actor,
    filters: PartnerFilters,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[PartnerView]]:
    """The partners the caller manages, by name, filtered; with the total count."""
    scope = access.manage_scope(session, actor, action="partners.partner_list")
    statement = select(Partner)
    if not scope.every_post:
        statement = statement.where(scope.within(Partner.representation_code))
    elif filters.representation_code:
        statement = statement.where(Partner.representation_code == filters.representation_code)
    if filters.active is not None:
        statement = statement.where(Partner.active.is_(filters.active))
    if filters.country:
        statement = statement.where(Partner.country == filters.country.upper())
    if filters.name:
        pattern = "%" + filters.name.lower().replace("%", "").replace("_", "") + "%"
        statement = statement.where(func.lower(Partner.name).like(pattern))
    if filters.home_province:
        statement = statement.where(
            select(PartnerHomeProvince.partner_id)
            .where(
                PartnerHomeProvince.partner_id == Partner.id,
                PartnerHomeProvince.province_code == filters.home_province,
            )
            .exists()
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = list(
        session.scalars(
            statement.order_by(Partner.name, Partner.id)
            .limit(max(1, min(limit, MAX_PAGE)))
            .offset(max(0, offset))
        )
    )
    provinces = provinces_of(session, [p.id for p in rows])
    return total, [PartnerView(partner=p, home_provinces=provinces[p.id]) for p in rows]


def partners_of_post(session: Session, *, actor: Actor, post: str) -> list[Partner]:
    """The active partners of ``post`` that the caller manages: whom a case of that post can
    be delegated to. By name."""
    scope = access.manage_scope(session, actor, action="partners.partner_list")
    return list(
        session.scalars(
            select(Partner)
            .where(
                scope.within(Partner.representation_code),
                Partner.representation_code == post,
                Partner.active.is_(True),
            )
            .order_by(Partner.name, Partner.id)
            .limit(MAX_PAGE)
        )
    )


def open_delegations_of(actor: Actor) -> ColumnElement[bool]:
    """Delegations of the caller's active partner that are still open."""
    return (
        Delegation.partner_id.in_(
            select(PartnerMember.partner_id)
            .join(Partner, Partner.id == PartnerMember.partner_id)
            .where(PartnerMember.staff_account_id == actor.account_id, Partner.active.is_(True))
        )
    ) & Delegation.status.in_(ACTIVE_DELEGATION)


@dataclass(frozen=True)
class QueueRow:
    """A row of the partner's queue: the case and its delegation."""

    case: Case
    delegation: Delegation


def partner_queue(
    session: Session,
    *,
    actor: Actor,
    status: DelegationStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[QueueRow]]:
    """The open delegations of the caller's partner, nearest deadline first."""
    access.partner_id_of(session, actor, action="partners.queue")
    condition = open_delegations_of(actor)
    if status is not None:
        condition = condition & (Delegation.status == status.value)
    total = session.scalar(select(func.count()).select_from(Delegation).where(condition)) or 0
    rows = session.execute(
        select(Case, Delegation)
        .join(Delegation, Delegation.case_id == Case.id)
        .where(condition)
        .order_by(Delegation.due_at, Delegation.id)
        .limit(max(1, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    )
    return total, [QueueRow(case=c, delegation=d) for c, d in rows.all()]
