"""Registry tables: one person per citizen, their documents, contacts and stays abroad.

NIK and passport numbers, phones and emails are stored only encrypted, next to a keyed blind
index that the unique indexes and exact look-ups use; street addresses and the emergency
contact's phone are encrypted too (``core.crypto.Sealed``). A person is in an officer's
scope through their stays: each stay carries the code of the representation whose
jurisdiction it falls in.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from peduli.core.byte_order import byte_ordered
from peduli.core.crypto import CONTACT_PURPOSE, Sealed, contact_index
from peduli.core.db import Base, IdMixin, TimestampMixin
from peduli.registry.link_columns import LinkKeyColumns

NIK_PURPOSE = "nik"
PASSPORT_PURPOSE = "passport"
CLAIM_REPORT_PURPOSE = "identity-claim"  # a pending claim's report, sealed whole
ADDRESS_PURPOSE = "address"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    # Erased at the citizen's request: a pseudonymised row that cases still point at.
    ERASED = "erased"


class Verification(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Purpose(StrEnum):
    WORK = "work"
    STUDY = "study"
    FAMILY = "family"
    TOURISM = "tourism"
    OTHER = "other"


class Sector(StrEnum):
    DOMESTIC_WORK = "domestic_work"
    CAREGIVING = "caregiving"
    PLANTATION = "plantation"
    MANUFACTURING = "manufacturing"
    CONSTRUCTION = "construction"
    FISHING_CREW = "fishing_crew"
    HOSPITALITY = "hospitality"
    AGRICULTURE = "agriculture"
    HEALTHCARE = "healthcare"
    OFFICE_PROFESSIONAL = "office_professional"
    OTHER = "other"


class StayStatus(StrEnum):
    ACTIVE = "active"
    DEPARTED = "departed"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    # A Telegram chat id: a bot can write to a person only in the chat they opened with it.
    TELEGRAM = "telegram"


class PreferredChannel(StrEnum):
    """How a person asked to be reached; a chat channel (WhatsApp, Telegram) carries crisis
    broadcasts and reminders instead of SMS (``crisis.delivery``)."""

    SMS = "sms"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    EMAIL = "email"


class ContactTrust(StrEnum):
    """Why a contact is trusted: a code sent to it came back, or an officer vouched for it."""

    CODE = "code"
    OFFICER = "officer"
    SEED = "seed"
    # The person wrote from it in a conversation linked to their record (the platform
    # verified the number, or the chat is theirs).
    CHAT = "chat"


class ClaimStatus(StrEnum):
    PENDING = "pending"
    PROVEN = "proven"
    MERGED = "merged"
    REFUSED = "refused"


class ClaimProof(StrEnum):
    """How a claim was decided. ``CIVIL_REGISTRY``: the agencies worker found the claim's
    report (mother's name included) matching at the civil registry."""

    CODE = "code"
    DOCUMENT_CHECK = "document_check"
    OFFICER_MERGE = "officer_merge"
    CIVIL_REGISTRY = "civil_registry"


class DocumentKind(StrEnum):
    PASSPORT = "passport"
    KTP = "ktp"
    OTHER = "other"


class CheckMethod(StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"


class DuplicateStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    DISMISSED = "dismissed"


class Person(IdMixin, TimestampMixin, LinkKeyColumns, Base):
    """A citizen; ``nik_index`` is unique so a NIK can never belong to two records."""

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_dob_name", "date_of_birth", "name_key"),
        Index("ix_person_link_name_year", "link_name_year"),
        Index("ix_person_link_name_day", "link_name_day"),
        Index("ix_person_link_region", "link_region"),
        Index("ix_person_link_initials", "link_initials"),
    )

    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(byte_ordered(400), index=True)
    sex: Mapped[str] = mapped_column(String(1))
    date_of_birth: Mapped[date] = mapped_column(Date)
    place_of_birth: Mapped[str | None] = mapped_column(String(120))
    nik_encrypted: Mapped[str | None] = mapped_column(String(200), info={"sealed": NIK_PURPOSE})
    nik_index: Mapped[str | None] = mapped_column(byte_ordered(64), unique=True)
    home_province: Mapped[str | None] = mapped_column(String(2))
    preferred_language: Mapped[str] = mapped_column(String(8), default="id")
    # A ``PreferredChannel``; null: as every broadcast chooses (``registry.contacts``).
    preferred_channel: Mapped[str | None] = mapped_column(String(10))
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_phone: Mapped[str | None] = mapped_column(Sealed(CONTACT_PURPOSE))
    emergency_contact_relation: Mapped[str | None] = mapped_column(String(60))
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=PersonStatus.ACTIVE)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    verification: Mapped[str] = mapped_column(String(12), default=Verification.UNVERIFIED)
    verified_by: Mapped[uuid.UUID | None]
    verified_at: Mapped[datetime | None]


