"""The demo's consular applications: the catalogue loaded and a few applications at each demo
post's counter (one overdue, one approved), created once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.demo import seed as seeding
from peduli.demo.applications import ensure_demo_applications
from peduli.demo.cases import DEMO_POSTS
from peduli.demo.staff import ensure_demo_staff
from peduli.services import workflow
from peduli.services.models import ServiceApplication, ServiceVersion

CITIZENS = 600


def test_each_demo_post_gets_applications_once(db: Session) -> None:
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS)
    ensure_demo_staff(db)
    created = ensure_demo_applications(db)
    db.commit()
    assert created == 4 * len(DEMO_POSTS)
    assert db.scalar(select(func.count()).select_from(ServiceVersion)) >= 12
    posts = set(db.scalars(select(ServiceApplication.representation_code).distinct()))
    assert posts == set(DEMO_POSTS)
    overdue = select(func.count()).select_from(ServiceApplication).where(workflow.overdue(utcnow()))
    assert db.scalar(overdue) == len(DEMO_POSTS)
    approved = ServiceApplication.state == workflow.State.APPROVED
    assert db.scalar(select(func.count()).select_from(ServiceApplication).where(approved)) == 3
    assert ensure_demo_applications(db) == 0
