"""Emergencies (each one a critical case) and the duty rosters that decide who is alerted.

An emergency's only timer is ``ack_due_at``: when the responder alerted last must have
acknowledged it by. NULL once acknowledged (or when nobody is left to escalate to), so the
escalation task is one indexed range condition. A shift stores its start and end both as
the representation's local wall-clock time (what people edit) and in UTC (what "who is on
duty now" compares with), converted once with ``zoneinfo`` when the shift is written.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import CONTACT_PURPOSE, Sealed
from peduli.core.db import Base, IdMixin, utcnow


class EmergencySource(StrEnum):
    SOS = "sos"  # the citizen's SOS page or POST /api/v1/emergencies
    HOTLINE = "hotline"  # an officer took the call
    CRISIS = "crisis"  # "I need help" answered to a crisis broadcast (link, API or SMS)
    VOICE = "voice"  # a call to the voice line, through its menu (the voice domain)
    CHAT = "chat"  # an SOS word in a WhatsApp, Telegram or SMS conversation


class EmergencyKind(StrEnum):
    """What happened, in the few words a person in danger can pick quickly."""

    VIOLENCE = "violence"
    DETAINED = "detained"
    TRAFFICKING = "trafficking"
    HOSTAGE = "hostage"
    SCAM_COMPOUND = "scam_compound"
    ACCIDENT = "accident"
    DISASTER = "disaster"
    OTHER = "other"


# The kind of an emergency a crisis check-in raised ("I need help"): not one of the kinds a
# person picks on the SOS form, so the SOS API and forms do not offer it.
CRISIS_HELP_KIND = "crisis_help"


class Emergency(IdMixin, Base):
    """One call for help that must reach a person on duty in minutes."""

    __tablename__ = "emergency"
    __table_args__ = (
        Index("ix_emergency_rep_created", "representation_code", "created_at"),
        # The escalation task: unacknowledged emergencies whose time is up.
        Index("ix_emergency_ack_due", "ack_due_at",
              postgresql_where=text("acknowledged_at IS NULL"),
              sqlite_where=text("acknowledged_at IS NULL")),
        Index("ix_emergency_contact_open", "contact_index", "created_at"),
        # The step-0 task: calls for help from a crisis whose alerts the worker still owes.
        Index("ix_emergency_alert_pending", "created_at",
              postgresql_where=text("alert_pending"), sqlite_where=text("alert_pending")),
    )  # fmt: skip

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), unique=True
    )
    case_reference: Mapped[str] = mapped_column(String(64))
    representation_code: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(16))
    # Blind index of the call-back number: a repeat SOS joins the open emergency.
    contact_index: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 0: the officer on duty was alerted; n: the n-th escalation step has run.
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    ack_due_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    # Step 0 is owed by the worker (``alerting.alert_pending_calls``), not yet written: a
    # crisis's calls for help arrive by the thousand, so the request that records one does
    # not also fan out its alerts.
    alert_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The language the person asked for help in (the SOS page's or the app's; a signed-in
    # citizen's own choice): the alerts tell the duty officer which language to call in.
    caller_language: Mapped[str | None] = mapped_column(String(8))


class DutyShift(IdMixin, Base):
    """One officer on duty for a representation from a start to an end (local time)."""

    __tablename__ = "duty_shift"
    __table_args__ = (
        Index("ix_duty_shift_rep_time", "representation_code", "starts_at", "ends_at"),
    )

    representation_code: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    # Wall-clock time at the representation (no zone), as the roster shows it.
    starts_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    ends_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    # The same instants in UTC: what "on duty now" compares with.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # 0 = primary, 1 = first backup, …: the order in which escalation reaches people.
    rank: Mapped[int] = mapped_column(Integer, default=0)
    # A duty phone for SMS alerts (E.164); the account's email is always alerted.
    # Encrypted; the alerting copies the ciphertext to the outbox as it is.
    phone: Mapped[str | None] = mapped_column(Sealed(CONTACT_PURPOSE))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_account_id: Mapped[uuid.UUID | None]
