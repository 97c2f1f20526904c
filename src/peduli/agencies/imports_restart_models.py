"""When a dry run last started again from its first row, for its report.

A database crash empties the UNLOGGED staging table, and a dry run then starts again
(``imports_restore``): its counts go back to nothing. HQ reads its report while it runs, so
the report says why, and when, from this row. The audit log keeps every restore
(``agencies.import.staging_restored``), but it has no index to find an import's entries by,
and the report is read every few seconds.

Beside ``models`` rather than in it: that module is at the length a module may have.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.db import Base


class AgencyImportRestart(Base):
    """A dry run's latest start again after its staged rows were lost: when, and how many
    rows it had read by then (one row per import, replaced by a later restart)."""

    __tablename__ = "agency_import_restart"

    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agency_import.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime]
    rows_read: Mapped[int] = mapped_column(Integer)
