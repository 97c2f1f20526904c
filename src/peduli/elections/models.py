"""The elections' tables: an election day, each post's committee (PPLN), polling stations
(TPSLN) and mobile ballot boxes (KSK); the elector facts the registry does not hold (marital
status, armed forces or police, a court's removal of the right to vote); each round of a
post's list with its entries and the problems its checks found.

An entry copies what the commission takes in from the registry at generation, in one
``INSERT … SELECT``: personal identifiers (NIK, passport, address abroad, contact) are copied
as ciphertext under the registry's purposes and opened only for the export and the
committee's screen (``elections.roll``). The DP4LN of a round is every entry; the DPTLN is
the entries not struck by the committee (``struck_reason`` empty).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.byte_order import byte_ordered
from peduli.core.crypto import CONTACT_PURPOSE
from peduli.core.db import Base, IdMixin, TimestampMixin, utcnow
from peduli.registry.models import ADDRESS_PURPOSE, NIK_PURPOSE, PASSPORT_PURPOSE

BigId = BigInteger().with_variant(Integer(), "sqlite")


class PlaceKind(StrEnum):
    TPSLN = "tpsln"  # a polling station abroad
    KSK = "ksk"  # a mobile ballot box


class Method(StrEnum):
    """How a voter votes: at a polling station, at a mobile box, or by post."""

    TPSLN = "tpsln"
    KSK = "ksk"
    POS = "pos"


class FactSource(StrEnum):
    """Who recorded the elector facts (the civil registry's marital status is kept apart, as
    its answer: ``elections.civil_status``)."""

    COMMITTEE = "committee"


class ProblemKind(StrEnum):
    DUPLICATE = "duplicate"  # on another post's list of the same round
    UNVERIFIED = "unverified"  # residence (the record) not verified
    CIVIL_REGISTRY = "civil_registry"  # the civil registry contradicts the record
    MARITAL_STATUS = "marital_status"  # the civil registry contradicts the committee's status


class ProblemStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Election(IdMixin, TimestampMixin, Base):
    """An election day abroad, declared by HQ."""

    __tablename__ = "election"

    name: Mapped[str] = mapped_column(String(200))
    election_day: Mapped[date] = mapped_column(Date)
    created_by: Mapped[uuid.UUID | None]


class Committee(IdMixin, Base):
    """A post's overseas election committee (PPLN); its members are the post's staff."""

    __tablename__ = "election_committee"
    __table_args__ = (
        UniqueConstraint("election_id", "representation_code", name="uq_election_committee"),
    )

    election_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    representation_code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))


class PollingPlace(IdMixin, Base):
    """A post's polling station (TPSLN) or mobile box (KSK); ``seq`` numbers each kind."""

    __tablename__ = "polling_place"
    __table_args__ = (
        UniqueConstraint("election_id", "representation_code", "code", name="uq_polling_place"),
        UniqueConstraint(
            "election_id", "representation_code", "kind", "seq", name="uq_polling_place_seq"
        ),
    )

    election_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    representation_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(200))


class ElectorFact(Base):
    """What decides a person's right to vote that the registry does not hold."""

    __tablename__ = "elector_fact"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    ever_married: Mapped[bool | None]
    armed_forces_active: Mapped[bool] = mapped_column(default=False)
    right_removed: Mapped[bool] = mapped_column(default=False)
    court_reference: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16), default=FactSource.COMMITTEE)
    recorded_by: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoterList(IdMixin, Base):
    """One round of one post's list: generated (draft), checked, fixed."""

    __tablename__ = "voter_list"
    __table_args__ = (
        UniqueConstraint("election_id", "representation_code", "round", name="uq_voter_list"),
    )

    election_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    representation_code: Mapped[str] = mapped_column(String(40))
    round: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime | None]
    fixed_at: Mapped[datetime | None]
    fixed_by: Mapped[uuid.UUID | None]


class VoterEntry(Base):
    """One person on one round of a post's list, as copied from the registry."""

    __tablename__ = "voter_entry"
    __table_args__ = (
        UniqueConstraint("list_id", "person_id", name="uq_voter_entry"),
        Index("ix_voter_entry_round", "election_id", "round", "person_id"),
        Index("ix_voter_entry_nik", "election_id", "round", "nik_index"),
        Index("ix_voter_entry_person", "person_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voter_list.id", ondelete="CASCADE"))
    # The list's, copied for the round's look-ups (the list's key guards it: no key here).
    election_id: Mapped[uuid.UUID]
    round: Mapped[int] = mapped_column(Integer)
    representation_code: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    nik_encrypted: Mapped[str | None] = mapped_column(String(200), info={"sealed": NIK_PURPOSE})
    nik_index: Mapped[str | None] = mapped_column(byte_ordered(64))
    passport_encrypted: Mapped[str | None] = mapped_column(
        String(200), info={"sealed": PASSPORT_PURPOSE}
    )
    full_name: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))
    date_of_birth: Mapped[date] = mapped_column(Date)
    place_of_birth: Mapped[str | None] = mapped_column(String(120))
    ever_married: Mapped[bool | None]
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))
    address_encrypted: Mapped[str | None] = mapped_column(Text, info={"sealed": ADDRESS_PURPOSE})
    contact_encrypted: Mapped[str | None] = mapped_column(Text, info={"sealed": CONTACT_PURPOSE})
    verification: Mapped[str] = mapped_column(String(12))
    sector: Mapped[str | None] = mapped_column(String(24))
    proposed_method: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(8))
    ordinal: Mapped[int] = mapped_column(Integer)
    polling_place_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("polling_place.id", ondelete="SET NULL")
    )
    struck_reason: Mapped[str | None] = mapped_column(String(200))
    changed_by: Mapped[uuid.UUID | None]


class ListProblem(Base):
    """What a check found on one entry; blocking ones must be resolved before fixing."""

    __tablename__ = "voter_list_problem"
    __table_args__ = (
        UniqueConstraint("list_id", "person_id", "kind", name="uq_voter_list_problem"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voter_list.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    blocking: Mapped[bool]
    detail: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=ProblemStatus.OPEN)
    resolution: Mapped[str | None] = mapped_column(String(200))
    resolved_by: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]
