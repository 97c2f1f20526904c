"""Identity claims: a citizen's report that names a record which is not theirs.

Knowing a NIK proves nothing (its digits are the birth date and sex), so such a report
changes nothing: it is kept whole, sealed, as a pending claim for the officers of the post
of the reported stay. It is proven by a one-time code sent to a contact the record already
trusts (never one the claim brought), or by an officer who checked the passport in person or
by video; an officer may also merge it into the record, or refuse it with a reason. Only a
proven or merged claim is applied, through the same code as any report on a known person,
so the replaced passport and contacts stay as history. A civil-registry answer is the third
proof (``ClaimProof.CIVIL_REGISTRY``): the agencies worker checks a claim's report, mother's
name included, and proves it through ``claim_decisions.prove_by_civil_registry``.
This module opens claims and serves the claimant; the post's decisions are in
``claim_decisions``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, codes
from peduli.auth import citizens as citizen_accounts
from peduli.auth.actor import Actor, Role
from peduli.core import ratelimit
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import (
    Conflict,
    FieldProblem,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
)
from peduli.core.i18n import _, in_language
from peduli.notify import service as notify_service
from peduli.reference.profile import get_profile
from peduli.reference.representations import Representation
from peduli.registry import matching, report_records, repository, service, validation
from peduli.registry.models import (
    CLAIM_REPORT_PURPOSE,
    ClaimProof,
    ClaimStatus,
    IdentityClaim,
    Person,
)
from peduli.registry.schemas import SelfReportCreate

CODE_PURPOSE = "identity-claim"
CODES_PER_CLAIM_PER_HOUR = 3
# However many claims name one record, its holder's phone is not flooded with codes.
CODES_PER_RECORD_PER_HOUR = 6
# An account that names record after record is probing NIKs or spamming a post's queue
# (every report that does not join the account's own record counts, claim or not).
CLAIMS_PER_ACCOUNT_PER_DAY = 3
HOUR = 3600
DAY = 24 * HOUR
# Offered to people; ``ClaimProof.CIVIL_REGISTRY`` is given by the agencies worker.
OFFERED_PROOFS = (ClaimProof.CODE, ClaimProof.DOCUMENT_CHECK, ClaimProof.OFFICER_MERGE)


def open_claim(
    session: Session,
    *,
    person_id: uuid.UUID,
    report: SelfReportCreate,
    representation: Representation | None,
    actor: Actor,
) -> IdentityClaim:
    """Keep a citizen's report naming someone else's record as a pending claim; nothing of
    it reaches the record."""
    claim = IdentityClaim(
        id=uuid.uuid4(),
        person_id=person_id,
        account_id=actor.account_id,
        report_encrypted=get_cipher().encrypt(
            report.model_dump_json(), purpose=CLAIM_REPORT_PURPOSE
        ),
        language=report.language,
        representation_code=_responsible_post(session, person_id, representation),
        status=ClaimStatus.PENDING,
    )
    session.add(claim)
    audit.record(
        session,
        actor=actor,
        action="identity_claim.create",
        entity_type="identity_claim",
        entity_id=str(claim.id),
        subject_person_id=person_id,
        fields=sorted(report.model_fields_set),
    )
    return claim


def count_report_beyond_own_record(session: Session, *, actor: Actor) -> None:
    """Count a citizen's report whose NIK or passport is not their own record's, whether it
    starts or changes their record or opens a claim: an account naming NIK after NIK is
    held off alike in every case, so the limit does not tell which NIKs are on record."""
    ratelimit.hit(
        session,
        key=f"claims:account:{actor.account_id}",
        limit=CLAIMS_PER_ACCOUNT_PER_DAY,
        window_seconds=DAY,
    )


def report_of(claim: IdentityClaim) -> SelfReportCreate:
    """The claim's report as the citizen sent it."""
    text = get_cipher().decrypt(claim.report_encrypted, purpose=CLAIM_REPORT_PURPOSE)
    return SelfReportCreate.model_validate_json(text)


def reported_place(claim: IdentityClaim) -> tuple[str, str, Representation | None]:
    """The city and country the claim's report names and the post serving them, as for
    any report (never the record's own post, which would tell where the record is)."""
    report = report_of(claim)
    return report.city, report.country, report_records.resolve_representation(report)


def _responsible_post(
    session: Session, person_id: uuid.UUID, reported: Representation | None
) -> str | None:
    """The post whose officers decide: the record's own (the claimant cannot choose it by
    reporting a stay elsewhere); the reported stay's only when the record has no post."""
    record_posts = sorted(repository.representation_codes(session, person_id))
    if record_posts:
        return record_posts[0]
    return reported.code if reported else None


# --- the claimant's side -------------------------------------------------------------------


def own_claims(session: Session, *, actor: Actor) -> list[IdentityClaim]:
    """The signed-in citizen's claims, newest first (status only: never the record)."""
    if actor.role != Role.CITIZEN:
        return []
    rows = session.scalars(
        select(IdentityClaim)
        .where(IdentityClaim.account_id == actor.account_id)
        .order_by(IdentityClaim.created_at.desc())
        .limit(20)
    )
    return list(rows)


def own_claim(session: Session, *, claim_id: uuid.UUID, actor: Actor) -> IdentityClaim:
    """One of the citizen's own claims; anyone else's does not exist for them."""
    claim = session.get(IdentityClaim, claim_id)
    if claim is None or actor.role != Role.CITIZEN or claim.account_id != actor.account_id:
        raise NotFound(_("No claim has this id; check the link or sign in again."))
    return claim


def _code_key(claim: IdentityClaim) -> str:
    return codes.purpose_key(CODE_PURPOSE, str(claim.id))


