"""Issue, verify and revoke documents (no HTTP; the caller owns the transaction)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String, insert, literal, select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.documents import access, codec, keys
from peduli.documents.models import IssuedDocument, Revocation, RevocationReason
from peduli.reference.profile import get_profile

_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed back
NUMBER_PREFIXES = {
    "self_report": "LD",
    "certificate": "SK",
    "splp": "SP",
    "civil_status": "CS",
    "passport": "PS",
}


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    FORGED = "forged"


@dataclass(frozen=True)
class Issued:
    document: IssuedDocument
    payload: str  # the QR text


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    fields: codec.Fields | None  # what a genuine payload says; None when forged
    kid: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None


def new_number(kind: str) -> str:
    """A document number: the kind's prefix and 10 random letters and digits."""
    body = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(10))
    return f"{NUMBER_PREFIXES.get(kind, 'DK')}-{body}"


def issue(
    session: Session,
    *,
    kind: str,
    holder_person_id: uuid.UUID,
    name: str,
    birth_date: date,
    representation_code: str,
    expires_on: date,
    actor: Actor | None = None,
    issued_at: datetime | None = None,
) -> Issued:
    """Sign a document with the active key, enter it in the register, audit it."""
    issued_at = (issued_at or utcnow()).replace(microsecond=0)
    document_id = uuid.uuid4()
    signer = keys.active_key(session)
    fields = codec.Fields(
        kind=kind,
        number=new_number(kind),
        name=name,
        birth_date=birth_date,
        post=representation_code,
        issued_at=issued_at,
        expires_on=expires_on,
        issuer=get_profile().country,
    )
    payload = codec.encode(fields, signer.private_key)
    document = IssuedDocument(
        id=document_id,
        kind=kind,
        number=fields.number,
        holder_person_id=holder_person_id,
        representation_code=representation_code,
        key_id=signer.kid,
        payload_hash=codec.payload_hash(payload),
        issued_at=issued_at,
        expires_on=expires_on,
    )
    session.add(document)
    audit.record(
        session,
        actor=actor,
        action="document.issued",
        entity_type="issued_document",
        entity_id=str(document.id),
        subject_person_id=holder_person_id,
        reason=f"{kind} {fields.number}",
    )
    return Issued(document, payload)


def read(text: str) -> codec.Signed:
    """The payload decoded, or a 422 naming the field ``payload``."""
    try:
        return codec.decode(text)
    except codec.Unreadable as error:
        raise ValidationFailed(
            [
                FieldProblem(
                    "payload",
                    "documents.unreadable",
                    _("This is not the code of a document."),
                    _("Scan the QR code again, or type the text under it exactly, from PDL1:."),
                )
            ]
        ) from error


def verify(session: Session, text: str, *, now: datetime | None = None) -> Verification:
    """Check a payload's signature against the trust list, its expiry and the register."""
    signed = read(text)
    public_key = keys.public_keys(session).get(signed.kid)
    if public_key is None or not codec.verify_es256(
        public_key, signed.to_be_signed, signed.signature
    ):
        return Verification(Verdict.FORGED, None)
    fields, kid = signed.fields, signed.kid.hex()
    document = session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.kind == fields.kind, IssuedDocument.number == fields.number
        )
    )
    if document is not None and document.revoked_at is not None:
        return Verification(
            Verdict.REVOKED, fields, kid, document.revoked_at, document.revocation_reason
        )
    moment = now or utcnow()
    if moment.timestamp() >= codec.expiry_instant(fields.expires_on):
        return Verification(Verdict.EXPIRED, fields, kid)
    return Verification(Verdict.VALID, fields, kid)


def documents_of(session: Session, actor: Actor, person_id: uuid.UUID) -> list[IssuedDocument]:
    """The documents of a person that ``actor``'s posts issued, newest first."""
    return list(
        session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.holder_person_id == person_id, access.document_scope(actor))
            .order_by(IssuedDocument.issued_at.desc())
            .limit(100)
        )
    )


def revoke(
    session: Session,
    *,
    actor: Actor,
    document_id: uuid.UUID,
    reason: str,
    note: str | None = None,
) -> IssuedDocument:
    """Revoke a document of the caller's post (HQ: any), with a reason; audited."""
    access.require_revoker(session, actor, action="document.revoke")
    if reason not in set(RevocationReason) or reason == RevocationReason.ERASED:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason",
                    "documents.unknown_reason",
                    _("Choose why the document is revoked."),
                    ", ".join(r for r in RevocationReason if r != RevocationReason.ERASED),
                )
            ]
        )
    document = access.document_in_scope(session, actor, document_id, action="document.revoke")
    if document.revoked_at is not None:
        raise Conflict(_("This document is already revoked."), code="already_revoked")
    now = utcnow()
    document.revoked_at, document.revocation_reason = now, reason
    note = (note or "").strip()[:500] or None
    session.add(
        Revocation(
            document_id=document.id,
            reason=reason,
            note=note,
            revoked_by=actor.account_id,
            revoked_at=now,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="document.revoked",
        entity_type="issued_document",
        entity_id=str(document.id),
        subject_person_id=document.holder_person_id,
        fields=("revoked_at", "revocation_reason"),
        reason=reason,
    )
    return document


def revoke_all_of(
    session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None = None
) -> int:
    """A citizen's erasure: revoke every document still valid of these records (one INSERT
    … SELECT of the revocations, one UPDATE); how many were revoked."""
    if not person_ids:
        return 0
    now = utcnow()
    valid = select(IssuedDocument.id).where(
        IssuedDocument.holder_person_id.in_(person_ids), IssuedDocument.revoked_at.is_(None)
    )
    session.execute(
        insert(Revocation).from_select(
            ["document_id", "reason", "revoked_at"],
            select(
                IssuedDocument.id,
                literal(RevocationReason.ERASED.value, String()),
                literal(now, Revocation.__table__.c.revoked_at.type),
            ).where(IssuedDocument.id.in_(valid)),
        )
    )
    revoked = session.execute(
        update(IssuedDocument)
        .where(IssuedDocument.holder_person_id.in_(person_ids), IssuedDocument.revoked_at.is_(None))
        .values(revoked_at=now, revocation_reason=RevocationReason.ERASED.value)
        .execution_options(synchronize_session=False)
    )
    return int(revoked.rowcount or 0)  # type: ignore[attr-defined]


def move_holder(
    session: Session,
    from_id: uuid.UUID,
    to_id: uuid.UUID,
    ids: Sequence[str] | None = None,
) -> list[str]:
    """A merge of two records (or its undoing): the documents of ``from_id`` (only ``ids``,
    if given) now belong to ``to_id``, in one UPDATE; the ids moved, as text."""
    condition = IssuedDocument.holder_person_id == from_id
    if ids is not None:
        if not ids:
            return []
        condition = condition & IssuedDocument.id.in_([uuid.UUID(text) for text in ids])
    moved = session.execute(
        update(IssuedDocument)
        .where(condition)
        .values(holder_person_id=to_id)
        .returning(IssuedDocument.id)
        .execution_options(synchronize_session=False)
    )
    return [str(row_id) for row_id in moved.scalars()]
