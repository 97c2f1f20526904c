"""Matching one new or corrected record against the registry, inside the request.

A handful of indexed look-ups find the candidates (``blocking``), the model scores each
(``model``), and every pair at or above the review threshold is put before the officers
with its evidence. Nothing is merged automatically: even a near-certain pair may be twins
or a father and son of one name, and a merge moves cases and history, so an officer
decides (and may undo it).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from peduli.registry.linkage.model import Scored, get_model
from peduli.registry.linkage.records import load_with_candidates
from peduli.registry.models import Person


def reason_of(scored: Scored, likely: float) -> str:
    """The pair's reason as stored (the evidence holds the detail)."""
    agreeing = [e["comparison"] for e in scored.evidence if e["outcome"] in ("exact", "close")]
    verdict = "very likely one person" if scored.probability >= likely else "possibly one person"
    return f"{verdict}: {', '.join(agreeing) or 'little'} agree"[:200]


def matches(session: Session, person: Person) -> list[tuple[uuid.UUID, Scored]]:
    """The active people the model finds likely enough to be ``person``, scored."""
    session.flush()
    records = load_with_candidates(session, person)
    mine = records.pop(person.id, None)
    if mine is None:
        return []
    model = get_model()
    found = []
    for other_id, other in records.items():
        if scored := model.score_if_likely(mine, other):
            found.append((other_id, scored))
    return found
