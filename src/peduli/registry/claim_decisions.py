"""Identity claims, the post's side: the queue of pending claims, and an officer's decision.

An officer of the post that serves the record (HQ admins: any) reads a claim with its
report, then proves it by a document checked in person or by video, merges it into the
record without linking the claimant's account, or refuses it with a reason the claimant
reads. How a claim is opened, proven by code and applied is in ``claims``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import IDENTITY_CLAIM_DECIDERS
from peduli.core.errors import (
    FieldProblem,
    NotFound,
    ValidationFailed,
)
from peduli.core.i18n import _
from peduli.registry import claims, repository
from peduli.registry.models import (
    CheckMethod,
    ClaimProof,
    ClaimStatus,
    DocumentKind,
    IdentityClaim,
)
from peduli.registry.schemas import SelfReportCreate

MIN_REFUSAL_REASON = 5
MAX_REFUSAL_REASON = 1000


@dataclass(frozen=True)
class ClaimView:
    """A claim with its report unsealed, for an officer of its post."""

    claim: IdentityClaim
    report: SelfReportCreate


def pending_claims(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    representation_code: str | None = None,
) -> tuple[int, list[IdentityClaim]]:
    """Pending claims of the caller's post (HQ admins: every post, or the one asked for),
    oldest first."""
    policy.require_role(session, actor, roles=IDENTITY_CLAIM_DECIDERS, action="identity_claim.list")
    query = select(IdentityClaim).where(IdentityClaim.status == ClaimStatus.PENDING)
    scope = policy.post_scope(actor).narrowed_to(representation_code)
    if not scope.every_post:
        query = query.where(scope.within(IdentityClaim.representation_code))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(
            query.order_by(IdentityClaim.created_at, IdentityClaim.id).limit(limit).offset(offset)
        )
    )
    if rows:  # the queue shows each claimant's name, birth date and city from their report
        audit.record(
            session,
            actor=actor,
            action="queue.identity_claims",
            entity_type="queue",
            fields=["full_name", "date_of_birth", "city"],
            reason=f"{len(rows)} claims listed",
        )
    return int(total), rows


def _officer_claim(
    session: Session, claim_id: uuid.UUID, actor: Actor, action: str
) -> IdentityClaim:
    """A claim of the officer's post (HQ admins: any); others are refused and audited."""
    policy.require_role(session, actor, roles=IDENTITY_CLAIM_DECIDERS, action=action)
    claim = session.get(IdentityClaim, claim_id)
    if claim is None:
        raise NotFound(_("No claim has this id."))
    # A decision writes to the record: only its own posts (or HQ admins) may take it.
    record_posts = repository.representation_codes(session, claim.person_id)
    reported = {claim.representation_code} if claim.representation_code else set()
    policy.authorize(
        session,
        actor,
        access=Access.WRITE,
        action=action,
        person_id=None,
        representation_codes=record_posts or reported,
    )
    return claim


def read_claim(session: Session, *, claim_id: uuid.UUID, actor: Actor) -> ClaimView:
    """A claim with its report, for an officer of its post; the read is audited."""
    claim = _officer_claim(session, claim_id, actor, "identity_claim.read")
    audit.record(
        session,
        actor=actor,
        action="identity_claim.read",
        entity_type="identity_claim",
        entity_id=str(claim.id),
        subject_person_id=claim.person_id,
        fields=["report"],
    )
    return ClaimView(claim, claims.report_of(claim))


def check_document(
    session: Session,
    *,
    claim_id: uuid.UUID,
    document_kind: str,
    document_digits: str,
    method: str,
    actor: Actor,
) -> IdentityClaim:
    """An officer of the post checked the claimant's document in person or by video: the
    claim is proven (with what was seen recorded), the account linked, the report applied."""
    kind, digits, how = _document_check(document_kind, document_digits, method)
    claim = claims.still_pending(
        session,
        _officer_claim(session, claim_id, actor, "identity_claim.check"),
        lock=True,
    )
    claim.document_kind, claim.document_digits, claim.check_method = kind, digits, how
    claims.apply_claim(session, claim, actor=actor, proof=ClaimProof.DOCUMENT_CHECK, link=True)
    claims.tell_claimant(
        session,
        claim,
        _("An officer confirmed your identity. Your report is now part of your record."),
    )
    return claim


