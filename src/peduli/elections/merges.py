"""A merge of two person records as the elections see it: the elector facts follow the
person, unless the survivor has facts of their own (and go back on an unmerge). A round's
list entries stay as generated: the next round lists the survivor."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.elections.models import ElectorFact
from peduli.registry.merge_moves import MergeStep


def _move(session: Session, from_id: uuid.UUID, to_id: uuid.UUID) -> list[str]:
    if session.get(ElectorFact, to_id) is not None:
        return []
    moved = session.execute(
        update(ElectorFact)
        .where(ElectorFact.person_id == from_id)
        .values(person_id=to_id)
        .returning(ElectorFact.person_id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return [str(person_id) for person_id in moved.scalars()]


def _move_back(session: Session, ids: Sequence[str], from_id: uuid.UUID, to_id: uuid.UUID) -> int:
    return len(_move(session, from_id, to_id)) if ids else 0


MERGE_STEP = MergeStep("elector_facts", _move, _move_back)
