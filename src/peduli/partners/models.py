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

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.db import Base, IdMixin, TimestampMixin, utcnow


class PartnerKind(StrEnum):
    DIASPORA_ASSOCIATION = "diaspora_association"
    NGO = "ngo"
    RELIGIOUS_ORGANISATION = "religious_organisation"
    MIGRANT_WORKER_UNION = "migrant_worker_union"
    STUDENT_ASSOCIATION = "student_association"
    OTHER = "other"


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
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


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
