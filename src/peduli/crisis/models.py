"""Crisis tables: the crisis and its area, broadcasts, recipients and their check-ins.

An area is kept twice: as declared (GeoJSON, a circle or countries, for people and CAP) and
as what targeting joins against: the H3 cells covering it (``crisis_cell``, ``inside`` when
the whole cell lies in the area) and, for polygons, the ring edges (``crisis_edge``) that an
exact even-odd point-in-polygon test counts in SQL for stays in border cells.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.db import Base, IdMixin, TimestampMixin

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class CrisisKind(StrEnum):
    EARTHQUAKE = "earthquake"
    TSUNAMI = "tsunami"
    FLOOD = "flood"
    STORM = "storm"
    VOLCANO = "volcano"
    CONFLICT = "conflict"
    CIVIL_UNREST = "civil_unrest"
    SCAM_COMPOUND_RAID = "scam_compound_raid"
    EPIDEMIC = "epidemic"
    OTHER = "other"


class Severity(StrEnum):
    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"
    EXTREME = "extreme"


class CrisisStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class AreaKind(StrEnum):
    POLYGON = "polygon"
    CIRCLE = "circle"
    COUNTRIES = "countries"


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SENDING = "sending"  # a large audience being written by the worker (``fan_out_waiting``)
    SENT = "sent"


class Answer(StrEnum):
    SAFE = "safe"
    NEED_HELP = "need_help"


class Delivery(StrEnum):
    """How a person's broadcast messages of a crisis fared (``crisis.delivery_state``); NULL
    while none has been sent or given up on yet."""

    SENT = "sent"  # at least one of their messages was sent
    DEAD = "dead"  # none was sent, and the outbox gave up on at least one


class Crisis(IdMixin, TimestampMixin, Base):
    """A declared crisis; ``area_geojson`` is the area as declared, in GeoJSON or our JSON."""

    __tablename__ = "crisis"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default=CrisisStatus.ACTIVE)
    started_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    area_kind: Mapped[str] = mapped_column(String(10))
    area_geojson: Mapped[str] = mapped_column(Text)
    # The centre people are sorted by (the circle's centre, a polygon's centroid).
    center_latitude: Mapped[float | None] = mapped_column(Float)
    center_longitude: Mapped[float | None] = mapped_column(Float)
    radius_km: Mapped[float | None] = mapped_column(Float)
    countries: Mapped[str | None] = mapped_column(String(400))  # "MY,SG"
    subdivisions: Mapped[str | None] = mapped_column(String(400))  # "MY-10,MY-14"
    representation_codes: Mapped[str] = mapped_column(String(400), default="")
    created_by: Mapped[uuid.UUID | None]
    created_by_display: Mapped[str] = mapped_column(String(200), default="")
    cap_identifier: Mapped[str | None] = mapped_column(String(200))
    cap_sender: Mapped[str | None] = mapped_column(String(200))

    # CAP 1.2: an alert is named by its sender and identifier; importing it again finds
    # the crisis it made (crises declared by hand have neither, and NULLs never collide).
    __table_args__ = (UniqueConstraint("cap_sender", "cap_identifier", name="uq_crisis_cap_alert"),)


class CrisisCell(Base):
    """An H3 cell (the stays' resolution) covering a crisis area; ``inside``: wholly in it."""

    __tablename__ = "crisis_cell"

    crisis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("crisis.id", ondelete="CASCADE"), primary_key=True
    )
    h3_cell: Mapped[str] = mapped_column(String(16), primary_key=True)
    inside: Mapped[bool] = mapped_column(default=False)


class CrisisEdge(Base):
    """One edge of a polygon ring (longitude x, latitude y) for the exact test in SQL."""

    __tablename__ = "crisis_edge"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crisis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("crisis.id", ondelete="CASCADE"), index=True
    )
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    x2: Mapped[float] = mapped_column(Float)
    y2: Mapped[float] = mapped_column(Float)


