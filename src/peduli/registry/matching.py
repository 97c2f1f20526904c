"""Possible-duplicate detection: similar name and the same birth date.

Candidates come from the birth-date index (a handful of people per date even among
millions), then names are compared after the profile folds spelling variants
(Muhammad/Moh./M., oe/u, dj/j …), so "Moh. Jusuf" meets "Muhammad Yusuf".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.registry import repository
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
    """Flag every active person born the same day with a similar name; return how many.

    ``born_same_day`` (id, name key) saves the query when the caller looked them up already.
    The pairs go to the post of ``stay`` (the new report's), else one of the person's.
    """
    if born_same_day is None:
        born_same_day = repository.people_born_on(session, person.date_of_birth, exclude=person.id)
    flagged = 0
    for other_id, other_key in born_same_day:
        if other_id == person.id:
            continue
        score = name_similarity(person.name_key, other_key)
        if score >= NAME_SIMILARITY_THRESHOLD:
            reason = "same birth date, similar name"
            flag_pair(session, person.id, other_id, score=score, reason=reason, stay=stay)
            flagged += 1
    return flagged


def flag_pair(
    session: Session,
    person_id: uuid.UUID,
    other_id: uuid.UUID,
    *,
    score: float,
    reason: str,
    stay: Stay | None = None,
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
        )
    )


def _a_representation(session: Session, person_id: uuid.UUID) -> str | None:
    codes = repository.representation_codes(session, person_id)
    return min(codes) if codes else None
