"""Demo consular applications: the catalogue loaded, and a few applications brought to the
counter of each demo post (one overdue, one approved), made through the services' own use
cases as an officer would; a citizen then applies online for a passport renewal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.demo.cases import DEMO_POSTS, demo_officers
from peduli.registry.models import Person, Stay, StayStatus
from peduli.services import catalogue, counter, service
from peduli.services.models import ServiceApplication
from peduli.services.workflow import Action

# (service, days ago it was brought, approve it): the second is overdue in every calendar.
DEMO_APPLICATIONS = (
    ("passport-renewal", 1, False),
    ("splp", 9, False),
    ("birth-report", 2, True),
    ("legalisation", 0, False),
)


def ensure_demo_applications(session: Session) -> int:
    """Load the catalogue, then create the demo applications of each post once."""
    catalogue.load_shipped(session)
    officers = demo_officers(session)
    created = 0
    for post in DEMO_POSTS:
        officer = officers.get(post)
        if officer is None or _has_applications(session, post):
            continue
        people = list(
            session.scalars(
                select(Person.id)
                .join(Stay, Stay.person_id == Person.id)
                .where(Stay.representation_code == post, Stay.status == StayStatus.ACTIVE)
                .order_by(Person.created_at)
                .limit(len(DEMO_APPLICATIONS))
            )
        )
        for person_id, (code, days_ago, approve) in zip(people, DEMO_APPLICATIONS, strict=False):
            application = counter.apply_at_counter(
                session, person_id=person_id, service_code=code, actor=officer,
                now=utcnow() - timedelta(days=days_ago),
            )  # fmt: skip
            if approve:
                service.decide(session, application_id=application.id, action=Action.APPROVE,
                               actor=officer)  # fmt: skip
            created += 1
    return created


def _has_applications(session: Session, post: str) -> bool:
    count = select(func.count()).select_from(ServiceApplication)
    return bool(session.scalar(count.where(ServiceApplication.representation_code == post)))
