"""The partner's own API under ``/partner``: delegated cases only, with the least data."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from peduli.api.deps import DbSession, require_scope
from peduli.auth.actor import Actor
from peduli.auth.tokens import PARTNERS_READ, PARTNERS_WRITE
from peduli.partners import consultations, partner_work
from peduli.partners.models import DelegationStatus
from peduli.partners.schemas import (
    ConsultationCreate,
    ConsultationCreated,
    Escalation,
    InformationRequest,
    NoteCreate,
    PartnerCaseSummary,
    PartnerCaseView,
    PartnerEventView,
    PartnerPersonView,
    PartnerQueue,
    PartnerStatusChange,
)

router = APIRouter(tags=["partner"])
# A token reaches the partner registry and a partner's own work only with these scopes;
# which partner or case it may reach is the service's decision (role, post, delegation).
Reader = Annotated[Actor, Depends(require_scope(PARTNERS_READ))]
Writer = Annotated[Actor, Depends(require_scope(PARTNERS_WRITE))]
NO_STORE = {"Cache-Control": "no-store"}


def _summary(row: partner_work.QueueRow) -> PartnerCaseSummary:
    case, delegation = row.case, row.delegation
    return PartnerCaseSummary(
        case_id=case.id,
        delegation_id=delegation.id,
        reference=case.reference,
        category=case.category,
        priority=case.priority,
        task=delegation.task,
        delegation_status=delegation.status,
        due_at=delegation.due_at,
        delegated_at=delegation.created_at,
    )


def case_view(shown: partner_work.CaseShown) -> PartnerCaseView:
    """The least-data view of a delegated case (also used by the pages)."""
    case, delegation = shown.delegated.case, shown.delegated.delegation
    return PartnerCaseView(
        **_summary(partner_work.QueueRow(case=case, delegation=delegation)).model_dump(),
        case_status=case.status,
        subcategory=case.subcategory,
        summary=case.summary,
        danger_to_life=case.danger_to_life,
        contact_phone=shown.contact_phone,
        contact_email=shown.contact_email,
        people=[
            PartnerPersonView(
                name=p.name,
                home_province=p.home_province,
                city=p.city,
                country=p.country,
                phone=p.phone,
                email=p.email,
                address=p.address,
            )
            for p in shown.people
        ],
        timeline=[
            PartnerEventView(
                seq=e.seq,
                at=e.at,
                kind=e.kind,
                actor=e.actor_display,
                text=e.text,
                data=partner_work.event_data(e),
            )
            for e in shown.timeline
        ],
    )


@router.get("/partner/cases", response_model=PartnerQueue)
def partner_queue(
    db: DbSession,
    actor: Reader,
    response: Response,
    delegation_status: Annotated[DelegationStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=partner_work.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PartnerQueue:
    """Cases delegated to my organisation and still open, nearest deadline first."""
    response.headers.update(NO_STORE)
    total, rows = partner_work.queue(
        db, actor=actor, status=delegation_status, limit=limit, offset=offset
    )
    return PartnerQueue(items=[_summary(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/partner/cases/{case_id}", response_model=PartnerCaseView)
def partner_case(
    case_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> PartnerCaseView:
    """A case delegated to my organisation: no NIK, passport or birth date; contact and exact
    address only when the delegation shares them."""
    response.headers.update(NO_STORE)
    return case_view(partner_work.read_case(db, case_id=case_id, actor=actor))


@router.post("/partner/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED)
def partner_note(
    case_id: uuid.UUID, body: NoteCreate, db: DbSession, actor: Writer
) -> PartnerEventView:
    """Add a note to the case timeline (the representation sees it)."""
    event = partner_work.add_note(db, case_id=case_id, actor=actor, text=body.text)
    return PartnerEventView(
        seq=event.seq, at=event.at, kind=event.kind, actor=event.actor_display,
        text=event.text, data=partner_work.event_data(event),
    )  # fmt: skip


@router.post("/partner/cases/{case_id}/information-requests", status_code=status.HTTP_202_ACCEPTED)
def ask_citizen(
    case_id: uuid.UUID, body: InformationRequest, db: DbSession, actor: Writer
) -> PartnerEventView:
    """Send the citizen a question through the platform (email or SMS to their contact)."""
    event = partner_work.ask_citizen(db, case_id=case_id, actor=actor, message=body.message)
    return PartnerEventView(
        seq=event.seq, at=event.at, kind=event.kind, actor=event.actor_display,
        text=event.text, data=partner_work.event_data(event),
    )  # fmt: skip


@router.post("/partner/cases/{case_id}/status", response_model=PartnerCaseSummary)
def partner_status(
    case_id: uuid.UUID,
    body: PartnerStatusChange,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> PartnerCaseSummary:
    """Accept or decline the delegation, or report the task done."""
    response.headers.update(NO_STORE)
    delegated = partner_work.change_status(
        db, case_id=case_id, actor=actor, status=DelegationStatus(body.status), note=body.note
    )
    return _summary(partner_work.QueueRow(case=delegated.case, delegation=delegated.delegation))


@router.post("/partner/cases/{case_id}/escalation", response_model=PartnerCaseSummary)
def partner_escalation(
    case_id: uuid.UUID,
    body: Escalation,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> PartnerCaseSummary:
    """Hand the case back to the representation, saying why."""
    response.headers.update(NO_STORE)
    delegated = partner_work.escalate(db, case_id=case_id, actor=actor, reason=body.reason)
    return _summary(partner_work.QueueRow(case=delegated.case, delegation=delegated.delegation))


@router.post(
    "/partner/consultations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsultationCreated,
)
def pass_on_consultation(
    body: ConsultationCreate, db: DbSession, actor: Writer, response: Response
) -> ConsultationCreated:
    """Turn my organisation's consultation into a case, delegated back to us."""
    response.headers.update(NO_STORE)
    done = consultations.pass_on(db, data=body, actor=actor)
    return ConsultationCreated(
        case_id=done.case.id,
        reference=done.case.reference,
        priority=done.case.priority,
        delegation_id=done.delegation.id,
    )
