"""Partner tables: the partner registry, its member accounts, referrals and delegations.

A partner is an organisation abroad (diaspora association, NGO, religious organisation,
migrant-worker union…) managed by one representation. Its people sign in with staff
accounts of role ``partner``; ``partner_member`` links each such account to its partner
(one partner per account) without changing the auth tables.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import CONTACT_PURPOSE, Sealed
from peduli.core.db import Base, IdMixin, TimestampMixin, utcnow
from peduli.core.i18n import LANGUAGES


class PartnerKind(StrEnum):
    DIASPORA_ASSOCIATION = "diaspora_association"
    NGO = "ngo"
    RELIGIOUS_ORGANISATION = "religious_organisation"
    MIGRANT_WORKER_UNION = "migrant_worker_union"
    STUDENT_ASSOCIATION = "student_association"
    OTHER = "other"


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DONE = "done"


class DelegationStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DONE = "done"
    ESCALATED = "escalated"  # the partner handed it back to the representation
    REVOKED = "revoked"


# A partner reaches a delegated case only while its delegation is in one of these.
ACTIVE_DELEGATION = (DelegationStatus.SENT, DelegationStatus.ACCEPTED, DelegationStatus.ESCALATED)
_ACTIVE_SQL = "status IN ('sent', 'accepted', 'escalated')"


class ShareBasis(StrEnum):
    """Why the citizen's data may be shared: their consent, or a stated legal ground."""

    CONSENT = "consent"
    VITAL_INTEREST = "vital_interest"  # danger to life or health, no time to ask
    LEGAL_OBLIGATION = "legal_obligation"
    PUBLIC_TASK = "public_task"


class MemberRole(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"


class Partner(IdMixin, TimestampMixin, Base):
    """A community partner organisation and the region it serves abroad."""

    __tablename__ = "partner"
    __table_args__ = (Index("ix_partner_representation_name", "representation_code", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    representation_code: Mapped[str] = mapped_column(String(40))
    # Where it works abroad: one country, optionally narrowed to ISO 3166-2 subdivisions
    # and named cities (JSON lists of strings).
    country: Mapped[str] = mapped_column(String(2))
    subdivisions: Mapped[list[str]] = mapped_column(JSON, default=list)
    cities: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    # Encrypted like every phone and email; the reminders copy the ciphertext to the outbox.
    contact_email: Mapped[str | None] = mapped_column(Sealed(CONTACT_PURPOSE))
    contact_phone: Mapped[str | None] = mapped_column(Sealed(CONTACT_PURPOSE))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    def reader_language(self) -> str | None:
        """The language to write to the partner in: its first listed language, if the
        platform speaks it (None: Indonesian). ``jobs.partner_language`` is the same
        rule in SQL."""
        first = next(iter(self.languages or []), None)
        return first if first in LANGUAGES else None


class PartnerHomeProvince(Base):
    """A home province (Indonesia) whose citizens the partner represents; a row each so
    officers can find partners for a citizen's province in SQL."""

    __tablename__ = "partner_home_province"
    __table_args__ = (Index("ix_partner_home_province_code", "province_code", "partner_id"),)

    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True
    )
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)


class PartnerMember(Base):
    """A staff account of role ``partner`` working for one partner."""

    __tablename__ = "partner_member"

    staff_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    member_role: Mapped[str] = mapped_column(String(12), default=MemberRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Referral(IdMixin, TimestampMixin, Base):
    """A case referred to an agency (police, immigration, BP2MI, an NGO…)."""

    __tablename__ = "case_referral"
    __table_args__ = (
        Index("ix_case_referral_case", "case_id", "created_at"),
        # The reminder task: open referrals not reminded yet, by deadline.
        Index("ix_case_referral_reminder", "due_at",
              postgresql_where=text("reminded_at IS NULL AND status IN ('sent', 'accepted')"),
              sqlite_where=text("reminded_at IS NULL AND status IN ('sent', 'accepted')")),
    )  # fmt: skip

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    agency_kind: Mapped[str] = mapped_column(String(30))
    agency_name: Mapped[str] = mapped_column(String(200))
    agency_contact: Mapped[str | None] = mapped_column(String(254))
    purpose: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ReferralStatus.SENT)
    basis: Mapped[str] = mapped_column(String(20))
    basis_note: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    created_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_note: Mapped[str | None] = mapped_column(Text)


class Delegation(IdMixin, TimestampMixin, Base):
    """A case handed to a community partner for a task; the partner's only way in."""

    __tablename__ = "case_delegation"
    __table_args__ = (
        Index("ix_case_delegation_case", "case_id", "created_at"),
        # The partner's queue and every access check: its delegations by status.
        Index("ix_case_delegation_partner", "partner_id", "status", "due_at"),
        # One open delegation per case and partner.
        Index("uq_case_delegation_open", "case_id", "partner_id", unique=True,
              postgresql_where=text(_ACTIVE_SQL), sqlite_where=text(_ACTIVE_SQL)),
        Index("ix_case_delegation_reminder", "due_at",
              postgresql_where=text("reminded_at IS NULL AND status IN ('sent', 'accepted')"),
              sqlite_where=text("reminded_at IS NULL AND status IN ('sent', 'accepted')")),
    )  # fmt: skip

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=DelegationStatus.SENT)
    basis: Mapped[str] = mapped_column(String(20))
    basis_note: Mapped[str | None] = mapped_column(Text)
    # Least data: the citizen's contact and exact address only when the task needs them.
    share_contact: Mapped[bool] = mapped_column(default=False)
    share_address: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    created_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_note: Mapped[str | None] = mapped_column(Text)


class DelegationEvent(Base):
    """A timeline event the delegated partner may see (its own and those addressed to it)."""

    __tablename__ = "case_delegation_event"

    delegation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_delegation.id", ondelete="CASCADE"), primary_key=True
    )
    event_seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("case_event.seq", ondelete="CASCADE"),
        primary_key=True,
    )
