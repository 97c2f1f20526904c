"""Tables of the agencies domain: imports of agency exports, their staged rows and problems.

An import's file is kept sealed on disk (``imports_files``); its rows are staged here with
their identifiers sealed and blind-indexed exactly as the registry stores them, so the
registry's bulk functions copy the ciphertext into its own tables with ``INSERT … SELECT``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import CONTACT_PURPOSE
from peduli.core.db import Base, IdMixin, TimestampMixin
from peduli.registry.models import NIK_PURPOSE, PASSPORT_PURPOSE

PROBLEM_PURPOSE = "import-problem"  # a row problem's message, which may quote the cell


class ImportStatus(StrEnum):
    QUEUED = "queued"
    STAGING = "staging"  # the file's rows are being read into the staging table
    CHECKING = "checking"  # set-based checks against the file and the registry
    APPLYING = "applying"  # chunks written to the registry, one transaction each
    DONE = "done"
    FAILED = "failed"  # the file could not be read at all (format, headers)


FINISHED = (ImportStatus.DONE.value, ImportStatus.FAILED.value)


class RowAction(StrEnum):
    CREATE = "create"  # a new person with the placement
    UPDATE = "update"  # the person's placement from this agency, brought up to date
    LINK = "link"  # an existing person (NIK or passport) gets the placement
    REFUSE = "refuse"  # the row has a problem; nothing of it is written


class AgencyImport(IdMixin, TimestampMixin, Base):
    """One upload of an agency export: a dry run or a real run, worked by the worker.

    ``staged_through`` and ``applied_through`` are the checkpoints: a worker that dies resumes
    after the last chunk that committed.
    """

    __tablename__ = "agency_import"
    __table_args__ = (Index("ix_agency_import_status", "status", "created_at"),)

    source: Mapped[str] = mapped_column(String(20))
    file_format: Mapped[str] = mapped_column(String(4))
    file_key: Mapped[str] = mapped_column(String(80))
    file_size: Mapped[int] = mapped_column(Integer)
    file_sha256: Mapped[str] = mapped_column(String(64))
    dry_run: Mapped[bool]
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.QUEUED)
    failure: Mapped[str | None] = mapped_column(String(40))
    uploaded_by: Mapped[uuid.UUID | None]
    uploaded_by_display: Mapped[str] = mapped_column(String(200))
    representation_code: Mapped[str | None] = mapped_column(String(40))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    staged_through: Mapped[int] = mapped_column(Integer, default=0)  # last row number staged
    applied_through: Mapped[int] = mapped_column(Integer, default=0)  # last row number applied
    to_create: Mapped[int] = mapped_column(Integer, default=0)
    to_update: Mapped[int] = mapped_column(Integer, default=0)
    to_link: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    linked: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class AgencyImportRow(Base):
    """A row of an export, validated and sealed; ``action`` decided by the checks."""

    __tablename__ = "agency_import_row"
    __table_args__ = (
        Index("ix_agency_import_row_nik", "import_id", "nik_index"),
        Index("ix_agency_import_row_passport", "import_id", "passport_index"),
    )

    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agency_import.id", ondelete="CASCADE"), primary_key=True
    )
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid: Mapped[bool]
    action: Mapped[str | None] = mapped_column(String(8))
    # The person the row is about once decided (matched, or created with this id).
    person_id: Mapped[uuid.UUID | None]
    new_person_id: Mapped[uuid.UUID]
    new_stay_id: Mapped[uuid.UUID]
    new_passport_id: Mapped[uuid.UUID]
    new_contact_id: Mapped[uuid.UUID]
    stay_id: Mapped[uuid.UUID | None]  # the placement an update brings up to date
    full_name: Mapped[str | None] = mapped_column(String(200))
    name_key: Mapped[str | None] = mapped_column(String(400))
    sex: Mapped[str | None] = mapped_column(String(1))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    place_of_birth: Mapped[str | None] = mapped_column(String(120))
    home_province: Mapped[str | None] = mapped_column(String(2))
    nik_encrypted: Mapped[str | None] = mapped_column(String(200), info={"sealed": NIK_PURPOSE})
    nik_index: Mapped[str | None] = mapped_column(String(64))
    passport_encrypted: Mapped[str | None] = mapped_column(
        String(200), info={"sealed": PASSPORT_PURPOSE}
    )
    passport_index: Mapped[str | None] = mapped_column(String(64))
    phone_encrypted: Mapped[str | None] = mapped_column(Text, info={"sealed": CONTACT_PURPOSE})
    phone_index: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(120))
    representation_code: Mapped[str | None] = mapped_column(String(40))
    sector: Mapped[str | None] = mapped_column(String(24))
    employer: Mapped[str | None] = mapped_column(String(200))
    placement_agency: Mapped[str | None] = mapped_column(String(200))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)


class AgencyImportProblem(Base):
    """What is wrong with one cell (or the header, row 1) of an export, for the clerk.

    ``detail_encrypted`` holds the message and hint (which may quote the cell) sealed, as
    JSON that keeps their message ids so they are shown in the reader's language; problems
    found by the set-based checks have none and are worded from their ``code``.
    """

    __tablename__ = "agency_import_problem"

    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agency_import.id", ondelete="CASCADE"), primary_key=True
    )
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    column: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    detail_encrypted: Mapped[str | None] = mapped_column(Text, info={"sealed": PROBLEM_PURPOSE})
