"""Partner HTTP API: the partner registry (officers, HQ), referrals and delegations as
sub-resources of a case, and the partner's own side under ``/partner``.

Referrals and delegations are part of the case record, so a token needs the case scopes
(``cases:read`` to see them, ``cases:write`` to refer, delegate, revoke or write to the
partner); the registry and a partner's own work need the partner scopes. Which partner or
case a caller may reach is the services' decision (role, post, delegation)."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from peduli.api.deps import PUBLIC, DbSession, require_scope
from peduli.auth.actor import Actor
from peduli.auth.tokens import CASES_READ, CASES_WRITE, PARTNERS_READ, PARTNERS_WRITE
from peduli.partners import (
    agencies,
    casework,
    consultations,
    delegated_cases,
    delegations,
    referrals,
    repository,
    service,
)
from peduli.partners.models import DelegationStatus
from peduli.partners.schemas import (
    AgencyKindRead,
    ConsultationCreate,
    ConsultationCreated,
    DelegationCreate,
    DelegationRead,
    Escalation,
    InformationRequest,
    MemberCreate,
    MemberCreated,
    MemberRead,
    NoteCreate,
    PartnerCaseSummary,
    PartnerCaseView,
    PartnerCreate,
    PartnerEventView,
    PartnerPage,
    PartnerQueue,
    PartnerRead,
    PartnerStatusChange,
    PartnerUpdate,
    ReferralCreate,
    ReferralRead,
    ReferralUpdate,
    Revocation,
)

router = APIRouter(tags=["partners"])
Reader = Annotated[Actor, Depends(require_scope(PARTNERS_READ))]
Writer = Annotated[Actor, Depends(require_scope(PARTNERS_WRITE))]
CaseReader = Annotated[Actor, Depends(require_scope(CASES_READ))]
CaseWriter = Annotated[Actor, Depends(require_scope(CASES_WRITE))]
NO_STORE = {"Cache-Control": "no-store"}
CASE_TAGS: list[str | Enum] = ["referrals and delegations"]
PARTNER_TAGS: list[str | Enum] = ["partner"]


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


# --- partner registry ------------------------------------------------------------------


@router.post("/partners", status_code=status.HTTP_201_CREATED, response_model=PartnerRead)
def create_partner(
    body: PartnerCreate, db: DbSession, actor: Writer, response: Response
) -> PartnerRead:
    """Register a community partner (Mitra) of a representation."""
    _no_store(response)
    return PartnerRead.of(service.create_partner(db, data=body, actor=actor))


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
    limit: Annotated[int, Query(ge=1, le=repository.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PartnerPage:
    """Partners of my representation (HQ: all), by name, with filters."""
    _no_store(response)
    total, rows = repository.list_partners(
        db,
        actor=actor,
        filters=repository.PartnerFilters(
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
        items=[PartnerRead.of(v) for v in rows], total=total, limit=limit, offset=offset
    )


@router.get("/partners/{partner_id}", response_model=PartnerRead)
def read_partner(
    partner_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> PartnerRead:
    """One partner of my representation."""
    _no_store(response)
    return PartnerRead.of(service.get_partner(db, partner_id=partner_id, actor=actor))


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
    return PartnerRead.of(
        service.update_partner(db, partner_id=partner_id, changes=body, actor=actor)
    )


@router.get("/partners/{partner_id}/members", response_model=list[MemberRead])
def list_members(
    partner_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> list[MemberRead]:
    """The partner's accounts."""
    _no_store(response)
    return [MemberRead.of(v) for v in service.list_members(db, partner_id=partner_id, actor=actor)]


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
        **MemberRead.of(view).model_dump(), password=password or "", totp_uri=totp_uri
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
    return PartnerRead.of(service.my_partner(db, actor=actor))


@router.get("/agency-kinds", response_model=list[AgencyKindRead], dependencies=[PUBLIC])
def agency_kinds(request: Request) -> list[AgencyKindRead]:
    """The kinds of agency a case can be referred to (names in the Accept-Language)."""
    language = (request.headers.get("accept-language") or "en")[:2].lower()
    return [AgencyKindRead(code=k.code, name=k.name(language)) for k in agencies.agency_kinds()]


