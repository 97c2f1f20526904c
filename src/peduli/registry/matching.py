"""Possible duplicates: record linkage flags pairs for officers (``registry.linkage``).

A new or corrected record is matched online against the registry (blocking by indexes,
Fellegi–Sunter scoring tuned to Indonesian names); every pair at or above the review
threshold is recorded here once, with the evidence of each comparison, for an officer to
merge or dismiss. ``name_similarity`` stays for the name search.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.registry import repository
from peduli.registry.linkage import online
from peduli.registry.linkage.model import get_model
from peduli.registry.models import DuplicateCandidate, Person, Stay

NAME_SIMILARITY_THRESHOLD = 85.0


def name_similarity(key_a: str, key_b: str) -> float:
    """0–100: how alike two folded names are, regardless of word order and extra names."""
    return max(fuzz.token_sort_ratio(key_a, key_b), fuzz.token_set_ratio(key_a, key_b) - 5)


def flag_possible_duplicates(
    session: Session,
    person: Person,
    stay: Stay | None,
    *,
    born_same_day: Sequence[tuple[uuid.UUID, str]] | None = None,
) -> int:
    """Flag every active person record linkage finds likely to be ``person``; how many.

    ``born_same_day`` is accepted for the callers that looked them up already; linkage
    finds its candidates by its own keys. The pairs go to the post of ``stay`` (the new
    report's), else one of the person's.
    """
    del born_same_day
    likely = get_model().likely_threshold
    found = online.matches(session, person)
    for other_id, scored in found:
        flag_pair(
            session, person.id, other_id,
            score=scored.probability * 100, reason=online.reason_of(scored, likely), stay=stay,
            evidence=scored.evidence, probability=scored.probability,
        )  # fmt: skip
    return len(found)


def flag_pair(
    session: Session,
    person_id: uuid.UUID,
    other_id: uuid.UUID,
    *,
    score: float,
    reason: str,
    stay: Stay | None = None,
    evidence: list[dict[str, Any]] | None = None,
    probability: float | None = None,
) -> None:
    """Record a pair for an officer, once per pair in either order."""
    first, second = sorted((person_id, other_id), key=str)
    known = session.scalar(
        select(DuplicateCandidate.id).where(
            DuplicateCandidate.person_id == first, DuplicateCandidate.other_person_id == second
        )
    )
    if known is not None:
        return
    code = stay.representation_code if stay else _a_representation(session, person_id)
    session.add(
        DuplicateCandidate(
            person_id=first,
            other_person_id=second,
            score=round(score, 1),
            reason=reason,
            representation_code=code,
            evidence=evidence or [],
            match_probability=probability,
        )
    )


def _a_representation(session: Session, person_id: uuid.UUID) -> str | None:
    codes = repository.representation_codes(session, person_id)
    return min(codes) if codes else None
