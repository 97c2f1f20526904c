"""Voice calls and the platform events they are built from.

A call is never recorded from one event: the platform reports it ringing, our menu answers
it, the caller presses keys, the duty officer's phone is dialled, and the line hangs up —
and a real exchange may lose any of these (the hang-up most often). Every event is a row
keyed by the platform's call id and what it reports, so a webhook delivered twice is
recorded once; the call row holds what the events add up to.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import CONTACT_PURPOSE, Sealed
from peduli.core.db import Base, IdMixin, utcnow


class VoiceCall(IdMixin, Base):
    """One call to the voice line, from its first ring to its end (or its silence)."""

    __tablename__ = "voice_call"
    __table_args__ = (
        # The silence job: calls still open, oldest last event first.
        Index("ix_voice_call_open", "last_event_at",
              postgresql_where=text("ended_at IS NULL"), sqlite_where=text("ended_at IS NULL")),
        # The callbacks due of a post, oldest call first.
        Index("ix_voice_call_callback", "representation_code", "callback_state", "started_at"),
    )  # fmt: skip

    platform_call_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The caller's number (E.164 when the platform gives one); None when withheld.
    caller_number: Mapped[str | None] = mapped_column(Sealed(CONTACT_PURPOSE))
    representation_code: Mapped[str] = mapped_column(String(64))
    # Whose verified phone called (never a number someone only claimed).
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    language: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    connected_at: Mapped[datetime | None]  # the duty officer picked up
    ended_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime] = mapped_column(default=utcnow)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    emergency_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("emergency.id", ondelete="SET NULL")
    )
    callback_state: Mapped[str | None] = mapped_column(String(16))
    called_back_at: Mapped[datetime | None]
    called_back_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )


class VoiceCallEvent(IdMixin, Base):
    """One event the platform reported about a call, once per call and ``event_key``."""

    __tablename__ = "voice_call_event"
    __table_args__ = (UniqueConstraint("call_id", "event_key", name="uq_voice_call_event_key"),)

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voice_call.id", ondelete="CASCADE"))
    # What happened, unique per call: "incoming", "gather:language", "status:completed" …
    event_key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    digits: Mapped[str | None] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(default=utcnow)