def send_code(session: Session, *, claim_id: uuid.UUID, actor: Actor) -> None:
    """Send a code to every contact the record trusts (never one the claim brought).

    The claimant learns nothing of the record: the answer is the same whether or not it
    holds a trusted contact. The holder reads who asked and that they can ignore it.
    """
    claim = still_pending(session, own_claim(session, claim_id=claim_id, actor=actor))
    ratelimit.hit(
        session,
        key=f"claim-code:{claim.id}",
        limit=CODES_PER_CLAIM_PER_HOUR,
        window_seconds=HOUR,
    )
    ratelimit.hit(
        session,
        key=f"claim-code:person:{claim.person_id}",
        limit=CODES_PER_RECORD_PER_HOUR,
        window_seconds=HOUR,
    )
    contacts = repository.trusted_contacts_of(session, claim.person_id)
    if contacts:
        language = session.get_one(Person, claim.person_id).preferred_language
        codes.issue_code(
            session,
            key=_code_key(claim),
            recipients=[codes.Address(c.kind, c.value) for c in contacts],
            subject=in_language(
                _("Peduli: someone asks to link an account to your record"), language
            ),
            body=lambda code, minutes: in_language(
                _(
                    "Someone signed in to Peduli asks to link their account to your record. "
                    "If it is you, enter this code on the page of your report: {code} (valid "
                    "{minutes} minutes). If it is not you, do not share it and call your "
                    "representation."
                ).format(code=code, minutes=minutes),
                language,
            ),
            idempotency_prefix="claim-code",
        )
    audit.record(
        session,
        actor=actor,
        action="identity_claim.code_sent",
        entity_type="identity_claim",
        entity_id=str(claim.id),
        subject_person_id=claim.person_id,
        fields=["trusted_contacts"] if contacts else [],
    )


def prove_by_code(
    session: Session, *, claim_id: uuid.UUID, code: str, actor: Actor
) -> IdentityClaim:
    """The claimant enters the code sent to the record's trusted contact: the claim is
    proven, the account linked and the report applied."""
    claim = still_pending(session, own_claim(session, claim_id=claim_id, actor=actor), lock=True)
    try:
        codes.use_code(session, key=_code_key(claim), code=code)
    except NotAuthenticated as error:
        raise ValidationFailed(
            [
                FieldProblem(
                    "code",
                    "code_invalid",
                    error.detail,
                    _("Use the code of the newest message, or ask for a new code."),
                )
            ]
        ) from error
    apply_claim(session, claim, actor=actor, proof=ClaimProof.CODE, link=True)
    return claim


# --- shared with the post's decisions (claim_decisions) -------------------------------------


def still_pending(session: Session, claim: IdentityClaim, *, lock: bool = False) -> IdentityClaim:
    """The claim, if nobody decided it yet (``lock``: held until the decision commits)."""
    if lock:
        session.refresh(claim, with_for_update=True)
    if claim.status != ClaimStatus.PENDING:
        raise Conflict(_("This claim was already decided; reload the page."), code="claim_decided")
    return claim


def record_decision(
    claim: IdentityClaim, status: ClaimStatus, actor: Actor, *, proof: ClaimProof | None
) -> None:
    """Mark the claim decided: its status, the proof, who and when."""
    claim.status = status
    claim.proof = proof
    claim.decided_by = actor.account_id
    claim.decided_at = utcnow()


def apply_claim(
    session: Session,
    claim: IdentityClaim,
    *,
    actor: Actor,
    proof: ClaimProof,
    link: bool,
    trust_all: bool = False,
) -> Person:
    """Apply a proven (or merged) claim: the report joins the record as any report on a
    known person would, the claimant's account is linked when it was proven theirs."""
    report = report_of(claim)
    identity = validation.validate_report(report, get_profile(), today=claim.created_at.date())
    person = service.follow_merges(session, session.get_one(Person, claim.person_id))
    # Proven: the code that signed the claimant in came back from their address. Merged
    # without linking: the claimant need not be the person, so nothing they sent is trusted
    # unless the officer confirmed it.
    address = citizen_accounts.citizen_address(session, account_id=claim.account_id)
    trusted = (
        report_records.vouched_by_officer
        if trust_all
        else report_records.signed_in_with(address if link else None)
    )
    service.attach_report(
        session,
        person=person,
        report=report,
        identity=identity,
        representation=report_records.resolve_representation(report),
        source="self_report",
        trusted=trusted,
    )
    if link:
        _link(session, claim, person)
    record_decision(claim, ClaimStatus.PROVEN if link else ClaimStatus.MERGED, actor, proof=proof)
    audit.record(
        session,
        actor=actor,
        action=f"identity_claim.{proof.value}",
        entity_type="identity_claim",
        entity_id=str(claim.id),
        subject_person_id=person.id,
        fields=sorted(report.model_fields_set) + (["citizen_account"] if link else []),
    )
    return person


def _link(session: Session, claim: IdentityClaim, person: Person) -> None:
    """Link the claimant's account; a record it led to before is flagged for a merge."""
    before = citizen_accounts.linked_person(session, account_id=claim.account_id)
    codes.link_citizen_person(session, account_id=claim.account_id, person_id=person.id)
    if before is not None and before != person.id:
        matching.flag_pair(
            session, person.id, before, score=100.0, reason="one account proved both records"
        )


def tell_claimant(session: Session, claim: IdentityClaim, message: str) -> None:
    """One message to the claimant's sign-in address, in the language of their report."""
    address = citizen_accounts.citizen_contact(session, account_id=claim.account_id)
    if address is None:
        return
    notify_service.enqueue(
        session,
        channel=address.channel,
        recipient=address.value,
        subject=in_language(_("Peduli: your identity claim"), claim.language),
        body=in_language(message, claim.language),
        idempotency_key=f"identity-claim:{claim.id}:{claim.status}",
    )
