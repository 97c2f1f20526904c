"""Documents API: the published trust list and verification (public), revocation (staff)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from peduli.api.deps import PUBLIC, DbSession, require_scope
from peduli.auth.actor import Actor
from peduli.auth.scopes import DOCUMENTS_WRITE
from peduli.documents import keys, service
from peduli.documents.schemas import (
    DocumentFields,
    DocumentRead,
    RevokeRequest,
    TrustList,
    VerifyRequest,
    VerifyResult,
)

router = APIRouter(tags=["documents"])
Writer = Annotated[Actor, Depends(require_scope(DOCUMENTS_WRITE))]
TRUST_LIST_CACHE = "public, max-age=300, stale-while-revalidate=86400"


@router.get("/documents/trust-list", response_model=TrustList, dependencies=[PUBLIC])
def trust_list(request: Request, db: DbSession, response: Response) -> Response | TrustList:
    """Every signing key by key id, active and retired, signed with the active key (cacheable)."""
    published = keys.trust_list(db)
    body = {name: value for name, value in published.items() if name != "signed"}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
    etag = f'W/"{digest}"'
    headers = {"Cache-Control": TRUST_LIST_CACHE, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return TrustList.model_validate(published)


def verification(result: service.Verification) -> VerifyResult:
    fields = result.fields
    return VerifyResult(
        status=result.verdict.value,
        key_id=result.kid,
        document=None
        if fields is None
        else DocumentFields(
            kind=fields.kind,
            number=fields.number,
            name=fields.name,
            birth_date=fields.birth_date,
            representation=fields.post,
            issuer=fields.issuer,
            issued_at=fields.issued_at,
            expires_on=fields.expires_on,
        ),
        revoked_at=result.revoked_at,
        revocation_reason=result.revocation_reason,
    )


@router.post("/documents/verify", response_model=VerifyResult, dependencies=[PUBLIC])
def verify(body: VerifyRequest, db: DbSession, response: Response) -> VerifyResult:
    """A QR payload → valid, expired, revoked or forged, with the fields it carries.

    Text that is no payload at all is a 422 problem naming ``payload``."""
    response.headers["Cache-Control"] = "no-store"
    return verification(service.verify(db, body.payload))


@router.post("/documents/{document_id}/revoke", response_model=DocumentRead)
def revoke(
    document_id: uuid.UUID, body: RevokeRequest, actor: Writer, db: DbSession
) -> DocumentRead:
    """Revoke a lost or replaced document of the caller's post (HQ admins: any), audited."""
    document = service.revoke(
        db, actor=actor, document_id=document_id, reason=body.reason.value, note=body.note
    )
    return DocumentRead.of(document)
