"""Partner HTTP API: the partner registry (officers, HQ), referrals and delegations as
sub-resources of a case, and the partner's own side under ``/partner``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from peduli.api.deps import PUBLIC, DbSession
from peduli.partners import agencies, service
from peduli.partners.case_api import router as case_router
from peduli.partners.partner_api import Reader, Writer
from peduli.partners.partner_api import router as partner_router
from peduli.partners.schemas import (
    AgencyKindRead,
    MemberCreate,
    MemberCreated,
    MemberRead,
    PartnerCreate,
    PartnerPage,
    PartnerRead,
    PartnerUpdate,
)

router = APIRouter(tags=["partners"])
NO_STORE = {"Cache-Control": "no-store"}


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


def _partner_read(view: service.PartnerView) -> PartnerRead:
    partner = view.partner
    return PartnerRead(
        id=partner.id,
        name=partner.name,
        kind=partner.kind,
        representation_code=partner.representation_code,
        country=partner.country,
        subdivisions=list(partner.subdivisions or []),
        cities=list(partner.cities or []),
        home_provinces=view.home_provinces,
        languages=list(partner.languages or []),
        contact_name=partner.contact_name,
        contact_email=partner.contact_email,
        contact_phone=partner.contact_phone,
        description=partner.description,
        active=partner.active,
        created_at=partner.created_at,
        updated_at=partner.updated_at,
    )


def _member_read(view: service.MemberView) -> MemberRead:
    return MemberRead(
        account_id=view.account.id,
        email=view.account.email,
        display_name=view.account.display_name,
        member_role=view.member.member_role,
        disabled=view.account.disabled_at is not None,
        created_at=view.member.created_at,
    )


# --- partner registry ------------------------------------------------------------------


@router.post("/partners", status_code=status.HTTP_201_CREATED, response_model=PartnerRead)
def create_partner(
    body: PartnerCreate, db: DbSession, actor: Writer, response: Response
) -> PartnerRead:
    """Register a community partner (Mitra) of a representation."""
    _no_store(response)
    return _partner_read(service.create_partner(db, data=body, actor=actor))


@router.get("/partners", response_model=PartnerPage)
def list_partners(
    db: DbSession,
    actor: Reader,
    response: Response,
    representation: Annotated[str | None, Query(max_length=40, description="HQ only.")] = None,
    active: bool | None = None,
    home_province: Annotated[str | None, Query(max_length=2)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PartnerPage:
    """Partners of my representation (HQ: all), by name, with filters."""
    _no_store(response)
    total, rows = service.list_partners(
        db,
        actor=actor,
        filters=service.PartnerFilters(
            representation_code=representation,
            active=active,
            home_province=home_province,
            country=country,
            name=name,
        ),
        limit=limit,
        offset=offset,
    )
    return PartnerPage(
        items=[_partner_read(v) for v in rows], total=total, limit=limit, offset=offset
    )


@router.get("/partners/{partner_id}", response_model=PartnerRead)
def read_partner(
    partner_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> PartnerRead:
    """One partner of my representation."""
    _no_store(response)
    return _partner_read(service.get_partner(db, partner_id=partner_id, actor=actor))


@router.patch("/partners/{partner_id}", response_model=PartnerRead)
def update_partner(
    partner_id: uuid.UUID,
    body: PartnerUpdate,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> PartnerRead:
    """Change a partner; ``active: false`` cuts its accounts' access at once."""
    _no_store(response)
    return _partner_read(
        service.update_partner(db, partner_id=partner_id, changes=body, actor=actor)
    )


@router.get("/partners/{partner_id}/members", response_model=list[MemberRead])
def list_members(
    partner_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> list[MemberRead]:
    """The partner's accounts."""
    _no_store(response)
    return [_member_read(v) for v in service.list_members(db, partner_id=partner_id, actor=actor)]


@router.post(
    "/partners/{partner_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberCreated,
)
def add_member(
    partner_id: uuid.UUID,
    body: MemberCreate,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> MemberCreated:
    """Create an account (role partner) for one of the partner's people; the password and
    the authenticator key are shown only in this response."""
    _no_store(response)
    view, password, totp_uri = service.add_member(db, partner_id=partner_id, data=body, actor=actor)
    return MemberCreated(
        **_member_read(view).model_dump(), password=password or "", totp_uri=totp_uri
    )


@router.delete(
    "/partners/{partner_id}/members/{account_id}", status_code=status.HTTP_204_NO_CONTENT
)
def remove_member(
    partner_id: uuid.UUID, account_id: uuid.UUID, db: DbSession, actor: Writer
) -> Response:
    """Unlink a member and disable the account (its sessions and tokens end at once)."""
    service.remove_member(db, partner_id=partner_id, account_id=account_id, actor=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=NO_STORE)


@router.get("/partner/me", response_model=PartnerRead)
def my_partner(db: DbSession, actor: Reader, response: Response) -> PartnerRead:
    """For a partner account: the partner it works for."""
    _no_store(response)
    return _partner_read(service.my_partner(db, actor=actor))


@router.get("/agency-kinds", response_model=list[AgencyKindRead], dependencies=[PUBLIC])
def agency_kinds(request: Request) -> list[AgencyKindRead]:
    """The kinds of agency a case can be referred to (names in the Accept-Language)."""
    language = (request.headers.get("accept-language") or "en")[:2].lower()
    return [AgencyKindRead(code=k.code, name=k.name(language)) for k in agencies.agency_kinds()]


router.include_router(case_router)
router.include_router(partner_router)
