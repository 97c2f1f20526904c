"""Demo appointment plans: each demo post takes passport renewals (families of up to four)
and the emergency travel document (SPLP) by appointment, planned through the services' own
use case as HQ would, so a newcomer can book a renewal slot at once."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.core.db import utcnow
from peduli.demo.cases import DEMO_POSTS
from peduli.services import catalogue, schedules, slots

# (service, plan): mornings for renewals, afternoons for the SPLP.
DEMO_PLANS = (
    ("passport-renewal", schedules.Plan(time(9), time(12), 20, 6, 4, 14, 8)),
    ("splp", schedules.Plan(time(13), time(15, 30), 30, 3, 1, 7, 8)),
)


def ensure_demo_appointment_plans(session: Session) -> int:
    """Plan the demo posts' appointments once (as the demo HQ admin); how many were set."""
    catalogue.load_shipped(session)
    admin = session.scalars(
        select(StaffAccount).where(StaffAccount.role == Role.HQ_ADMIN.value).limit(1)
    ).first()
    if admin is None:
        return 0
    actor = Actor(role=Role.HQ_ADMIN, account_id=admin.id, display=admin.display_name)
    made = 0
    for post in DEMO_POSTS:
        for service, plan in DEMO_PLANS:
            if slots.schedule_of(session, post, service) is None:
                schedules.set_schedule(
                    session, post=post, service=service, plan=plan, actor=actor, now=utcnow()
                )
                made += 1
    return made
