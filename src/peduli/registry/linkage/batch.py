"""Deduplicating the whole registry at once: every blocked pair scored, new pairs flagged.

The active registry is read once (``snapshot``), the candidate pairs found in memory from
its blocking keys, the pairs scored in arrays built from the rows of the people in them
(``scoring``), and the pairs at or above the review threshold not yet known are inserted in
one statement per chunk, with their evidence, for the officers of one of the people's
posts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np
from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import SYSTEM, Actor
from peduli.core.db import utcnow
from peduli.registry.linkage import online, records, scoring, snapshot
from peduli.registry.linkage.model import Model, Scored, get_model
from peduli.registry.linkage.scoring import Columns, Ints
from peduli.registry.models import DuplicateCandidate, DuplicateStatus, Stay

CHUNK = 20_000  # likely pairs checked and flagged per round
Likely = tuple[uuid.UUID, uuid.UUID, Scored]


@dataclass(frozen=True)
class BatchOutcome:
    candidate_pairs: int
    flagged: int  # new pairs put before the officers
    known: int  # pairs flagged before, left as they are


@snapshot.collector_paused()  # the whole registry is in memory until the end
def deduplicate(session: Session, *, actor: Actor = SYSTEM) -> BatchOutcome:
    """Score every blocked pair of active people; flag the likely ones not yet flagged.

    One audit entry says how many pairs were flagged, and by whom (the system, or the
    operator's command)."""
    model = get_model()
    pairs, likely = likely_pairs(session, model)
    flagged = known = 0
    while chunk := [_ordered(found) for found in islice(likely, CHUNK)]:
        new = _not_yet_flagged(session, chunk)
        known += len(chunk) - len(new)
        flagged += _flag(session, new, model.likely_threshold)
    audit.record(
        session,
        actor=actor,
        action="registry.deduplicate",
        entity_type="duplicate_candidate",
        fields=["evidence", "match_probability"],
        reason=f"record linkage: {pairs} candidate pairs, {flagged} newly flagged",
    )
    return BatchOutcome(pairs, flagged, known)


def likely_pairs(session: Session, model: Model) -> tuple[int, Iterator[Likely]]:
    """How many pairs are blocked, and those at or above the review threshold, scored."""
    read = snapshot.read(session)
    left, right = read.blocked()
    return len(left), scoring.likely_pairs(model, *in_columns(read, left, right))


def in_columns(read: snapshot.Snapshot, left: Ints, right: Ints) -> tuple[Columns, Ints, Ints]:
    """The people in a pair as scoring columns, and the pairs as rows of them."""
    rows = np.unique(np.concatenate([left, right]))
    columns = records.columns(read, rows.tolist())
    return columns, np.searchsorted(rows, left), np.searchsorted(rows, right)


def _ordered(found: Likely) -> Likely:
    """The pair as stored: the smaller id (as text) first, as the online match stores it."""
    first, second, scored = found
    low, high = sorted((first, second), key=str)
    return low, high, scored


def _not_yet_flagged(session: Session, likely: list[Likely]) -> list[Likely]:
    if not likely:
        return []
    known: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for start in range(0, len(likely), 400):
        keys = [(first, second) for first, second, _scored in likely[start : start + 400]]
        known |= {
            (row[0], row[1])
            for row in session.execute(
                select(DuplicateCandidate.person_id, DuplicateCandidate.other_person_id).where(
                    tuple_(DuplicateCandidate.person_id, DuplicateCandidate.other_person_id).in_(
                        keys
                    )
                )
            )
        }
    return [item for item in likely if (item[0], item[1]) not in known]


def _flag(session: Session, new: list[Likely], likely_threshold: float) -> int:
    if not new:
        return 0
    people = list({person for first, second, _s in new for person in (first, second)})
    posts: dict[uuid.UUID, str | None] = {}
    for start in range(0, len(people), 5000):
        posts |= {
            row[0]: row[1]
            for row in session.execute(
                select(Stay.person_id, func.min(Stay.representation_code))
                .where(Stay.person_id.in_(people[start : start + 5000]))
                .group_by(Stay.person_id)
            )
        }
    now = utcnow()
    session.execute(
        insert(DuplicateCandidate),
        [
            {
                "id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
                "person_id": first,
                "other_person_id": second,
                "score": round(scored.probability * 100, 1),
                "reason": online.reason_of(scored, likely_threshold),
                "status": DuplicateStatus.OPEN.value,
                "representation_code": posts.get(first) or posts.get(second),
                "evidence": scored.evidence,
                "match_probability": scored.probability,
            }
            for first, second, scored in new
        ],
    )
    return len(new)