# --- referrals and delegations of a case ------------------------------------------------


@router.post(
    "/cases/{case_id}/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralRead,
    tags=CASE_TAGS,
)
def create_referral(
    case_id: uuid.UUID,
    body: ReferralCreate,
    db: DbSession,
    actor: CaseWriter,
    response: Response,
) -> ReferralRead:
    """Refer the case to an agency; needs the citizen's consent or a stated legal ground."""
    _no_store(response)
    return ReferralRead.model_validate(
        referrals.create_referral(db, case_id=case_id, data=body, actor=actor)
    )


@router.get("/cases/{case_id}/referrals", response_model=list[ReferralRead], tags=CASE_TAGS)
def list_referrals(
    case_id: uuid.UUID, db: DbSession, actor: CaseReader, response: Response
) -> list[ReferralRead]:
    """The case's referrals, oldest first."""
    _no_store(response)
    return [
        ReferralRead.model_validate(r)
        for r in referrals.list_referrals(db, case_id=case_id, actor=actor)
    ]


@router.get("/cases/{case_id}/referrals/{referral_id}", response_model=ReferralRead, tags=CASE_TAGS)
def read_referral(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    db: DbSession,
    actor: CaseReader,
    response: Response,
) -> ReferralRead:
    """One referral of the case."""
    _no_store(response)
    return ReferralRead.model_validate(
        referrals.get_referral(db, case_id=case_id, referral_id=referral_id, actor=actor)
    )


@router.patch(
    "/cases/{case_id}/referrals/{referral_id}", response_model=ReferralRead, tags=CASE_TAGS
)
def update_referral(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    body: ReferralUpdate,
    db: DbSession,
    actor: CaseWriter,
    response: Response,
) -> ReferralRead:
    """Record the agency's answer: sent → accepted | declined | done, accepted → done."""
    _no_store(response)
    return ReferralRead.model_validate(
        referrals.update_referral(
            db, case_id=case_id, referral_id=referral_id, data=body, actor=actor
        )
    )


@router.post(
    "/cases/{case_id}/delegations",
    status_code=status.HTTP_201_CREATED,
    response_model=DelegationRead,
    tags=CASE_TAGS,
)
def create_delegation(
    case_id: uuid.UUID,
    body: DelegationCreate,
    db: DbSession,
    actor: CaseWriter,
    response: Response,
) -> DelegationRead:
    """Delegate the case to a community partner of the same representation."""
    _no_store(response)
    return DelegationRead.of(delegations.delegate(db, case_id=case_id, data=body, actor=actor))


@router.get("/cases/{case_id}/delegations", response_model=list[DelegationRead], tags=CASE_TAGS)
def list_delegations(
    case_id: uuid.UUID, db: DbSession, actor: CaseReader, response: Response
) -> list[DelegationRead]:
    """The case's delegations, oldest first."""
    _no_store(response)
    return [
        DelegationRead.of(v) for v in delegations.list_delegations(db, case_id=case_id, actor=actor)
    ]


@router.get(
    "/cases/{case_id}/delegations/{delegation_id}", response_model=DelegationRead, tags=CASE_TAGS
)
def read_delegation(
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    db: DbSession,
    actor: CaseReader,
    response: Response,
) -> DelegationRead:
    """One delegation of the case."""
    _no_store(response)
    return DelegationRead.of(
        delegations.get_delegation(db, case_id=case_id, delegation_id=delegation_id, actor=actor)
    )


@router.post(
    "/cases/{case_id}/delegations/{delegation_id}/revocation",
    response_model=DelegationRead,
    tags=CASE_TAGS,
)
def revoke_delegation(
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    body: Revocation,
    db: DbSession,
    actor: CaseWriter,
    response: Response,
) -> DelegationRead:
    """Withdraw the delegation: the partner loses access to the case at once."""
    _no_store(response)
    return DelegationRead.of(
        delegations.revoke(db, case_id=case_id, delegation_id=delegation_id, data=body, actor=actor)
    )


