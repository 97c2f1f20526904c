"""Request and response shapes of merges and their undoing (beside ``schemas``, which is full)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from peduli.core.schemas import RequestBody
from peduli.registry.schemas import PersonSummary
from peduli.registry.unmerging import MAX_REASON, MIN_REASON, MergeOnRecord


class UnmergeRequest(RequestBody):
    reason: str = Field(
        min_length=MIN_REASON,
        max_length=MAX_REASON,
        description="Why the merge was wrong; recorded in the audit log of both records.",
    )
    reopen: bool = Field(
        default=False,
        description="Put the pair back in the open review (the wrong record was kept) "
        "instead of dismissing it (two people).",
    )


class MergeRead(BaseModel):
    """A merge: who joined whom, what moved (how many rows of each kind), and its undoing."""

    id: uuid.UUID
    candidate_id: uuid.UUID | None
    kept: PersonSummary
    absorbed: PersonSummary
    merged_at: datetime
    moved: dict[str, int] = Field(description="Rows moved to the kept record, per kind.")
    filled_fields: list[str] = Field(description="Fields of the kept record the merge filled.")
    unmerged_at: datetime | None
    unmerge_reason: str | None

    @classmethod
    def of(cls, found: MergeOnRecord) -> MergeRead:
        """The answer for one merge on record."""
        record = found.merge
        return cls(
            id=record.id,
            candidate_id=record.candidate_id,
            kept=PersonSummary.model_validate(found.kept),
            absorbed=PersonSummary.model_validate(found.absorbed),
            merged_at=record.merged_at,
            moved={name: len(ids) for name, ids in (record.moved or {}).items()},
            filled_fields=list((record.restore or {}).get("filled", [])),
            unmerged_at=record.unmerged_at,
            unmerge_reason=record.unmerge_reason,
        )
