"""Identity claims by API: the claimant's side (code, proof), the post's (check, merge, refuse)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from peduli.api.deps import (
    OWN,
    CurrentActor,
    DbSession,
)
from peduli.registry import claim_decisions, claims
from peduli.registry.api.common import (
    NO_STORE,
    Reader,
    Writer,
    no_store,
)
from peduli.registry.schemas import (
    ClaimCode,
    ClaimMerge,
    ClaimOfficerRead,
    ClaimPage,
    ClaimRead,
    ClaimRefusal,
    DocumentCheck,
)

router = APIRouter(tags=["registry"])


def _claim_officer_read(view: claim_decisions.ClaimView) -> ClaimOfficerRead:
    claim = view.claim
    return ClaimOfficerRead(
        **ClaimRead.model_validate(claim).model_dump(),
        person_id=claim.person_id,
        document_kind=claim.document_kind,
        document_digits=claim.document_digits,
        check_method=claim.check_method,
        report=view.report,
    )


@router.get("/me/claims", response_model=list[ClaimRead], dependencies=[OWN])
def my_claims(db: DbSession, actor: CurrentActor, response: Response) -> list[ClaimRead]:
    """My identity claims and their status (never the record they name)."""
    no_store(response)
    return [ClaimRead.model_validate(c) for c in claims.own_claims(db, actor=actor)]


@router.post("/me/claims/{claim_id}/code", status_code=status.HTTP_202_ACCEPTED, dependencies=[OWN])
def send_claim_code(claim_id: uuid.UUID, db: DbSession, actor: CurrentActor) -> Response:
    """Send a code to the contacts the claimed record already trusts (never the claim's)."""
    claims.send_code(db, claim_id=claim_id, actor=actor)
    return Response(status_code=status.HTTP_202_ACCEPTED, headers=NO_STORE)


@router.post("/me/claims/{claim_id}/proof", response_model=ClaimRead, dependencies=[OWN])
def prove_claim(
    claim_id: uuid.UUID, body: ClaimCode, db: DbSession, actor: CurrentActor, response: Response
) -> ClaimRead:
    """Prove my claim with the code sent to the record: my account is linked to it."""
    no_store(response)
    claim = claims.prove_by_code(db, claim_id=claim_id, code=body.code, actor=actor)
    return ClaimRead.model_validate(claim)


@router.get("/identity-claims", response_model=ClaimPage)
def list_claims(
    db: DbSession,
    actor: Reader,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ClaimPage:
    """Pending identity claims of my post, oldest first."""
    no_store(response)
    total, items = claim_decisions.pending_claims(db, actor=actor, limit=limit, offset=offset)
    return ClaimPage(total=total, items=[ClaimRead.model_validate(c) for c in items])


@router.get("/identity-claims/{claim_id}", response_model=ClaimOfficerRead)
def read_claim(
    claim_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> ClaimOfficerRead:
    """One claim with its report; the read is audited."""
    no_store(response)
    return _claim_officer_read(claim_decisions.read_claim(db, claim_id=claim_id, actor=actor))


@router.post("/identity-claims/{claim_id}/document-check", response_model=ClaimRead)
def check_claim_document(
    claim_id: uuid.UUID, body: DocumentCheck, db: DbSession, actor: Writer
) -> ClaimRead:
    """I checked the claimant's document in person or by video: the claim is proven."""
    claim = claim_decisions.check_document(
        db,
        claim_id=claim_id,
        document_kind=body.document_kind,
        document_digits=body.document_digits,
        method=body.method,
        actor=actor,
    )
    return ClaimRead.model_validate(claim)


@router.post("/identity-claims/{claim_id}/merge", response_model=ClaimRead)
def merge_claim(claim_id: uuid.UUID, body: ClaimMerge, db: DbSession, actor: Writer) -> ClaimRead:
    """Apply the claim's report to the record without linking the claimant's account."""
    claim = claim_decisions.merge(
        db, claim_id=claim_id, confirm_contacts=body.confirm_contacts, actor=actor
    )
    return ClaimRead.model_validate(claim)


@router.post("/identity-claims/{claim_id}/refusal", response_model=ClaimRead)
def refuse_claim(
    claim_id: uuid.UUID, body: ClaimRefusal, db: DbSession, actor: Writer
) -> ClaimRead:
    """Refuse the claim with a reason the claimant reads; the record is untouched."""
    return ClaimRead.model_validate(
        claim_decisions.refuse(db, claim_id=claim_id, reason=body.reason, actor=actor)
    )
