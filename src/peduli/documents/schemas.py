"""API bodies and answers: the QR payload to verify, the verdict, a revocation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from peduli.core.schemas import RequestBody
from peduli.documents.codec import MAX_TEXT
from peduli.documents.models import RevocationReason


class VerifyRequest(RequestBody):
    payload: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description="The QR code's text, from PDL1:",
        examples=["PDL1:6BFOXN*TS0BI$ZD..."],
    )


class DocumentFields(BaseModel):
    """What the payload carries: what a verifier compares with the holder and their passport."""

    kind: str
    number: str
    name: str
    birth_date: date
    representation: str
    issuer: str
    issued_at: datetime
    expires_on: date


class VerifyResult(BaseModel):
    status: Literal["valid", "expired", "revoked", "forged"]
    key_id: str | None = None
    document: DocumentFields | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None


class RevokeRequest(RequestBody):
    reason: RevocationReason
    note: str | None = Field(default=None, max_length=500)


class DocumentRead(BaseModel):
    id: uuid.UUID
    kind: str
    number: str
    holder_person_id: uuid.UUID
    representation: str
    key_id: str
    issued_at: datetime
    expires_on: date
    revoked_at: datetime | None
    revocation_reason: str | None

    @classmethod
    def of(cls, document: Any) -> DocumentRead:
        return cls(
            id=document.id,
            kind=document.kind,
            number=document.number,
            holder_person_id=document.holder_person_id,
            representation=document.representation_code,
            key_id=document.key_id,
            issued_at=document.issued_at,
            expires_on=document.expires_on,
            revoked_at=document.revoked_at,
            revocation_reason=document.revocation_reason,
        )


class TrustKey(BaseModel):
    kid: str
    alg: str
    state: str
    created_at: str
    retired_at: str | None
    jwk: dict[str, str]


class TrustList(BaseModel):
    version: int
    issuer: str
    prefix: str
    updated_at: str
    keys: list[TrustKey]
    signed: str = Field(description="Compact JWS (ES256) over this list, by the active key.")