@router.post(
    "/cases/{case_id}/delegations/{delegation_id}/notes",
    status_code=status.HTTP_201_CREATED,
    tags=CASE_TAGS,
)
def note_to_partner(
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    body: NoteCreate,
    db: DbSession,
    actor: CaseWriter,
) -> Response:
    """A note the delegated partner sees on its case page (e.g. an answer to an escalation)."""
    event = delegations.note_to_partner(
        db, case_id=case_id, delegation_id=delegation_id, data=body, actor=actor
    )
    return Response(
        content=f'{{"seq": {event.seq}}}',
        media_type="application/json",
        status_code=status.HTTP_201_CREATED,
        headers=NO_STORE,
    )


# --- the partner's own side ----------------------------------------------------------------


@router.get("/partner/cases", response_model=PartnerQueue, tags=PARTNER_TAGS)
def partner_queue(
    db: DbSession,
    actor: Reader,
    response: Response,
    delegation_status: Annotated[DelegationStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=repository.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PartnerQueue:
    """Cases delegated to my organisation and still open, nearest deadline first."""
    _no_store(response)
    total, rows = repository.partner_queue(
        db, actor=actor, status=delegation_status, limit=limit, offset=offset
    )
    return PartnerQueue(
        items=[PartnerCaseSummary.of(r.case, r.delegation) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/partner/cases/{case_id}", response_model=PartnerCaseView, tags=PARTNER_TAGS)
def partner_case(
    case_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> PartnerCaseView:
    """A case delegated to my organisation: no NIK, passport or birth date; contact and exact
    address only when the delegation shares them."""
    _no_store(response)
    return PartnerCaseView.shown(delegated_cases.read_case(db, case_id=case_id, actor=actor))


@router.post(
    "/partner/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED, tags=PARTNER_TAGS
)
def partner_note(
    case_id: uuid.UUID, body: NoteCreate, db: DbSession, actor: Writer
) -> PartnerEventView:
    """Add a note to the case timeline (the representation sees it)."""
    event = casework.add_note(db, case_id=case_id, actor=actor, text=body.text)
    return PartnerEventView.of(event)


@router.post(
    "/partner/cases/{case_id}/information-requests",
    status_code=status.HTTP_202_ACCEPTED,
    tags=PARTNER_TAGS,
)
def ask_citizen(
    case_id: uuid.UUID, body: InformationRequest, db: DbSession, actor: Writer
) -> PartnerEventView:
    """Send the citizen a question through the platform (email or SMS to their contact)."""
    event = casework.ask_citizen(db, case_id=case_id, actor=actor, message=body.message)
    return PartnerEventView.of(event)


@router.post(
    "/partner/cases/{case_id}/status", response_model=PartnerCaseSummary, tags=PARTNER_TAGS
)
def partner_status(
    case_id: uuid.UUID,
    body: PartnerStatusChange,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> PartnerCaseSummary:
    """Accept or decline the delegation, or report the task done."""
    _no_store(response)
    delegated = casework.change_status(
        db, case_id=case_id, actor=actor, status=DelegationStatus(body.status), note=body.note
    )
    return PartnerCaseSummary.of(delegated.case, delegated.delegation)


@router.post(
    "/partner/cases/{case_id}/escalation", response_model=PartnerCaseSummary, tags=PARTNER_TAGS
)
def partner_escalation(
    case_id: uuid.UUID,
    body: Escalation,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> PartnerCaseSummary:
    """Hand the case back to the representation, saying why."""
    _no_store(response)
    delegated = casework.escalate(db, case_id=case_id, actor=actor, reason=body.reason)
    return PartnerCaseSummary.of(delegated.case, delegated.delegation)


@router.post(
    "/partner/consultations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsultationCreated,
    tags=PARTNER_TAGS,
)
def pass_on_consultation(
    body: ConsultationCreate, db: DbSession, actor: Writer, response: Response
) -> ConsultationCreated:
    """Turn my organisation's consultation into a case, delegated back to us."""
    _no_store(response)
    done = consultations.pass_on(db, data=body, actor=actor)
    return ConsultationCreated(
        case_id=done.case.id,
        reference=done.case.reference,
        priority=done.case.priority,
        delegation_id=done.delegation.id,
    )
