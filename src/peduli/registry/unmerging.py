"""Undoing a merge: both records as they were, each with its own history.

A supervisor of the post (or HQ) undoes a merge with a reason, which is audited on both
records. The absorbed record becomes active again; exactly the rows the merge moved go back
to it (``PersonMerge.moved``, through each domain's ``MergeStep``), the fields the merge
filled are cleared on the survivor, the NIK it took goes back, contacts the survivor already
held are given back as copies of the survivor's, and the pairs the merge re-pointed are as
they were. Rows added to the survivor after the merge stay on it: nobody can tell which
record they belong to better than the officer who added them.

The merge record (``PersonMerge``) keeps ids and flags, never a copied value: ``moved`` the
ids per kind of row, ``restore`` the fields filled, the NIK taken (by its blind index), the
contacts' and passports' flags, the contacts dropped as already held (given back as copies of
the survivor's) and the other pairs re-pointed.

The pair goes back to the review *dismissed* (an undone merge says they are two people, and
an open pair would put the same mistake in front of the next officer), unless the supervisor
reopens it because the merge kept the wrong record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import DUPLICATE_REVIEWERS, MERGE_UNDOERS
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import service
from peduli.registry.linkage import keys as link_keys
from peduli.registry.merge_moves import REGISTRY_STEPS, MergeStep, reassign
from peduli.registry.merging import PAIR_FIELDS, mark_current_passport
from peduli.registry.models import (
    ContactPoint,
    DuplicateCandidate,
    DuplicateStatus,
    Passport,
    Person,
    PersonMerge,
    PersonStatus,
)

MIN_REASON = 10
MAX_REASON = 500


@dataclass(frozen=True)
class MergeOnRecord:
    """A merge as the person screen lists it: who joined whom, when, and if it was undone."""

    merge: PersonMerge
    kept: Person
    absorbed: Person


def merges_of(session: Session, *, person_id: uuid.UUID) -> list[MergeOnRecord]:
    """The merges this record took part in (kept or absorbed), newest first.

    The caller has read the person through ``service.read_person`` (audited) already.
    """
    records = session.scalars(
        select(PersonMerge)
        .where(
            or_(
                PersonMerge.kept_person_id == person_id, PersonMerge.absorbed_person_id == person_id
            )
        )
        .order_by(PersonMerge.merged_at.desc())
        .limit(50)
    ).all()
    people = {
        person.id: person
        for person in session.scalars(
            select(Person).where(
                Person.id.in_(
                    {r.kept_person_id for r in records} | {r.absorbed_person_id for r in records}
                )
            )
        )
    }
    return [
        MergeOnRecord(record, people[record.kept_person_id], people[record.absorbed_person_id])
        for record in records
    ]


def merge_to_undo(
    session: Session, *, merge_id: uuid.UUID, actor: Actor, lock: bool = False
) -> MergeOnRecord:
    """A merge the caller may undo now (role, post of the survivor, still in force);
    ``lock``: held until the transaction ends, so that two supervisors cannot both undo it."""
    policy.require_role(session, actor, roles=MERGE_UNDOERS, action="person.unmerge")
    record = session.get(PersonMerge, merge_id, with_for_update=lock)
    if record is None:
        raise NotFound(_("No merge has this id."))
    service.authorize_person(
        session,
        actor,
        person_id=record.kept_person_id,
        access=Access.WRITE,
        action="person.unmerge",
    )
    kept = session.get_one(Person, record.kept_person_id)
    absorbed = session.get_one(Person, record.absorbed_person_id)
    if record.unmerged_at is not None:
        raise Conflict(_("This merge was already undone."), code="already_unmerged")
    if kept.status != PersonStatus.ACTIVE:
        raise Conflict(
            _("The kept record was merged into another one since; undo that later merge first."),
            code="survivor_merged",
        )
    if absorbed.status != PersonStatus.MERGED or absorbed.merged_into_id != kept.id:
        raise Conflict(
            _("The other record is no longer part of this merge; it cannot be undone."),
            code="not_merged",
        )
    return MergeOnRecord(record, kept, absorbed)


def review_merge(session: Session, *, merge_id: uuid.UUID, actor: Actor) -> MergeOnRecord:
    """The merge to undo, as its page shows it (names of both records: an audited read)."""
    found = merge_to_undo(session, merge_id=merge_id, actor=actor)
    for subject in (found.kept.id, found.absorbed.id):
        audit.record(
            session,
            actor=actor,
            action="person.read_merges",
            entity_type="person_merge",
            entity_id=str(merge_id),
            subject_person_id=subject,
        )
    return found


def merge_in_force(session: Session, *, candidate_id: uuid.UUID) -> uuid.UUID | None:
    """The merge that resolved this possible-duplicate pair, if it is not undone."""
    return session.scalar(
        select(PersonMerge.id)
        .where(PersonMerge.candidate_id == candidate_id, PersonMerge.unmerged_at.is_(None))
        .order_by(PersonMerge.merged_at.desc())
        .limit(1)
    )


def merge_of_pair(session: Session, *, candidate_id: uuid.UUID) -> uuid.UUID:
    """The merge in force that resolved this possible-duplicate pair (404 when none)."""
    merge_id = merge_in_force(session, candidate_id=candidate_id)
    if merge_id is None:
        raise NotFound(_("This pair has no merge to undo."))
    return merge_id


def unmerge(
    session: Session,
    *,
    merge_id: uuid.UUID,
    reason: str,
    reopen: bool,
    actor: Actor,
    steps: Sequence[MergeStep],
) -> MergeOnRecord:
    """Undo the merge: both records as before it, rows added since stay on the survivor.

    ``reopen``: the pair goes back to the open review (the wrong record was kept) instead
    of dismissed. ``steps``: the other domains' rows (``peduli.merging.STEPS``).
    """
    found = merge_to_undo(session, merge_id=merge_id, actor=actor, lock=True)
    text = _checked_reason(reason)
    record, kept, absorbed = found.merge, found.kept, found.absorbed
    restore: dict[str, Any] = record.restore or {}
    absorbed.status = PersonStatus.ACTIVE
    absorbed.merged_into_id = None
    _give_identity_back(session, kept, absorbed, restore)
    moved = record.moved or {}
    for step in (*REGISTRY_STEPS, *steps):
        step.move_back(session, moved.get(step.name, []), kept.id, absorbed.id)
    _give_contacts_back(session, kept.id, absorbed.id, moved.get("contacts", []), restore)
    _give_passport_flags_back(session, kept.id, restore.get("passports", {}))
    _put_pairs_back(session, restore)
    _reopen_or_dismiss(session, record.candidate_id, reopen=reopen, actor=actor)
    record.unmerged_by = actor.account_id
    record.unmerged_at = utcnow()
    record.unmerge_reason = text
    for subject in (kept.id, absorbed.id):
        audit.record(
            session,
            actor=actor,
            action="person.unmerge",
            entity_type="person_merge",
            entity_id=str(record.id),
            subject_person_id=subject,
            fields=sorted(moved),
            reason=text,
        )
    return found


def _checked_reason(reason: str) -> str:
    text = reason.strip()
    if not MIN_REASON <= len(text) <= MAX_REASON:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason",
                    "reason_required",
                    _("Give the reason for undoing the merge ({min} to {max} characters).").format(
                        min=MIN_REASON, max=MAX_REASON
                    ),
                    _("E.g. two sisters with the same birth date; the passports differ."),
                )
            ]
        )
    return text


def _give_identity_back(
    session: Session, kept: Person, absorbed: Person, restore: dict[str, Any]
) -> None:
    """The NIK the survivor took (if it still holds that one) and the fields it was filled
    with (if still the absorbed record's values: a later correction stays)."""
    taken = restore.get("nik_index")
    if taken is not None and kept.nik_index == taken and absorbed.nik_index is None:
        encrypted = kept.nik_encrypted
        kept.nik_index, kept.nik_encrypted = None, None
        kept.home_province = restore.get("home_province")
        session.flush()  # the NIK leaves the survivor before the absorbed record takes it back
        absorbed.nik_index, absorbed.nik_encrypted = taken, encrypted
    for field in restore.get("filled", []):
        if getattr(kept, field) == getattr(absorbed, field):
            setattr(kept, field, None)
    link_keys.refresh(kept)


def _give_contacts_back(
    session: Session,
    kept_id: uuid.UUID,
    absorbed_id: uuid.UUID,
    moved: Sequence[str],
    restore: dict[str, Any],
) -> None:
    reassign(session, ContactPoint, from_id=kept_id, to_id=absorbed_id, ids=moved)
    primary = [uuid.UUID(text) for text in restore.get("primary_contacts", [])]
    if primary:
        session.execute(
            update(ContactPoint)
            .where(ContactPoint.id.in_(primary), ContactPoint.person_id == absorbed_id)
            .values(is_primary=True)
        )
    for dropped in restore.get("dropped_contacts", []):
        held = session.get(ContactPoint, uuid.UUID(dropped["held_by"]))
        if held is None or held.person_id != kept_id:
            continue  # the survivor no longer holds it: nothing to copy
        trusted_at = dropped["trusted_at"]
        session.add(
            ContactPoint(
                id=uuid.UUID(dropped["id"]),
                person_id=absorbed_id,
                kind=held.kind,
                value=held.value,
                is_primary=dropped["is_primary"],
                trusted_at=datetime.fromisoformat(trusted_at) if trusted_at else None,
                trust_source=dropped["trust_source"],
            )
        )


def _give_passport_flags_back(session: Session, kept_id: uuid.UUID, flags: dict[str, bool]) -> None:
    """Each passport's current flag as before the merge; a passport reported to the survivor
    since is its newest, so the survivor's current one is chosen again then."""
    for current in (True, False):
        ids = [uuid.UUID(text) for text, flag in flags.items() if flag is current]
        if ids:
            session.execute(update(Passport).where(Passport.id.in_(ids)).values(is_current=current))
    added_since = session.scalar(
        select(Passport.id)
        .where(
            Passport.person_id == kept_id,
            Passport.id.not_in([uuid.UUID(text) for text in flags] or [uuid.uuid4()]),
        )
        .limit(1)
    )
    if added_since is not None:
        mark_current_passport(session, kept_id)


def _put_pairs_back(session: Session, restore: dict[str, Any]) -> None:
    """The pairs the merge re-pointed to the survivor go (if still open); those it dropped
    come back (unless the same pair exists again)."""
    added = [uuid.UUID(text) for text in restore.get("added_pairs", [])]
    if added:
        session.execute(
            delete(DuplicateCandidate).where(
                DuplicateCandidate.id.in_(added),
                DuplicateCandidate.status == DuplicateStatus.OPEN,
            )
        )
        session.flush()
    for dropped in restore.get("dropped_pairs", []):
        first, second = uuid.UUID(dropped["person_id"]), uuid.UUID(dropped["other_person_id"])
        exists_again = session.scalar(
            select(DuplicateCandidate.id).where(
                DuplicateCandidate.person_id == first, DuplicateCandidate.other_person_id == second
            )
        )
        if exists_again is not None or None in (
            session.get(Person, first),
            session.get(Person, second),
        ):
            continue
        session.add(
            DuplicateCandidate(
                id=uuid.UUID(dropped["id"]),
                person_id=first,
                other_person_id=second,
                created_at=datetime.fromisoformat(dropped["created_at"]),
                status=DuplicateStatus.OPEN,
                **{field: dropped.get(field) for field in PAIR_FIELDS}
                | {"evidence": dropped.get("evidence") or []},
            )
        )


def _reopen_or_dismiss(
    session: Session, candidate_id: uuid.UUID | None, *, reopen: bool, actor: Actor
) -> None:
    pair = session.get(DuplicateCandidate, candidate_id) if candidate_id else None
    if pair is None:
        return
    if reopen:
        pair.status, pair.resolved_by, pair.resolved_at = DuplicateStatus.OPEN, None, None
    else:
        pair.status, pair.resolved_by, pair.resolved_at = (
            DuplicateStatus.DISMISSED,
            actor.account_id,
            utcnow(),
        )


def merges_for(session: Session, *, person_id: uuid.UUID, actor: Actor) -> list[MergeOnRecord]:
    """The merges of a record for a reader in scope (the read is audited)."""
    policy.require_role(session, actor, roles=DUPLICATE_REVIEWERS, action="person.read_merges")
    if session.get(Person, person_id) is None:
        raise NotFound(_("No person has this id."))
    service.authorize_person(
        session, actor, person_id=person_id, access=Access.READ, action="person.read_merges"
    )
    audit.record(
        session,
        actor=actor,
        action="person.read_merges",
        entity_type="person",
        entity_id=str(person_id),
        subject_person_id=person_id,
    )
    return merges_of(session, person_id=person_id)
