"""Officer review of possible duplicates: merge two records into one, or dismiss the pair.

A merge keeps everything: stays, passports, contacts, claims, citizen accounts and every
other domain's rows (``merge_moves``) move to the surviving record, missing fields are filled
from the other, and the absorbed record stays as a tombstone pointing to the survivor so old
links and the audit trail still lead somewhere. What moved and what was filled is kept in a
``PersonMerge`` so that a supervisor can undo it (``registry.unmerging``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session, aliased

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import DUPLICATE_REVIEWERS
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import matching, repository, service
from peduli.registry.linkage import keys as link_keys
from peduli.registry.merge_moves import REGISTRY_STEPS, MergeStep
from peduli.registry.models import (
    ContactPoint,
    DuplicateCandidate,
    DuplicateStatus,
    Passport,
    Person,
    PersonMerge,
    PersonStatus,
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
    session: Session,
    *,
    candidate_id: uuid.UUID,
    keep_person_id: uuid.UUID,
    actor: Actor,
    steps: Sequence[MergeStep],
) -> Person:
    """Merge the pair into ``keep_person_id``; the other record joins it with all it had.

    ``steps``: the other domains' rows that point at a person (``peduli.merging.STEPS``).
    """
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
    restore: dict[str, Any] = {"passports": _passport_flags(session, (keep.id, absorbed.id))}
    restore |= _move_identity(session, keep, absorbed)
    restore |= _move_contacts(session, keep.id, absorbed.id)
    moved = {
        step.name: step.move(session, absorbed.id, keep.id) for step in (*REGISTRY_STEPS, *steps)
    }
    moved["contacts"] = restore.pop("moved_contacts")
    mark_current_passport(session, keep.id)
    restore |= _repoint_other_pairs(session, pair, keep.id, absorbed.id)
    absorbed.status = PersonStatus.MERGED
    absorbed.merged_into_id = keep.id
    _resolve(pair, DuplicateStatus.MERGED, actor)
    session.add(
        PersonMerge(
            candidate_id=pair.id,
            kept_person_id=keep.id,
            absorbed_person_id=absorbed.id,
            merged_by=actor.account_id,
            merged_at=utcnow(),
            moved={name: ids for name, ids in moved.items() if ids},
            restore=restore,
        )
    )
    for subject in (keep.id, absorbed.id):
        audit.record(
            session,
            actor=actor,
            action="person.merge",
            entity_type="person",
            entity_id=str(keep.id),
            subject_person_id=subject,
            fields=sorted({*moved, "nik", *FILLABLE_FIELDS}),
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


def _move_identity(session: Session, keep: Person, absorbed: Person) -> dict[str, Any]:
    """Give the survivor the NIK and the fields it lacked; what it took, to give back."""
    took: dict[str, Any] = {"filled": [], "nik_index": None}
    if keep.nik_index is None and absorbed.nik_index is not None:
        index, encrypted = absorbed.nik_index, absorbed.nik_encrypted
        absorbed.nik_index, absorbed.nik_encrypted = None, None
        session.flush()  # the NIK must leave the absorbed row before the survivor takes it
        keep.nik_index, keep.nik_encrypted = index, encrypted
        took |= {"nik_index": index, "home_province": keep.home_province}
        keep.home_province = absorbed.home_province
    for field in FILLABLE_FIELDS:
        if getattr(keep, field) is None and getattr(absorbed, field) is not None:
            setattr(keep, field, getattr(absorbed, field))
            took["filled"].append(field)
    link_keys.refresh(keep)
    return took


def _passport_flags(session: Session, person_ids: Sequence[uuid.UUID]) -> dict[str, bool]:
    rows = session.execute(
        select(Passport.id, Passport.is_current).where(Passport.person_id.in_(person_ids))
    )
    return {str(passport_id): bool(current) for passport_id, current in rows}


def _move_contacts(session: Session, keep_id: uuid.UUID, absorbed_id: uuid.UUID) -> dict[str, Any]:
    """Move the absorbed record's contacts, dropping those the survivor holds already (an
    unmerge copies them back from the survivor's, so no value is kept aside)."""
    held = aliased(ContactPoint)
    dropped = session.execute(
        select(
            ContactPoint.id,
            ContactPoint.is_primary,
            ContactPoint.trusted_at,
            ContactPoint.trust_source,
            held.id,
        )
        .join(
            held,
            and_(
                held.person_id == keep_id,
                held.kind == ContactPoint.kind,
                held.value_index == ContactPoint.value_index,
            ),
        )
        .where(ContactPoint.person_id == absorbed_id)
    ).all()
    if dropped:
        session.execute(
            delete(ContactPoint).where(ContactPoint.id.in_([row[0] for row in dropped]))
        )
    primary = session.scalars(
        select(ContactPoint.id).where(
            ContactPoint.person_id == absorbed_id, ContactPoint.is_primary.is_(True)
        )
    ).all()
    moved = session.execute(
        update(ContactPoint)
        .where(ContactPoint.person_id == absorbed_id)
        .values(person_id=keep_id, is_primary=False)
        .returning(ContactPoint.id)
    ).scalars()
    return {
        "moved_contacts": [str(contact_id) for contact_id in moved],
        "primary_contacts": [str(contact_id) for contact_id in primary],
        "dropped_contacts": [
            {
                "id": str(contact_id),
                "is_primary": bool(is_primary),
                "trusted_at": trusted_at.isoformat() if trusted_at else None,
                "trust_source": trust_source,
                "held_by": str(held_id),
            }
            for contact_id, is_primary, trusted_at, trust_source, held_id in dropped
        ],
    }


def mark_current_passport(session: Session, person_id: uuid.UUID) -> None:
    """The newest passport of the person is the current one."""
    newest = session.scalar(
        select(Passport.id)
        .where(Passport.person_id == person_id)
        .order_by(Passport.reported_at.desc())
        .limit(1)
    )
    session.execute(
        update(Passport)
        .where(Passport.person_id == person_id)
        .values(is_current=Passport.id == newest)
    )


PAIR_FIELDS = ("score", "reason", "representation_code", "evidence", "match_probability")


def _repoint_other_pairs(
    session: Session, merged: DuplicateCandidate, keep_id: uuid.UUID, absorbed_id: uuid.UUID
) -> dict[str, Any]:
    """Open pairs with the absorbed record now concern the survivor (or vanish if redundant);
    the pairs dropped and added, for an unmerge."""
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
    dropped, added = [], []
    for pair in others:
        third = pair.other_person_id if pair.person_id == absorbed_id else pair.person_id
        dropped.append(
            {
                "id": str(pair.id),
                "person_id": str(pair.person_id),
                "other_person_id": str(pair.other_person_id),
                "created_at": pair.created_at.isoformat(),
                **{field: getattr(pair, field) for field in PAIR_FIELDS},
            }
        )
        session.delete(pair)
        if third != keep_id:
            session.flush()
            known = _pair_id(session, keep_id, third)
            matching.flag_pair(
                session, keep_id, third, score=pair.score, reason=pair.reason,
                evidence=pair.evidence, probability=pair.match_probability,
            )  # fmt: skip
            session.flush()
            if known is None and (new := _pair_id(session, keep_id, third)) is not None:
                added.append(str(new))
    return {"dropped_pairs": dropped, "added_pairs": added}


def _pair_id(session: Session, one: uuid.UUID, other: uuid.UUID) -> uuid.UUID | None:
    first, second = sorted((one, other), key=str)
    return session.scalar(
        select(DuplicateCandidate.id).where(
            DuplicateCandidate.person_id == first, DuplicateCandidate.other_person_id == second
        )
    )
