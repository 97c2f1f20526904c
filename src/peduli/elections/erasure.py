"""A citizen's erasure (UU PDP) in the elections: their elector facts, their entries on every
list and the problems found on them are deleted (a list's counts change with them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from peduli.elections.models import ElectorFact, ListProblem, VoterEntry
from peduli.registry.rights import ErasureStep


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None
) -> int:
    """Delete the people's elector facts, entries and problems; rows removed."""
    removed = 0
    for model in (ListProblem, VoterEntry, ElectorFact):
        result = session.execute(
            delete(model)
            .where(model.person_id.in_(person_ids))
            .execution_options(synchronize_session=False)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


ERASURE_STEP = ErasureStep("elections", erase_people)
