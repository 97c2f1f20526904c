"""Duty rosters of the demo posts: each demo officer on duty around the clock this week.

So an SOS in the demo alerts the demo officer at once (and, unacknowledged, escalates to
the backup and the supervisor, then the HQ duty desk, where the demo HQ admin sits), and the
message shows up in the sandbox mailbox page.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM
from peduli.auth.models import StaffAccount
from peduli.core.db import utcnow
from peduli.emergency import roster
from peduli.emergency.models import DutyShift

# (email, order): the Seoul supervisor backs the Seoul officer up.
DEMO_DUTY = (
    ("officer.seoul@demo.peduli.example", 0),
    ("supervisor.seoul@demo.peduli.example", 1),
    ("officer.kualalumpur@demo.peduli.example", 0),
    ("officer.hongkong@demo.peduli.example", 0),
    # The HQ duty desk: the SOS no post acknowledged (and those of unstaffed posts).
    ("admin@demo.peduli.example", 0),
)
DEMO_PHONES = {"officer.seoul@demo.peduli.example": "+821000000001"}


def ensure_demo_rosters(session: Session) -> int:
    """Give each demo duty officer a 7-day shift from today (local) unless one runs now."""
    now = utcnow()
    added = 0
    for email, rank in DEMO_DUTY:
        account = session.scalar(select(StaffAccount).where(StaffAccount.email == email))
        if account is None:
            continue
        code = account.representation_code or roster.HQ_DESK
        running = session.scalar(
            select(
                exists().where(
                    DutyShift.account_id == account.id,
                    roster.on_duty_at(now),
                    DutyShift.ends_at > now + timedelta(days=1),
                )
            )
        )
        if running:
            continue
        zone = roster.zone_of(code)
        start = roster.to_local(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
        roster.add_shift(
            session,
            representation_code=code,
            data=roster.ShiftInput(
                account_id=account.id,
                starts_local=start,
                ends_local=start + timedelta(days=7),
                rank=rank,
                phone=DEMO_PHONES.get(email),
                note="demo",
            ),
            actor=SYSTEM,
        )
        added += 1
    return added
