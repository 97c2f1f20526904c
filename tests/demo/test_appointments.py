"""The demo's appointment plans: every demo post offers passport renewal slots in the coming
days, planned once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.demo.appointments import DEMO_PLANS, ensure_demo_appointment_plans
from peduli.demo.cases import DEMO_POSTS
from peduli.demo.staff import ensure_demo_staff
from peduli.services import slots


def test_each_demo_post_offers_renewal_slots_once(db: Session) -> None:
    ensure_demo_staff(db)
    assert ensure_demo_appointment_plans(db) == len(DEMO_POSTS) * len(DEMO_PLANS)
    db.commit()
    now = utcnow()
    for post in DEMO_POSTS:
        offered = slots.offered(db, post=post, service="passport-renewal", first=now.date(),
                                last=now.date() + timedelta(days=13), now=now)  # fmt: skip
        assert offered and all(slot.free == 6 for slot in offered)
    assert ensure_demo_appointment_plans(db) == 0
