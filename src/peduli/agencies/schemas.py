"""What the agencies API answers: an import's report (counts, progress, problems)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from peduli.agencies import imports
from peduli.agencies.imports_problems import ShownProblem
from peduli.agencies.models import AgencyImport


class ImportProblemRead(BaseModel):
    """One problem of one row: the spreadsheet's row number (the header is row 1), the
    column, what is wrong and how to fix it, in the reader's language."""

    row: int
    column: str
    code: str
    message: str
    hint: str

    @classmethod
    def of(cls, problem: ShownProblem) -> ImportProblemRead:
        return cls(
            row=problem.row,
            column=problem.column,
            code=problem.code,
            message=problem.message,
            hint=problem.hint,
        )


class ImportCounts(BaseModel):
    """Rows by what the import does with them."""

    create: int = Field(description="New people with their placement.")
    update: int = Field(description="Placements from an earlier import brought up to date.")
    link: int = Field(description="Existing people (same NIK or passport) given the placement.")
    refuse: int = Field(description="Rows with a problem; nothing of them is written.")


class ImportRead(BaseModel):
    """An import's report: what the dry run found, or what the real run did so far."""

    id: uuid.UUID
    source: str
    file_format: str
    dry_run: bool
    status: str = Field(description="queued, staging, checking, applying, done or failed.")
    failure: str | None = Field(description="Why the file could not be read (status failed).")
    progress_percent: int | None = Field(description="None while the file is being read.")
    rows_read: int
    rows_applied_through: int = Field(description="The checkpoint: last row number applied.")
    found: ImportCounts = Field(description="What the checks found (dry run and real run).")
    done: ImportCounts = Field(description="What the real run has written so far.")
    problem_total: int
    problems: list[ImportProblemRead] = Field(description="The first page of problems.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: AgencyImport, total: int, problems: list[ShownProblem]) -> ImportRead:
        return cls(
            id=job.id,
            source=job.source,
            file_format=job.file_format,
            dry_run=job.dry_run,
            status=job.status,
            failure=job.failure,
            progress_percent=imports.progress(job),
            rows_read=job.total_rows,
            rows_applied_through=job.applied_through,
            found=ImportCounts(
                create=job.to_create, update=job.to_update, link=job.to_link, refuse=job.refused
            ),
            done=ImportCounts(
                create=job.created,
                update=job.updated,
                link=job.linked,
                refuse=job.refused if job.status == "done" and not job.dry_run else 0,
            ),
            problem_total=total,
            problems=[ImportProblemRead.of(p) for p in problems],
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class ImportQueued(BaseModel):
    """The upload was stored and queued; follow it at ``report``."""

    id: uuid.UUID
    status: str
    report: str
