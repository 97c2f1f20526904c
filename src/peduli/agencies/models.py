"""Tables of the agencies domain: the signed message log, the circuit breakers, the answer
cache, each person's verification state per source, the imports of agencies' exports,
partner systems' webhook subscriptions and the bilateral exchange with partner states (their
keys, the signed messages).

An import's file is kept sealed on disk (``imports_files``); its rows are staged here sealed
and blind-indexed as the registry stores them, so ``registry.bulk`` copies the ciphertext.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.byte_order import byte_ordered
from peduli.core.crypto import CONTACT_PURPOSE, Sealed
from peduli.core.db import Base, IdMixin, TimestampMixin, utcnow
from peduli.registry.link_columns import LinkKeyColumns
from peduli.registry.models import NIK_PURPOSE, PASSPORT_PURPOSE, Person

MESSAGE_BODY_PURPOSE = "agency-message"
CACHED_ANSWER_PURPOSE = "agency-answer"


class Direction(StrEnum):
    REQUEST = "request"
    ANSWER = "answer"


class AgencyMessage(Base):
    """One request to an agency or its answer (or why none came). Never updated or deleted
    by the application, except that a citizen's erasure empties ``body`` (outside the hash)."""

    __tablename__ = "agency_message"
    __table_args__ = (
        UniqueConstraint("message_id", "direction", name="uq_agency_message_id"),
        Index("ix_agency_message_person", "person_id", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    message_id: Mapped[uuid.UUID]
    direction: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    agency: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[uuid.UUID | None]
    request_hash: Mapped[str] = mapped_column(String(64))
    # The answer's HTTP status (0: none came: time-out, refused connection, breaker open).
    status: Mapped[int] = mapped_column(SmallInteger, default=0)
    outcome: Mapped[str] = mapped_column(String(16))  # sent, ok, refused, unavailable
    body_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Sealed(MESSAGE_BODY_PURPOSE))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AgencyLogHead(Base):
    """The newest hash of the message log and its length: the row a writer locks."""

    __tablename__ = "agency_log_head"

    chain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger, default=0)


class AgencyBreaker(Base):
    """The circuit breaker of one agency, shared by every worker: failures in a row, open
    until when, and the lease of the one trial call let through once it half-opens."""

    __tablename__ = "agency_breaker"

    agency: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    opened_until: Mapped[datetime | None]
    probe_until: Mapped[datetime | None]
    last_failure: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgencyAnswer(Base):
    """A cached answer of an agency to one request, until ``expires_at``; ``key`` is the
    hash of the agency, the operation and the request's hash."""

    __tablename__ = "agency_answer"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Sealed(CACHED_ANSWER_PURPOSE))
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Source(StrEnum):
    """Where a person's data is checked."""

    CIVIL_REGISTRY = "civil_registry"
    IMMIGRATION = "immigration"
    PLACEMENTS = "placements"


class CheckState(StrEnum):
    """A person's state at one source."""

    QUEUED = "queued"
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # the agency did not answer: tried again at retry_at
    NOT_CHECKABLE = "not_checkable"  # nothing to ask with (no NIK) or the agency refused


RECORD = "record"  # the subject of a check of the record itself (not of a claim on it)
# The subject of the civil registry's answer on the record's marital status, asked only for
# the voter list; a verified check's ``detail`` holds it (``MARITAL_STATUSES``).
MARITAL_STATUS = "marital_status"
EVER_MARRIED, NEVER_MARRIED = "ever_married", "never_married"
MARITAL_STATUSES = (EVER_MARRIED, NEVER_MARRIED)


class PersonVerification(Base):
    """A person's verification at one source: its state, when, and the next try. The
    subject is the record itself (``RECORD``) or one identity claim on it (its id)."""

    __tablename__ = "person_verification"
    __table_args__ = (
        Index("ix_person_verification_due", "due_at"),
        Index("ix_person_verification_claim", "claim_id"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(40), primary_key=True, default=RECORD)
    claim_id: Mapped[uuid.UUID | None]
    state: Mapped[str] = mapped_column(String(16), default=CheckState.QUEUED)
    # JSON list of the fields that did not match (mismatch), e.g. ["mother_name"].
    fields: Mapped[str] = mapped_column(Text, default="[]")
    name_score: Mapped[float | None]
    detail: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]  # when the worker runs it next (None: nothing to do)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[datetime | None]
    retry_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]  # a worker took it until then


# The worker finds new records by their creation time (``verification.queue_new_records``);
# declared here, next to the only query that needs it, on the registry's table.
Index("ix_person_created_at", Person.created_at)


# --- imports of agencies' exports -----------------------------------------------------------

PROBLEM_PURPOSE = "import-problem"
BigId = BigInteger().with_variant(
    Integer(), "sqlite"
)  # a row problem's message, which may quote the cell


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