class Passport(IdMixin, Base):
    """A passport a person held; the history stays when a new one is reported."""

    __tablename__ = "passport"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    number_encrypted: Mapped[str] = mapped_column(String(200), info={"sealed": PASSPORT_PURPOSE})
    number_index: Mapped[str] = mapped_column(byte_ordered(64), unique=True)
    is_current: Mapped[bool] = mapped_column(default=True)
    reported_at: Mapped[datetime]


class ContactPoint(IdMixin, Base):
    """A phone (E.164) or email of a person, encrypted; found by exact value through
    ``value_index``, which follows ``value`` whenever it is set."""

    __tablename__ = "contact_point"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "value_index", name="uq_contact_point_person_value"),
        Index("ix_contact_point_value", "kind", "value_index"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    # The same ciphertext an outbox row copies for a message to it (same purpose).
    value: Mapped[str] = mapped_column(Sealed(CONTACT_PURPOSE))
    value_index: Mapped[str] = mapped_column(byte_ordered(64))
    is_primary: Mapped[bool] = mapped_column(default=True)
    # Trusted: a code sent to it came back, or an officer in scope entered or confirmed it.
    # Only trusted contacts sign in, become primary or receive the person's messages.
    trusted_at: Mapped[datetime | None]
    trust_source: Mapped[str | None] = mapped_column(String(10))

    @validates("value")
    def _index_value(self, _key: str, value: str) -> str:
        self.value_index = contact_index(value)
        return value


# A stay's personal details that the statistics do not need, blanked once it is long
# departed (``registry.retention``); the stays still holding some, as a literal so that both
# databases match the purge's WHERE to its partial index.
STAY_DETAILS = ("address", "latitude", "longitude", "h3_cell", "employer", "placement_agency")
DEPARTED_WITH_DETAILS = (
    f"status = '{StayStatus.DEPARTED.value}' AND ("
    + " OR ".join(f"{field} IS NOT NULL" for field in STAY_DETAILS)
    + ")"
)


# The active stays, as a literal: SQLite matches a query to a partial index only by the
# text of its WHERE, never through a bound parameter.
ACTIVE_STAY = f"status = '{StayStatus.ACTIVE.value}'"
AUDIENCE_COLUMNS = (
    "person_id", "latitude", "longitude", "representation_code", "purpose", "language",
    "position_approximate", "country", "subdivision",
)  # fmt: skip


class Stay(IdMixin, TimestampMixin, Base):
    """A stay abroad; ``representation_code`` follows jurisdiction and moves with the country."""

    __tablename__ = "stay"
    __table_args__ = (
        Index("ix_stay_representation_status", "representation_code", "status"),
        # The officer's queue: a post's newest self-reports first.
        Index("ix_stay_representation_created", "representation_code", "created_at", "id"),
        # A crisis audience, read cell by cell from this index alone (PostgreSQL: the
        # INCLUDE columns are everything the audience decides and groups by; a country's
        # audience is read from it too, in runs of cells, when a large send is written).
        Index(
            "ix_stay_active_cell",
            "h3_cell",
            postgresql_include=list(AUDIENCE_COLUMNS),
            postgresql_where=text(ACTIVE_STAY),
            sqlite_where=text(ACTIVE_STAY),
        ),
        # What the retention purge reads: only departed stays still holding details, so a
        # batch never reads the stays it blanked before. A stay enters when it departs.
        Index(
            "ix_stay_departed_with_details",
            "departed_on",
            postgresql_where=text(DEPARTED_WITH_DETAILS),
            sqlite_where=text(DEPARTED_WITH_DETAILS),
        ),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(6))
    city: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(Sealed(ADDRESS_PURPOSE))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    h3_cell: Mapped[str | None] = mapped_column(String(16))
    # Placed at its city's centre (the gazetteer), not by GPS or an address the citizen gave.
    position_approximate: Mapped[bool] = mapped_column(default=False, server_default=false())
    purpose: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str | None] = mapped_column(String(24))
    employer: Mapped[str | None] = mapped_column(String(200))
    placement_agency: Mapped[str | None] = mapped_column(String(200))
    arrival_date: Mapped[date] = mapped_column(Date)
    planned_end_date: Mapped[date | None] = mapped_column(Date)
    departed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=StayStatus.ACTIVE)
    representation_code: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(16), default="self_report")
    # The person's ``preferred_language``, kept on each of their stays by the registry
    # (``registry.stays.follow_language``): a crisis audience groups by it without reading
    # ``person``, a 1 M-row look-up at 10 M citizens. Always given: there is no default.
    language: Mapped[str] = mapped_column(String(8))


