"""Fixtures of the emergency tests: staff of two posts, rosters, and an SOS body."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.core.db import utcnow
from peduli.emergency import roster
from peduli.emergency.models import DutyShift
from tests.cases.conftest import staff_actor

SEOUL, KL = "kbri-seoul", "kbri-kuala-lumpur"
HQ = Actor(role=Role.HQ_ADMIN, account_id=__import__("uuid").UUID(int=7), display="hq")


def sos(**overrides: Any) -> dict[str, Any]:
    """A valid SOS from Seoul."""
    values: dict[str, Any] = {
        "name": "Siti Aminah",
        "country": "KR",
        "city": "Ansan",
        "kind": "violence",
        "details": "My employer locked me in and hit me.",
        "phone": "+821012345678",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def on_duty_now(
    db: Session, officer: Actor, *, rank: int = 0, phone: str | None = None
) -> DutyShift:
    """Put ``officer`` on duty from an hour ago for eight hours (post's local time)."""
    assert officer.representation_code is not None
    zone = roster.zone_of(officer.representation_code)
    start = roster.to_local(utcnow() - timedelta(hours=1), zone).replace(microsecond=0)
    return shift(db, officer, start, start + timedelta(hours=8), rank=rank, phone=phone)


def shift(
    db: Session,
    officer: Actor,
    starts: datetime,
    ends: datetime,
    *,
    rank: int = 0,
    phone: str | None = None,
) -> DutyShift:
    assert officer.representation_code is not None
    return roster.add_shift(
        db,
        representation_code=officer.representation_code,
        data=roster.ShiftInput(
            account_id=officer.account_id, starts_local=starts, ends_local=ends, rank=rank,
            phone=phone,
        ),
        actor=HQ,
    )  # fmt: skip


__all__ = ["KL", "SEOUL", "on_duty_now", "shift", "sos", "staff_actor"]