def merge(
    session: Session, *, claim_id: uuid.UUID, confirm_contacts: bool, actor: Actor
) -> IdentityClaim:
    """An officer applies the claim's report to the record without linking the account
    (e.g. a relative or helper reported for the person); the contacts it brought become
    trusted only when the officer confirms them."""
    claim = claims.still_pending(
        session,
        _officer_claim(session, claim_id, actor, "identity_claim.merge"),
        lock=True,
    )
    claims.apply_claim(
        session,
        claim,
        actor=actor,
        proof=ClaimProof.OFFICER_MERGE,
        link=False,
        trust_all=confirm_contacts,
    )
    claims.tell_claimant(
        session,
        claim,
        _("An officer added your report to the record it names. Your account stays as it was."),
    )
    return claim


def refuse(session: Session, *, claim_id: uuid.UUID, reason: str, actor: Actor) -> IdentityClaim:
    """An officer refuses a claim with a reason; the record is untouched, the claimant told."""
    text = reason.strip()
    if not MIN_REFUSAL_REASON <= len(text) <= MAX_REFUSAL_REASON:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason",
                    "reason_required",
                    _("Give the reason for refusing ({min} to {max} characters).").format(
                        min=MIN_REFUSAL_REASON, max=MAX_REFUSAL_REASON
                    ),
                    _("The citizen reads it; write what they can do next."),
                )
            ]
        )
    claim = claims.still_pending(
        session,
        _officer_claim(session, claim_id, actor, "identity_claim.refuse"),
        lock=True,
    )
    claims.record_decision(claim, ClaimStatus.REFUSED, actor, proof=None)
    claim.refusal_reason = text
    audit.record(
        session,
        actor=actor,
        action="identity_claim.refuse",
        entity_type="identity_claim",
        entity_id=str(claim.id),
        subject_person_id=claim.person_id,
        reason=text,
    )
    claims.tell_claimant(
        session,
        claim,
        _(
            "We could not confirm that the record your report names is yours, so it was not "
            "changed. The officer's reason: {reason}"
        ).format(reason=text),
    )
    return claim


def prove_by_civil_registry(
    session: Session, *, claim_id: uuid.UUID, actor: Actor
) -> IdentityClaim:
    """The civil-registry proof: the agencies worker found every field of the claim's report,
    the mother's name included, matching the NIK's holder at the civil registry (a check the
    registry does not make itself: it knows nothing of the agencies). The claim is proven,
    the account linked, the report applied, the claimant told."""
    claim = claims.still_pending(
        session,
        _officer_claim(session, claim_id, actor, "identity_claim.civil_registry"),
        lock=True,
    )
    claims.apply_claim(session, claim, actor=actor, proof=ClaimProof.CIVIL_REGISTRY, link=True)
    claims.tell_claimant(
        session,
        claim,
        _("The civil registry confirmed your identity. Your report is now part of your record."),
    )
    return claim


def _document_check(kind: str, digits: str, method: str) -> tuple[str, str, str]:
    problems = []
    if kind not in {k.value for k in DocumentKind}:
        problems.append(
            FieldProblem(
                "document_kind",
                "unknown_document",
                _("Choose the kind of document you checked."),
                _("A passport, a KTP, or another identity document."),
            )
        )
    cleaned = digits.strip().upper()
    if not (2 <= len(cleaned) <= 6 and cleaned.isalnum()):
        problems.append(
            FieldProblem(
                "document_digits",
                "digits_invalid",
                _("Give the last 2 to 6 letters or digits of the document's number."),
                _("Only the end of the number is kept, e.g. 4567."),
            )
        )
    if method not in {m.value for m in CheckMethod}:
        problems.append(
            FieldProblem(
                "method",
                "unknown_method",
                _("Say how you checked the document: in person or by video."),
                _("A photo sent by message is not enough."),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return kind, cleaned, method
