"""What the tests of the staff case pages share: a committed case of Seoul, a form post."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from tests.cases.conftest import open_case, staff_actor
from tests.web.officer_support import post_form

SEOUL = "kbri-seoul"


@dataclass(frozen=True)
class Opened:
    id: uuid.UUID
    reference: str


def opened_case(db: Session, **overrides: object) -> Opened:
    """Open and commit a case of Seoul; the session lets go of the database afterwards."""
    author = staff_actor(db, Role.OFFICER, SEOUL, f"author-{uuid.uuid4().hex[:6]}")
    case = open_case(db, author, **overrides)
    opened = Opened(case.id, case.reference)
    db.commit()
    return opened


def act(client: TestClient, case: Opened, action: str, data: dict[str, str]) -> object:
    """Post one of the case screen's action forms (with its CSRF token) and return the answer."""
    return post_form(
        client, f"/officer/cases/{case.id}/{action}", data, f"/officer/cases/{case.id}"
    )