class AgencyImportRow(LinkKeyColumns, Base):
    """A row of an export, validated and sealed; ``action`` decided by the checks. A new
    person's blocking keys are made where the row is read, the one place its NIK is in the
    clear (``LinkKeyColumns``)."""

    __tablename__ = "agency_import_row"
    __table_args__ = (
        UniqueConstraint("import_id", "row_number", name="uq_agency_import_row_number"),
        # For the repeat checks' equality look-ups only. Hash indexes on PostgreSQL: a B-tree
        # on 64 hex digits cost a staged row three times as much to write.
        Index("ix_agency_import_row_nik", "nik_index", postgresql_using="hash"),
        Index("ix_agency_import_row_passport", "passport_index", postgresql_using="hash"),
        # UNLOGGED on PostgreSQL (``migrations.regen``): no WAL for rows written once; a crash
        # empties the table and ``imports_restore`` stages again what it lost.
        {"info": {"unlogged": True}},
    )

    # One key column, as key rotation walks every sealed table by its key.
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # No foreign key: its check per staged row was a third of the staging COPY's cost; only
    # the import writes its rows, and imports are never deleted.
    import_id: Mapped[uuid.UUID]
    row_number: Mapped[int] = mapped_column(Integer)
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
    name_key: Mapped[str | None] = mapped_column(byte_ordered(400))
    sex: Mapped[str | None] = mapped_column(String(1))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    place_of_birth: Mapped[str | None] = mapped_column(String(120))
    home_province: Mapped[str | None] = mapped_column(String(2))
    nik_encrypted: Mapped[str | None] = mapped_column(String(200), info={"sealed": NIK_PURPOSE})
    nik_index: Mapped[str | None] = mapped_column(byte_ordered(64))
    passport_encrypted: Mapped[str | None] = mapped_column(
        String(200), info={"sealed": PASSPORT_PURPOSE}
    )
    passport_index: Mapped[str | None] = mapped_column(byte_ordered(64))
    phone_encrypted: Mapped[str | None] = mapped_column(Text, info={"sealed": CONTACT_PURPOSE})
    phone_index: Mapped[str | None] = mapped_column(byte_ordered(64))
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
    __table_args__ = (Index("ix_agency_import_problem_row", "import_id", "row_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency_import.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    detail_encrypted: Mapped[str | None] = mapped_column(Text, info={"sealed": PROBLEM_PURPOSE})


# A subscriber's signing secret, sealed at rest and opened only to sign a delivery.
WEBHOOK_SECRET_PURPOSE = "webhook-secret"  # noqa: S105 (a purpose name, no secret)
# What a message to or from a partner state says of a citizen (name, passport, place).
EXCHANGE_BODY_PURPOSE = "exchange-body"


class WebhookSubscription(IdMixin, TimestampMixin, Base):
    """A partner system that receives some event types at its URL, signed with its secret."""

    __tablename__ = "webhook_subscription"

    subscriber: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(Sealed(WEBHOOK_SECRET_PURPOSE))
    # Why the subscriber receives these events (recorded and shown; the payloads carry no
    # personal identifiers whatever the purpose).
    purpose: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_by: Mapped[uuid.UUID | None]


class WebhookSubscriptionEvent(Base):
    """One event type a subscription receives (what the publisher joins on)."""

    __tablename__ = "webhook_subscription_event"
    __table_args__ = (Index("ix_webhook_subscription_event_type", "event_type"),)

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(40), primary_key=True)


class ExchangePartner(TimestampMixin, Base):
    """A partner state of the "one channel" exchange: where it listens and its public key."""

    __tablename__ = "exchange_partner"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO country: MY, SA
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    key_id: Mapped[str] = mapped_column(String(100))
    # The partner's Ed25519 public key, 32 raw bytes in base64url.
    public_key: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class ExchangeDirection(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class ExchangeMessage(IdMixin, Base):
    """One signed message of the exchange, to or from a partner state, about one case.

    ``message_id`` is the sender's id (ours for outbound, the partner's for inbound): unique
    per partner and direction, so a replayed inbound message is refused.
    """

    __tablename__ = "exchange_message"
    __table_args__ = (
        UniqueConstraint("partner_code", "direction", "message_id", name="uq_exchange_message_id"),
        Index("ix_exchange_message_case", "case_id", "created_at"),
    )

    message_id: Mapped[str] = mapped_column(String(100))
    partner_code: Mapped[str] = mapped_column(ForeignKey("exchange_partner.code"))
    direction: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    # The outbound request an inbound answer refers to (our message id).
    in_reply_to: Mapped[str | None] = mapped_column(String(100))
    # The document as signed (JSON), sealed: it names the citizen the message is about.
    body: Mapped[str] = mapped_column(Sealed(EXCHANGE_BODY_PURPOSE))
    # Outbound: answered once an answer of a kind that closes the request came in.
    answered_at: Mapped[datetime | None]
    actor_account_id: Mapped[uuid.UUID | None]
    actor_display: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
