"""The record of one merge of two person records: what it moved and changed, so that
``registry.unmerging`` can undo it exactly."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.db import Base, IdMixin


class PersonMerge(IdMixin, Base):
    """What one merge moved (ids per kind of row) and changed, for ``registry.unmerging``."""

    __tablename__ = "person_merge"

    candidate_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("duplicate_candidate.id", ondelete="SET NULL"), index=True
    )
    kept_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    absorbed_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    merged_by: Mapped[uuid.UUID | None]
    merged_at: Mapped[datetime]
    moved: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    restore: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    unmerged_by: Mapped[uuid.UUID | None]
    unmerged_at: Mapped[datetime | None]
    unmerge_reason: Mapped[str | None] = mapped_column(Text)
