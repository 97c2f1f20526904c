"""Deduplicating the whole registry: every blocked pair scored, new pairs flagged, in parts.

The registry's blocking keys are read once as numbers and the pairs grouped by part
(``batch_blocking``); each part's people are then read whole, their pairs scored in arrays
(``scoring``), and the pairs at or above the review threshold not yet known inserted, in one
statement per chunk, with their evidence, for the officers of one of the people's posts.
The memory held is the keys (some 40 bytes a person) and one part's records, whatever the
registry's size; ``pairs_per_part`` bounds a part (docs/performance.md: what a part holds).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np
from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import SYSTEM, Actor
from peduli.core.db import utcnow
from peduli.registry.linkage import batch_blocking, online, records, scoring
from peduli.registry.linkage.batch_blocking import RegistryKeys
from peduli.registry.linkage.grouping import Ints, collector_paused
from peduli.registry.linkage.model import Model, Scored, get_model
from peduli.registry.linkage.scoring import Columns
from peduli.registry.models import DuplicateCandidate, DuplicateStatus, Stay

CHUNK = 20_000  # likely pairs checked and flagged per round
# A part of 500,000 pairs held 0.8-1.2 GB (1.6-2.4 KB a pair) at 1,000,000 people
# (docs/performance.md, "Fifth round"); a part's people are at most twice its pairs.
PAIRS_PER_PART = 500_000
Likely = tuple[uuid.UUID, uuid.UUID, Scored]


@dataclass(frozen=True)
class BatchOutcome:
    candidate_pairs: int
    flagged: int  # new pairs put before the officers
    known: int  # pairs flagged before, left as they are


@dataclass(frozen=True)
class PartScored:
    """One part's pairs scored: how many, and those at or above the review threshold."""

    number: int  # from 1
    parts: int
    pairs: int
    likely: list[Likely]


@dataclass(frozen=True)
class Progress:
    """Where the batch stands after a part, for whoever runs it."""

    part: int
    parts: int
    pairs: int  # scored so far
    flagged: int  # newly flagged so far


@collector_paused()  # millions of rows and tuples are built, none in a cycle
def deduplicate(
    session: Session,
    *,
    actor: Actor = SYSTEM,
    pairs_per_part: int = PAIRS_PER_PART,
    on_part: Callable[[Progress], None] | None = None,
) -> BatchOutcome:
    """Score every blocked pair of active people; flag the likely ones not yet flagged.

    One audit entry says how many pairs were flagged, and by whom (the system, or the
    operator's command)."""
    model = get_model()
    pairs = flagged = known = 0
    for part in scored_parts(session, model, pairs_per_part=pairs_per_part):
        pairs += part.pairs
        likely = iter(part.likely)
        while chunk := [_ordered(found) for found in islice(likely, CHUNK)]:
            new = _not_yet_flagged(session, chunk)
            known += len(chunk) - len(new)
            flagged += _flag(session, new, model.likely_threshold)
        if on_part is not None:
            on_part(Progress(part.number, part.parts, pairs, flagged))
    audit.record(
        session,
        actor=actor,
        action="registry.deduplicate",
        entity_type="duplicate_candidate",
        fields=["evidence", "match_probability"],
        reason=f"record linkage: {pairs} candidate pairs, {flagged} newly flagged",
    )
    return BatchOutcome(pairs, flagged, known)


def scored_parts(session: Session, model: Model, *, pairs_per_part: int) -> Iterator[PartScored]:
    """The registry's blocked pairs scored a part at a time; only one part's records are
    in memory at once."""
    keys = batch_blocking.read_keys(session)
    parts = keys.parts(pairs_per_part)
    for number, ranks in enumerate(parts, start=1):
        left, right = keys.pairs(ranks)
        yield PartScored(number, len(parts), len(left), _likely(session, model, keys, left, right))


def _likely(
    session: Session, model: Model, keys: RegistryKeys, left: Ints, right: Ints
) -> list[Likely]:
    """A part's pairs at or above the review threshold; its records are let go on return,
    before the next part's are read."""
    return list(scoring.likely_pairs(model, *in_columns(session, keys, left, right)))


def in_columns(
    session: Session, keys: RegistryKeys, left: Ints, right: Ints
) -> tuple[Columns, Ints, Ints]:
    """The people of a part's pairs read as scoring columns, and the pairs as rows of them
    (a pair with a person no longer active is dropped)."""
    ranks = np.unique(np.concatenate([left, right]))
    columns, loaded = records.part_columns(session, keys.ids(ranks))
    row = np.cumsum(loaded) - 1  # each rank's row among those loaded
    a, b = np.searchsorted(ranks, left), np.searchsorted(ranks, right)
    both = loaded[a] & loaded[b]
    return columns, row[a[both]], row[b[both]]


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