class Broadcast(IdMixin, TimestampMixin, Base):
    """A message to everyone targeted: drafted, approved by a second person, then sent.

    ``representation_code`` limits a supervisor's broadcast to their own post's people.
    """

    __tablename__ = "crisis_broadcast"

    crisis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("crisis.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default=BroadcastStatus.DRAFT)
    messages: Mapped[str] = mapped_column(Text)  # JSON {"id": …, "en": …, "zh": …, "fr": …}
    channels: Mapped[str] = mapped_column(String(60))  # "sms,email"
    representation_code: Mapped[str | None] = mapped_column(String(40))
    remind_after_minutes: Mapped[int] = mapped_column(Integer, default=120)
    created_by: Mapped[uuid.UUID]
    created_by_display: Mapped[str] = mapped_column(String(200), default="")
    approved_by: Mapped[uuid.UUID | None]
    approved_at: Mapped[datetime | None]
    sent_by: Mapped[uuid.UUID | None]
    sent_at: Mapped[datetime | None]
    # While the worker writes a large audience, run after run of cells (the area's covering
    # cells, or a country's stays' own): the last cell whose people are written
    # (``targeting.CellRange``), where a worker killed half-way resumes.
    fanned_out_through: Mapped[str | None] = mapped_column(String(16))
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class BroadcastPost(Base):
    """How many of a broadcast's recipients each post has (``representation_code``; '' for
    people of no post), added up run by run as the fan-out writes them: what the live screen
    shows a post of a million-person broadcast without counting the million."""

    __tablename__ = "crisis_broadcast_post"

    broadcast_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    representation_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class Recipient(Base):
    """One person a broadcast targets; ``id`` is what their signed check-in link carries.

    A snapshot written a million at a time by one ``INSERT … SELECT`` from rows that exist,
    so it has no foreign keys: their per-row checks tripled the cost of a broadcast.
    """

    __tablename__ = "crisis_recipient"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "person_id", name="uq_crisis_recipient_person"),
        Index("ix_crisis_recipient_crisis", "crisis_id", "representation_code"),
        Index("ix_crisis_recipient_person", "person_id", "created_at"),
        # What the reminder task scans: only the silent, not yet reminded.
        Index(
            "ix_crisis_recipient_remind",
            "remind_at",
            postgresql_where=text("reminded_at IS NULL AND answer IS NULL"),
            sqlite_where=text("reminded_at IS NULL AND answer IS NULL"),
        ),
        # What the board page's "not yet reached" counts (``crisis.unreached.counts``): one
        # entry per person reminded and still silent, read by post from the index alone. A
        # person enters it when reminded and leaves it when they answer.
        # What the live screen counts of a broadcast's answers: the answered only.
        Index(
            "ix_crisis_recipient_answered",
            "broadcast_id",
            "representation_code",
            "answer",
            postgresql_where=text("answer IS NOT NULL"),
            sqlite_where=text("answer IS NOT NULL"),
        ),
        Index(
            "ix_crisis_recipient_silent",
            "crisis_id",
            "representation_code",
            postgresql_where=text("counted AND reminded AND answer IS NULL"),
            sqlite_where=text("counted = 1 AND reminded = 1 AND answer IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    broadcast_id: Mapped[uuid.UUID]
    crisis_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    stay_id: Mapped[uuid.UUID]
    representation_code: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    distance_km: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime]
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None]
    # What the board page counts, kept so that it reads one row per person of this table:
    # ``counted`` marks the person's first row in the crisis, which carries the stay's
    # "country · city" when targeted and the person's ``Delivery`` over all their broadcasts
    # of the crisis (``crisis.delivery_state``), and, as an answer is written to every row
    # the person has, their latest answer; and whether a reminder went to the person, while
    # silent, on any of their broadcasts of the crisis (``reminded``, ``crisis.reminders``).
    counted: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    place: Mapped[str | None] = mapped_column(String(130))
    delivery: Mapped[str | None] = mapped_column(String(4))
    reminded: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


class DeliveryMark(Base):
    """How far ``crisis.delivery_state`` has followed the outbox: messages that finished
    (sent or dead) before ``finished_until`` are on their recipient rows. One row."""

    __tablename__ = "crisis_delivery_mark"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    finished_until: Mapped[datetime]


class CheckIn(IdMixin, Base):
    """An answer to a broadcast: safe or in need of help, with where and a note.

    A need-help check-in is raised by the worker a moment after it is written
    (``help_raised_at``): it opens a case (``case_id``) in the post's case queue, or joins
    the one the person's earlier call opened.
    """

    __tablename__ = "crisis_checkin"
    __table_args__ = (
        Index("ix_crisis_checkin_crisis", "crisis_id", "answer", "handled_at"),
        # "I need help" looks up the case the person's earlier call opened (and deleting a
        # person finds their check-ins) without reading every check-in of the crisis.
        Index("ix_crisis_checkin_person", "person_id", "crisis_id"),
        # The calls for help the worker has still to raise: a handful at any time.
        Index(
            "ix_crisis_checkin_help_to_raise",
            "created_at",
            postgresql_where=text("answer = 'need_help' AND help_raised_at IS NULL"),
            sqlite_where=text("answer = 'need_help' AND help_raised_at IS NULL"),
        ),
    )

    recipient_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("crisis_recipient.id", ondelete="CASCADE"), index=True
    )
    # No foreign key to the crisis: its check would share-lock the one crisis row from every
    # concurrent answer (a multixact per answer under load); the recipient names it already.
    crisis_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    representation_code: Mapped[str | None] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    place: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(8))  # web | api | sms
    created_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]
    # The case "I need help" opened (one per person and crisis; later calls join it).
    case_id: Mapped[uuid.UUID | None]
    # When the worker raised this call for help (case opened or joined, duty officer alerted).
    help_raised_at: Mapped[datetime | None]


class ReachOutcome(StrEnum):
    """What an officer's call or visit to a silent person came to."""

    REACHED_SAFE = "reached_safe"
    NEED_HELP = "need_help"
    UNREACHABLE = "unreachable"


class ReachAttempt(IdMixin, Base):
    """An officer's attempt to reach a person still silent after the reminder.

    Reached safe or in need of help, the attempt also writes the person's check-in
    (``checkin_id``, via ``officer``), so the board counts them as a check-in would and a
    need-help answer opens the case (``case_id``); unreachable keeps them on the list.
    """

    __tablename__ = "crisis_reach_attempt"
    __table_args__ = (Index("ix_crisis_reach_attempt_person", "crisis_id", "person_id"),)

    crisis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crisis.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    representation_code: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(14))
    note: Mapped[str | None] = mapped_column(Text)
    checkin_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID | None]
    recorded_by: Mapped[uuid.UUID | None]
    recorded_by_display: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
