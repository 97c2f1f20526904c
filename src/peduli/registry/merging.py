"""Officer review of possible duplicates: merge two records into one, or dismiss the pair.

A merge keeps everything: stays, passports and contacts move to the surviving record,
missing fields are filled from the other, and the absorbed record stays as a tombstone
pointing to the survivor so old links and the audit trail still lead somewhere.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth import citizens as citizen_accounts
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import DUPLICATE_REVIEWERS
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import matching, repository, service
from peduli.registry.models import (
    ContactPoint,
    DataRequest,
    DuplicateCandidate,
    DuplicateStatus,
    IdentityClaim,
    Passport,
    Person,
    PersonStatus,
    Stay,
)

FILLABLE_FIELDS = (
    "place_of_birth",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relation",
    "consent_at",
    "consent_version",
    "preferred_channel",
)


def list_open(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[int, list[DuplicateCandidate]]:
    """Open pairs in the caller's jurisdiction (all of them for HQ admins)."""
    policy.require_role(session, actor, roles=DUPLICATE_REVIEWERS, action="duplicate.list")
    return repository.open_duplicates(
        session,
        representation_codes=policy.post_scope(actor).limited_to,
        limit=limit,
        offset=offset,
    )


def _open_pair(
    session: Session, candidate_id: uuid.UUID, actor: Actor, action: str
) -> DuplicateCandidate:
    policy.require_role(session, actor, roles=DUPLICATE_REVIEWERS, action=action)
    pair = session.get(DuplicateCandidate, candidate_id)
    if pair is None:
        raise NotFound(_("No possible duplicate has this id."))
    if pair.status != DuplicateStatus.OPEN:
        raise Conflict(
            _("This pair was already {status}; reload the list.").format(status=pair.status),
            code="already_resolved",
        )
    for person_id in (pair.person_id, pair.other_person_id):
        service.authorize_person(
            session, actor, person_id=person_id, access=Access.WRITE, action=action
        )
    return pair


def _resolve(pair: DuplicateCandidate, status: DuplicateStatus, actor: Actor) -> None:
    pair.status = status
    pair.resolved_by = actor.account_id
    pair.resolved_at = utcnow()


def dismiss(session: Session, *, candidate_id: uuid.UUID, actor: Actor) -> DuplicateCandidate:
    """Two different people after all: close the pair so it is not proposed again."""
    pair = _open_pair(session, candidate_id, actor, "duplicate.dismiss")
    _resolve(pair, DuplicateStatus.DISMISSED, actor)
    audit.record(
        session,
        actor=actor,
        action="duplicate.dismiss",
        entity_type="duplicate_candidate",
        entity_id=str(pair.id),
        subject_person_id=pair.person_id,
    )
    return pair


def merge(
    session: Session, *, candidate_id: uuid.UUID, keep_person_id: uuid.UUID, actor: Actor
) -> Person:
    """Merge the pair into ``keep_person_id``; the other record joins it with all it had."""
    pair = _open_pair(session, candidate_id, actor, "duplicate.merge")
    if keep_person_id not in (pair.person_id, pair.other_person_id):
        raise ValidationFailed(
            [
                FieldProblem(
                    "keep_person_id",
                    "not_in_pair",
                    _("The record to keep must be one of the two in this pair."),
                    _("Use person_id or other_person_id of the pair."),
                )
            ]
        )
    absorbed_id = pair.other_person_id if keep_person_id == pair.person_id else pair.person_id
    keep = session.get_one(Person, keep_person_id)
    absorbed = session.get_one(Person, absorbed_id)
    _check_mergeable(keep, absorbed)
    _move_identity(session, keep, absorbed)
    _move_children(session, keep.id, absorbed.id)
    _repoint_other_pairs(session, pair, keep.id, absorbed.id)
    citizen_accounts.relink_citizen_accounts(
        session, from_person_id=absorbed.id, to_person_id=keep.id
    )
    absorbed.status = PersonStatus.MERGED
    absorbed.merged_into_id = keep.id
    _resolve(pair, DuplicateStatus.MERGED, actor)
    for subject in (keep.id, absorbed.id):
        audit.record(
            session,
            actor=actor,
            action="person.merge",
            entity_type="person",
            entity_id=str(keep.id),
            subject_person_id=subject,
            fields=["stays", "passports", "contacts", "nik", *FILLABLE_FIELDS],
            reason=f"merged {absorbed.id} into {keep.id}",
        )
    return keep


def _check_mergeable(keep: Person, absorbed: Person) -> None:
    if keep.nik_index and absorbed.nik_index and keep.nik_index != absorbed.nik_index:
        raise Conflict(
            _(
                "The two records have different NIKs, so they are two people; dismiss the pair "
                "instead, or correct the wrong NIK first."
            ),
            code="different_nik",
        )


def _move_identity(session: Session, keep: Person, absorbed: Person) -> None:
    if keep.nik_index is None and absorbed.nik_index is not None:
        index, encrypted = absorbed.nik_index, absorbed.nik_encrypted
        absorbed.nik_index, absorbed.nik_encrypted = None, None
        session.flush()  # the NIK must leave the absorbed row before the survivor takes it
        keep.nik_index, keep.nik_encrypted = index, encrypted
        keep.home_province = absorbed.home_province
    for field in FILLABLE_FIELDS:
        if getattr(keep, field) is None:
            setattr(keep, field, getattr(absorbed, field))


def _move_children(session: Session, keep_id: uuid.UUID, absorbed_id: uuid.UUID) -> None:
    """Set-based moves: a handful of UPDATEs, whatever the number of rows."""
    for model in (Stay, Passport, DataRequest, IdentityClaim):
        session.execute(
            update(model).where(model.person_id == absorbed_id).values(person_id=keep_id)
        )
    kept_values = select(ContactPoint.value_index).where(ContactPoint.person_id == keep_id)
    session.execute(
        delete(ContactPoint).where(
            ContactPoint.person_id == absorbed_id, ContactPoint.value_index.in_(kept_values)
        )
    )
    session.execute(
        update(ContactPoint)
        .where(ContactPoint.person_id == absorbed_id)
        .values(person_id=keep_id, is_primary=False)
    )
    newest = session.scalar(
        select(Passport.id)
        .where(Passport.person_id == keep_id)
        .order_by(Passport.reported_at.desc())
        .limit(1)
    )
    session.execute(
        update(Passport)
        .where(Passport.person_id == keep_id)
        .values(is_current=Passport.id == newest)
    )


def _repoint_other_pairs(
    session: Session, merged: DuplicateCandidate, keep_id: uuid.UUID, absorbed_id: uuid.UUID
) -> None:
    """Open pairs with the absorbed record now concern the survivor (or vanish if redundant)."""
    others = session.scalars(
        select(DuplicateCandidate).where(
            DuplicateCandidate.id != merged.id,
            DuplicateCandidate.status == DuplicateStatus.OPEN,
            or_(
                DuplicateCandidate.person_id == absorbed_id,
                DuplicateCandidate.other_person_id == absorbed_id,
            ),
        )
    ).all()
    for pair in others:
        third = pair.other_person_id if pair.person_id == absorbed_id else pair.person_id
        session.delete(pair)
        if third != keep_id:
            session.flush()
            matching.flag_pair(
                session, keep_id, third, score=pair.score, reason=pair.reason,
                evidence=pair.evidence, probability=pair.match_probability,
            )  # fmt: skip
