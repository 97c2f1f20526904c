"""Bodies and answers of the agencies' API: checks, the message log, the agency trail,
imports' reports (counts, progress, problems), webhook subscriptions, the bilateral
exchange."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from peduli.agencies import imports
from peduli.agencies.envelope import MAX_CAUSE, Purpose
from peduli.agencies.exchange_workflow import AnswerKind, RequestKind
from peduli.agencies.imports_problems import ShownProblem
from peduli.agencies.imports_restart_models import AgencyImportRestart
from peduli.agencies.models import AgencyImport, AgencyMessage, PersonVerification, Source
from peduli.core.events import EventType
from peduli.core.schemas import RequestBody

Url = Annotated[str, StringConstraints(min_length=8, max_length=500)]


class SubscriptionCreate(RequestBody):
    """A partner system to deliver some event types to, signed with a secret made for it."""

    subscriber: str = Field(min_length=2, max_length=200, description="Who receives them.")
    url: Url = Field(description="Where each event is POSTed (https outside development).")
    purpose: str = Field(min_length=5, max_length=500, description="Why they receive them.")
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))


class SubscriptionUpdate(RequestBody):
    """Fields to change; those left out stay as they are."""

    url: Url | None = None
    purpose: str | None = Field(default=None, min_length=5, max_length=500)
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=20)
    active: bool | None = None


class SubscriptionRead(BaseModel):
    """A subscription as HQ sees it: never its secret (shown once, when made or rotated)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subscriber: str
    url: str
    purpose: str
    event_types: list[str]
    active: bool
    created_at: datetime
    delivered: int = 0
    waiting: int = 0
    dead: int = 0


class SubscriptionSecret(BaseModel):
    """A subscription with its signing secret, shown this once."""

    subscription: SubscriptionRead
    secret: str = Field(description="Keep it: it is never shown again (rotate to get another).")


class ExchangeRequestCreate(RequestBody):
    """A request to a partner state about one of the case's people."""

    partner_code: str = Field(min_length=2, max_length=8, description="MY, SA…")
    kind: RequestKind
    case_person_id: uuid.UUID = Field(description="Which of the case's people it is about.")
    note: str = Field(default="", max_length=2000, description="What the officer asks.")


class ExchangeMessageRead(BaseModel):
    """One message of a case's exchange, as the case's workers see it."""

    id: uuid.UUID
    message_id: str
    partner_code: str
    direction: str
    kind: str
    in_reply_to: str | None
    created_at: datetime
    delivery: str = Field(description="Outbound: queued, sent or failed (the outbox's word).")
    answered_at: datetime | None
    note: str | None
    details: dict[str, Any]


class InboundMessage(RequestBody):
    """A partner state's signed message: an answer to one of our requests."""

    message_id: str = Field(min_length=8, max_length=100)
    kind: AnswerKind
    in_reply_to: str = Field(min_length=8, max_length=100)
    sent_at: datetime
    partner_reference: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=2000)
    details: dict[str, str] = Field(default_factory=dict, max_length=20)


class InboundAccepted(BaseModel):
    """Our receipt of a partner's message."""

    message_id: str
    status: str = "accepted"


class VerificationRequest(RequestBody):
    """Queue a check of a person at an agency; the worker runs it (202)."""

    source: Source = Field(default=Source.CIVIL_REGISTRY, description="Where to check.")
    purpose: Purpose = Field(description="Why the agency is asked (sent in the envelope).")
    cause: str = Field(
        min_length=1,
        max_length=MAX_CAUSE,
        description="The case or application that causes the check, e.g. a case number.",
        examples=["case 2026-KL-0042"],
    )


class VerificationRead(BaseModel):
    """A person's state at one source: verified at T / mismatch on fields F / not found /
    agency unavailable, retry at T; or queued, or not checkable."""

    source: str
    subject: str = Field(description='"record", or the id of an identity claim checked.')
    claim_id: uuid.UUID | None
    state: str
    fields: list[str] = Field(description="The fields that did not match (mismatch).")
    name_score: float | None
    detail: str | None
    purpose: str
    cause: str
    requested_at: datetime
    checked_at: datetime | None
    retry_at: datetime | None

    @classmethod
    def of(cls, row: PersonVerification) -> VerificationRead:
        return cls(
            source=row.source,
            subject=row.subject,
            claim_id=row.claim_id,
            state=row.state,
            fields=list(json.loads(row.fields or "[]")),
            name_score=row.name_score,
            detail=row.detail,
            purpose=row.purpose,
            cause=row.cause,
            requested_at=row.requested_at,
            checked_at=row.checked_at,
            retry_at=row.retry_at,
        )


class VerificationList(BaseModel):
    person_id: uuid.UUID
    items: list[VerificationRead]


class MessageLogEntry(BaseModel):
    """One message of the log, without its body (sealed; the hash covers it)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    message_id: uuid.UUID
    direction: str
    at: datetime
    agency: str
    operation: str
    client: str
    actor: str
    purpose: str
    cause: str
    person_id: uuid.UUID | None
    status: int
    outcome: str
    request_hash: str
    body_hash: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, row: AgencyMessage) -> MessageLogEntry:
        return cls.model_validate(row)


class MessageLogPage(BaseModel):
    items: list[MessageLogEntry]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )


class AgencyTrailEntry(BaseModel):
    """One time an agency was asked about the citizen: which, when, why."""

    at: datetime
    agency: str
    operation: str
    purpose: str
    cause: str
    outcome: str


class AgencyTrailPage(BaseModel):
    total: int
    items: list[AgencyTrailEntry]


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
    started_again_at: datetime | None = Field(
        description="A dry run: when it last started again from its first row, as a database "
        "crash had lost the rows it had read (its counts went back to nothing)."
    )
    started_again: str | None = Field(
        description="That restart in a sentence, in the reader's language; null without one."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(
        cls,
        job: AgencyImport,
        total: int,
        problems: list[ShownProblem],
        *,
        restart: AgencyImportRestart | None = None,
        restart_notice: str | None = None,
    ) -> ImportRead:
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
            started_again_at=restart.at if restart else None,
            started_again=restart_notice if restart else None,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class ImportQueued(BaseModel):
    """The upload was stored and queued; follow it at ``report``."""

    id: uuid.UUID
    status: str
    report: str
