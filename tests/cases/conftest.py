"""Fixtures of the case tests: staff actors of two posts, helpers to open cases and make them
overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.cases import service
from peduli.cases.models import Case
from peduli.cases.schemas import CaseCreate
from peduli.core.db import utcnow

SEOUL, KL = "kbri-seoul", "kbri-kuala-lumpur"


def staff_actor(session: Session, role: Role, post: str | None, name: str) -> Actor:
    """A real staff account (so assignment finds it) as the actor a request would carry."""
    account = StaffAccount(
        email=f"{name}@kemlu.example", display_name=name, role=role.value,
        representation_code=post,
    )  # fmt: skip
    session.add(account)
    session.flush()
    return Actor(
        role=role,
        account_id=account.id,
        display=name,
        representation_code=post if role in (Role.OFFICER, Role.SUPERVISOR) else None,
    )


@pytest.fixture
def officer(db: Session) -> Actor:
    return staff_actor(db, Role.OFFICER, SEOUL, "officer-seoul")


@pytest.fixture
def officer_kl(db: Session) -> Actor:
    return staff_actor(db, Role.OFFICER, KL, "officer-kl")


def open_case(db: Session, actor: Actor, **overrides: Any) -> Case:
    values: dict[str, Any] = {"category": "labour", "summary": "Wages unpaid for four months."}
    values.update(overrides)
    return service.open_case(db, data=CaseCreate.model_validate(values), actor=actor)


def make_overdue(db: Session, case: Case) -> None:
    """Move the case's next deadline five minutes into the past."""
    db.execute(
        update(Case).where(Case.id == case.id).values(sla_due_at=utcnow() - timedelta(minutes=5))
    )


PATH_TO: dict[str, list[str]] = {
    "new": [],
    "triaged": ["triaged"],
    "in_progress": ["triaged", "in_progress"],
    "waiting": ["triaged", "in_progress", "waiting"],
    "resolved": ["triaged", "in_progress", "resolved"],
    "closed": ["triaged", "in_progress", "resolved", "closed"],
}


def walk(db: Session, case: Case, actor: Actor, status: str) -> Case:
    """Move ``case`` to ``status`` along the shortest allowed path."""
    from peduli.cases import casework
    from peduli.cases.models import CaseStatus, WaitingOn

    for step in PATH_TO[status]:
        waiting_on = WaitingOn.CITIZEN if step == "waiting" else None
        casework.transition(
            db, case_id=case.id, actor=actor, to=CaseStatus(step), waiting_on=waiting_on
        )
    return case