class DuplicateCandidate(IdMixin, TimestampMixin, Base):
    """A pair that looks like one citizen for an officer: ``evidence`` holds each comparison
    of record linkage (``registry.linkage``), ``match_probability`` their verdict."""

    __tablename__ = "duplicate_candidate"
    __table_args__ = (
        UniqueConstraint("person_id", "other_person_id", name="uq_duplicate_candidate_pair"),
        Index("ix_duplicate_candidate_status", "status", "representation_code"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    other_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=DuplicateStatus.OPEN)
    representation_code: Mapped[str | None] = mapped_column(String(40))
    resolved_by: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    match_probability: Mapped[float | None] = mapped_column(Float, nullable=True)


class DataRequestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class DataRequest(IdMixin, TimestampMixin, Base):
    """A citizen's request to correct their data (UU PDP), decided by an officer in scope.

    It reaches the officers of the post whose jurisdiction holds the person's active stay
    (``registry.corrections``); the decision carries a reason the citizen is told.
    """

    __tablename__ = "data_request"
    __table_args__ = (Index("ix_data_request_status", "status", "created_at"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12), default="correction")
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=DataRequestStatus.OPEN)
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class ErasureRecord(IdMixin, Base):
    """That a person's data was erased, when and at whose request (no personal data).

    The person row stays as a pseudonym (``PersonStatus.ERASED``) so the cases the law
    keeps still point at someone; ``removed`` counts what each domain removed, as JSON.
    """

    __tablename__ = "erasure_record"

    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    erased_at: Mapped[datetime]
    requested_by_account_id: Mapped[uuid.UUID | None]
    removed: Mapped[str] = mapped_column(Text, default="{}")


class IdentityClaim(IdMixin, TimestampMixin, Base):
    """A citizen's report whose NIK or passport matches a record not linked to them.

    The report is kept whole but sealed (``report_encrypted``: its JSON, encrypted like NIKs);
    nothing of it touches the record until the claim is proven or merged by an officer.
    ``representation_code`` is the post of the reported stay, whose officers decide.
    """

    __tablename__ = "identity_claim"
    __table_args__ = (
        Index("ix_identity_claim_queue", "status", "representation_code", "created_at"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(index=True)
    report_encrypted: Mapped[str] = mapped_column(Text, info={"sealed": CLAIM_REPORT_PURPOSE})
    language: Mapped[str] = mapped_column(String(8), default="id")
    representation_code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.PENDING)
    proof: Mapped[str | None] = mapped_column(String(16))
    document_kind: Mapped[str | None] = mapped_column(String(10))
    document_digits: Mapped[str | None] = mapped_column(String(8))
    check_method: Mapped[str | None] = mapped_column(String(10))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]


# The record of a merge and the drafts live beside (this module is at its length); imported
# from here too.
from peduli.registry.draft_models import LaporDraft as LaporDraft  # noqa: E402
from peduli.registry.merge_models import PersonMerge as PersonMerge  # noqa: E402
