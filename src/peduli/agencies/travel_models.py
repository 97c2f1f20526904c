"""What immigration and BP2MI answered about a person, stored by the worker so that a read of
the person screen never calls an agency; and BP2MI's list of licensed placement agencies,
refreshed by a periodic job.

Each person's rows are replaced whole by the next answer (``travel.record_*``); the number of
a newer passport that replaced theirs is a personal identifier, sealed at rest.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import Sealed
from peduli.core.db import Base, IdMixin
from peduli.registry.models import PASSPORT_PURPOSE


class PassportStatus(StrEnum):
    """What immigration says of a passport."""

    VALID = "valid"
    EXPIRED = "expired"
    LOST = "reported_lost"
    REVOKED = "revoked"
    REPLACED = "replaced"
    NOT_FOUND = "not_found"  # immigration knows no passport of this number


class LicenceState(StrEnum):
    """A placement agency's standing in BP2MI's licence list."""

    ACTIVE = "active"
    REVOKED = "revoked"
    UNLISTED = "unlisted"  # not in the list at all: never licensed


class PassportCheck(IdMixin, Base):
    """Immigration's last answer on a person's current passport (one row per person)."""

    __tablename__ = "agency_passport_check"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), unique=True
    )
    # Which passport was asked about: the blind index of its number (the registry's).
    passport_index: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    status_since: Mapped[date | None] = mapped_column(Date)
    replaced_by: Mapped[str | None] = mapped_column(Sealed(PASSPORT_PURPOSE))
    date_of_birth_match: Mapped[bool | None]
    checked_at: Mapped[datetime]


class BorderCrossing(IdMixin, Base):
    """A recent passage of an Indonesian border post, as immigration recorded it."""

    __tablename__ = "agency_border_crossing"
    __table_args__ = (Index("ix_agency_border_crossing_person", "person_id", "at"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    direction: Mapped[str] = mapped_column(String(8))  # exit | entry (of Indonesia)
    port: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(2))
    fetched_at: Mapped[datetime]


class PlacementRecord(IdMixin, Base):
    """A BP2MI placement of a migrant worker."""

    __tablename__ = "agency_placement"
    __table_args__ = (
        UniqueConstraint("person_id", "placement_id", name="uq_agency_placement_person"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    placement_id: Mapped[str] = mapped_column(String(40))
    employer: Mapped[str] = mapped_column(String(200))
    agency_licence: Mapped[str | None] = mapped_column(String(40))
    agency_name: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    contract_start: Mapped[date] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    fetched_at: Mapped[datetime]


class LicensedAgency(Base):
    """A placement agency (P3MI) in BP2MI's licence list, as last refreshed."""

    __tablename__ = "licensed_agency"

    licence: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name folded for look-ups by name (``licences.name_key``): a stay records a name only.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(12))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    refreshed_at: Mapped[datetime]


class AgencyStanding(NamedTuple):
    """An agency's licence number (None when unlisted) and state."""

    licence: str | None
    state: LicenceState
